CREATE TABLE "test_runs" (
	"id" uuid PRIMARY KEY DEFAULT bundles_uuid7() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"flow_id" uuid NOT NULL,
	"created_by" uuid,
	"event_id" uuid,
	"node_id" text,
	"live" boolean DEFAULT false NOT NULL,
	"status" text NOT NULL,
	"trigger" jsonb,
	"steps" jsonb NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "test_runs" ADD CONSTRAINT "test_runs_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "test_runs" ADD CONSTRAINT "test_runs_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "test_runs_flow_idx" ON "test_runs" USING btree ("flow_id","started_at");