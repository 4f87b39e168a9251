ALTER TABLE "trigger_subscriptions" ALTER COLUMN "connection_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "events" ALTER COLUMN "connection_id" DROP NOT NULL;--> statement-breakpoint
CREATE INDEX "trigger_subscriptions_internal_idx" ON "trigger_subscriptions" USING btree ("workspace_id","event_type") WHERE active and connection_id is null;