CREATE TABLE "schedules" (
	"subscription_id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"next_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_subscription_id_trigger_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."trigger_subscriptions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "schedules_next_at_idx" ON "schedules" USING btree ("next_at");