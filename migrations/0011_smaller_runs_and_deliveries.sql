-- The delivery log is read by connection and time (webhook_deliveries_connection_idx), never by id.
ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_pkey";--> statement-breakpoint
-- Only runs of a conversation are ordered by seq: the others take no number (8 bytes and a nextval less a run).
CREATE SEQUENCE "runs_conversation_seq";--> statement-breakpoint
SELECT setval('runs_conversation_seq', coalesce((SELECT max("seq") FROM "runs"), 0) + 1, false);--> statement-breakpoint
ALTER TABLE "runs" ALTER COLUMN "seq" DROP IDENTITY;--> statement-breakpoint
ALTER TABLE "runs" ALTER COLUMN "seq" DROP NOT NULL;
