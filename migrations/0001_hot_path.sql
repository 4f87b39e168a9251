ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_workspace_id_workspaces_id_fk";
--> statement-breakpoint
ALTER TABLE "events" DROP CONSTRAINT "events_workspace_id_workspaces_id_fk";
--> statement-breakpoint
ALTER TABLE "runs" DROP CONSTRAINT "runs_workspace_id_workspaces_id_fk";
--> statement-breakpoint
ALTER TABLE "runs" DROP CONSTRAINT "runs_version_id_flow_versions_id_fk";
--> statement-breakpoint
ALTER TABLE "steps" DROP CONSTRAINT "steps_workspace_id_workspaces_id_fk";
--> statement-breakpoint
ALTER TABLE "messages" DROP CONSTRAINT "messages_workspace_id_workspaces_id_fk";
--> statement-breakpoint
ALTER TABLE "messages" DROP CONSTRAINT "messages_run_id_runs_id_fk";
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ALTER COLUMN "body" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "payload" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "runs" ALTER COLUMN "error" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "steps" ALTER COLUMN "input" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "steps" ALTER COLUMN "output" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "steps" ALTER COLUMN "error" SET DATA TYPE json;--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "error" SET DATA TYPE json;