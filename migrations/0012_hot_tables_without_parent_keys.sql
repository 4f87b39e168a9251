ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_connection_id_connections_id_fk";
--> statement-breakpoint
ALTER TABLE "events" DROP CONSTRAINT "events_connection_id_connections_id_fk";
--> statement-breakpoint
ALTER TABLE "runs" DROP CONSTRAINT "runs_flow_id_flows_id_fk";
--> statement-breakpoint
ALTER TABLE "messages" DROP CONSTRAINT "messages_connection_id_connections_id_fk";
