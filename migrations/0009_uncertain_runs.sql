CREATE TABLE "uncertain_runs" (
	"run_id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"flow_id" uuid NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "uncertain_runs" ADD CONSTRAINT "uncertain_runs_flow_id_flows_id_fk" FOREIGN KEY ("flow_id") REFERENCES "public"."flows"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
INSERT INTO "uncertain_runs" ("run_id", "workspace_id", "flow_id", "since")
SELECT "id", "workspace_id", "flow_id", coalesce("finished_at", "created_at") FROM "runs" WHERE "status" = 'uncertain'
ON CONFLICT DO NOTHING;
