-- Fewer bytes a run (issue 12). A message's updated_at is null until its status first changes (rows
-- already stored keep theirs); a dedupe key is compared by its 64-bit hash (the event keeps the key);
-- a step's node type is its run's version's, not stored on every step.
ALTER TABLE "messages" ALTER COLUMN "updated_at" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "updated_at" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "event_keys" ADD COLUMN "key_hash" bigint;--> statement-breakpoint
UPDATE "event_keys" SET "key_hash" = hashtextextended("dedupe_key", 0);--> statement-breakpoint
ALTER TABLE "event_keys" ALTER COLUMN "key_hash" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "event_keys" DROP COLUMN "dedupe_key";--> statement-breakpoint
ALTER TABLE "steps" DROP COLUMN "node_type";
