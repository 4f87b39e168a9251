DROP INDEX "runs_search_idx";--> statement-breakpoint
CREATE INDEX "runs_search_idx" ON "runs" USING btree ("search_key");