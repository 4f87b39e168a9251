-- UUIDv7: 48 bits of Unix milliseconds, then random bits (RFC 9562), made from gen_random_uuid() by
-- overwriting its first six bytes and setting the version to 7. PostgreSQL 18 has uuidv7(); 17 does not.
CREATE FUNCTION bundles_uuid7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    placing substring(int8send((extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid
$$;--> statement-breakpoint
DROP INDEX "steps_run_node_idx";--> statement-breakpoint
DROP INDEX "messages_provider_id_idx";--> statement-breakpoint
ALTER TABLE "api_tokens" ALTER COLUMN "id" SET DEFAULT bundles_uuid7();--> statement-breakpoint
ALTER TABLE "sessions" ALTER COLUMN "id" SET DEFAULT bundles_uuid7();--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "id" SET DEFAULT bundles_uuid7();--> statement-breakpoint
ALTER TABLE "connections" ALTER COLUMN "id" SET DEFAULT bundles_uuid7();--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ALTER COLUMN "id" SET DEFAULT bundles_uuid7();--> statement-breakpoint
ALTER TABLE "flow_versions" ALTER COLUMN "id" SET DEFAULT bundles_uuid7();--> statement-breakpoint
ALTER TABLE "flows" ALTER COLUMN "id" SET DEFAULT bundles_uuid7();--> statement-breakpoint
ALTER TABLE "trigger_subscriptions" ALTER COLUMN "id" SET DEFAULT bundles_uuid7();--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "id" SET DEFAULT bundles_uuid7();--> statement-breakpoint
ALTER TABLE "runs" ALTER COLUMN "id" SET DEFAULT bundles_uuid7();--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "id" SET DEFAULT bundles_uuid7();--> statement-breakpoint
ALTER TABLE "connection_exports" ALTER COLUMN "id" SET DEFAULT bundles_uuid7();--> statement-breakpoint
CREATE INDEX "messages_provider_id_idx" ON "messages" USING hash ("provider_message_id");--> statement-breakpoint
ALTER TABLE "steps" DROP COLUMN "id";--> statement-breakpoint
ALTER TABLE "steps" ADD CONSTRAINT "steps_pkey" PRIMARY KEY("run_id","node_id");
