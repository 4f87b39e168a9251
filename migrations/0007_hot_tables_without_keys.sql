ALTER TABLE "runs" DROP CONSTRAINT "runs_event_id_events_id_fk";
--> statement-breakpoint
ALTER TABLE "steps" DROP CONSTRAINT "steps_run_id_runs_id_fk";
--> statement-breakpoint
ALTER TABLE "steps" DROP COLUMN "workspace_id";