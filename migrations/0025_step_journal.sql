CREATE TABLE "step_journal" (
	"run_id" uuid NOT NULL,
	"node_id" text NOT NULL,
	"input" json,
	"attempts" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	CONSTRAINT "step_journal_pkey" PRIMARY KEY("run_id","node_id")
);
--> statement-breakpoint
-- Writes in flight when this runs: their journal moves over (their run finds them there when it resumes).
WITH moved AS (DELETE FROM "steps" WHERE "status" = 'running' RETURNING "run_id", "node_id", "input", "attempts", "started_at")
INSERT INTO "step_journal" ("run_id", "node_id", "input", "attempts", "started_at")
SELECT "run_id", "node_id", "input", "attempts", coalesce("started_at", now()) FROM moved;
