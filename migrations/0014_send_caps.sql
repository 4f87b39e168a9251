CREATE TABLE "send_counts" (
	"connection_id" uuid NOT NULL,
	"day" date NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "send_counts_connection_id_day_pk" PRIMARY KEY("connection_id","day")
);
