DROP INDEX "messages_provider_id_idx";--> statement-breakpoint
CREATE INDEX "messages_provider_id_idx" ON "messages" USING btree (hashtext("provider_message_id"));