CREATE TABLE "reply_waits" (
	"run_id" uuid NOT NULL,
	"node_id" text NOT NULL,
	"workspace_id" uuid NOT NULL,
	"flow_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"conversation_key" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"taken_by_event" uuid,
	"reply" json,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reply_waits_run_id_node_id_pk" PRIMARY KEY("run_id","node_id")
);
--> statement-breakpoint
CREATE INDEX "reply_waits_open_idx" ON "reply_waits" USING btree ("connection_id","conversation_key","created_at") WHERE status = 'open';