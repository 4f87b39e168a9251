DROP INDEX "runs_workspace_status_idx";--> statement-breakpoint
CREATE INDEX "runs_workspace_created_idx" ON "runs" USING btree ("workspace_id","created_at");--> statement-breakpoint
-- Room on each page for HOT updates of runs and steps as they move on (hand-added to the generated SQL).
ALTER TABLE "runs" SET (fillfactor = 85);--> statement-breakpoint
ALTER TABLE "steps" SET (fillfactor = 85);
