CREATE TABLE "send_counts" (
	"connection_id" uuid NOT NULL,
	"day" date NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "send_counts_connection_id_day_pk" PRIMARY KEY("connection_id","day")
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "flow_id" uuid;--> statement-breakpoint
-- Messages sent before this migration: their bundle from their run, where it is still kept.
UPDATE "messages" SET "flow_id" = "runs"."flow_id" FROM "runs" WHERE "messages"."run_id" = "runs"."id";--> statement-breakpoint
CREATE INDEX "messages_flow_created_idx" ON "messages" USING btree ("flow_id","created_at") WHERE "messages"."flow_id" is not null;--> statement-breakpoint
-- The text search of the message log; pg_trgm ships with the embedded PostgreSQL (and with PostgreSQL's contrib).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "messages_text_trgm_idx" ON "messages" USING gin ("text" gin_trgm_ops);