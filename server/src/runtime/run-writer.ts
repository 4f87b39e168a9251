// The executor's writes: finished steps, their messages, the run's state, its continuation job and the
// end of its lane job, for many runs in one statement (runs finishing together share one commit).
import type pg from 'pg';
import type { StepError } from '@bundles/shared';
import type { RunStatus, StepStatus } from '../db/schema/runs.js';
import { createBatcher, poolTurns, type Batcher } from './batcher.js';
import { sqlJson } from './sql-json.js';
import { replyJobKey, type ReplyWaitWrite } from './reply-waits.js';

export interface StepWrite {
  node_id: string;
  node_type: string;
  status: StepStatus;
  input: unknown;
  output: unknown;
  error: StepError | null;
  handle: string | null;
  attempts: number;
  resume_at: string | null;
  started_at: string | null;
  finished_at: string | null;
}

export interface MessageWrite {
  connection_id: string | null;
  provider: string;
  direction: string;
  channel: string;
  from: string | null;
  to: string | null;
  text: string | null;
  provider_message_id: string | null;
  status: string;
  conversation_key: string | null;
}

export interface RunWrite {
  runId: string;
  workspaceId: string;
  /** When the execution writing this began: a run's first write keeps it as the run's start. */
  startedAt?: string | null;
  status: RunStatus;
  error: StepError | null;
  /** When set, a job continues the run then (a retry, a delay). */
  continueAt: Date | null;
  /** The lane's job of this run, deleted with this write (the run is done with it). */
  finishJobId: string | null;
  steps: StepWrite[];
  messages: MessageWrite[];
  /**
   * A journal write before a call out: written only while the run's job is still locked by this process
   * (another worker may have taken a run whose heartbeat looked stale); otherwise nothing is written.
   */
  fence?: { jobId: string; lockedBy: string } | null;
  /**
   * The run waits for a reply (core.wait_for_reply): the wait is stored with its step, and the continuation
   * job gets the wait's key, so that the reply's ingest finds it and makes it due (see reply-waits.ts).
   */
  replyWait?: ReplyWaitWrite | null;
}

/** `fenced`: the run's job was no longer this process's, and nothing of the write was stored. */
export type RunWriter = Batcher<RunWrite, { fenced: boolean }>;

/** Exported for the test of its plan. */
export const writeSql = `
with r_all as (
  select * from json_to_recordset($1::json) as x(run_id uuid, workspace_id uuid, started_at timestamptz, status text, error json, continue_at timestamptz, job_id bigint,
    fence_job bigint, fence_by text, job_key text)
), fenced as (
  select run_id from r_all
  where fence_job is not null
    and not exists (select 1 from graphile_worker._private_jobs j where j.id = r_all.fence_job and j.locked_by = r_all.fence_by)
), r_in as (
  select * from r_all where run_id not in (select run_id from fenced)
), x_steps as (
  select x.* from json_to_recordset($2::json) as x(run_id uuid, node_id text, status text, input json, output json, error json, handle text,
    attempts int, resume_at timestamptz, started_at timestamptz, finished_at timestamptz)
  join r_in r on r.run_id = x.run_id
), s as (
  -- A step's outcome (or its wait): written once, when it is known; a retry's next outcome replaces it.
  insert into steps as st (run_id, node_id, status, input, output, error, handle, attempts, resume_at, started_at, finished_at)
  select x.run_id, x.node_id, x.status, x.input, x.output, x.error, x.handle, x.attempts, x.resume_at, x.started_at, x.finished_at
  from x_steps x where x.status <> 'running'
  on conflict (run_id, node_id) do update set status = excluded.status, input = coalesce(excluded.input, st.input), output = excluded.output,
    error = excluded.error, handle = excluded.handle, attempts = excluded.attempts, resume_at = excluded.resume_at,
    started_at = coalesce(st.started_at, excluded.started_at), finished_at = excluded.finished_at
  returning 1
), journaled as (
  -- An attempt about to call out: journaled apart (see step_journal), until the write of its outcome.
  insert into step_journal as sj (run_id, node_id, input, attempts, started_at)
  select x.run_id, x.node_id, x.input, x.attempts, coalesce(x.started_at, now()) from x_steps x where x.status = 'running'
  on conflict (run_id, node_id) do update set input = excluded.input, attempts = excluded.attempts, started_at = excluded.started_at
  returning 1
), unjournaled as (
  -- (A data-modifying CTE runs whether or not the statement reads it.)
  delete from step_journal sj using x_steps x where x.status <> 'running' and sj.run_id = x.run_id and sj.node_id = x.node_id
), m as (
  insert into messages (workspace_id, connection_id, provider, direction, channel, "from", "to", text, provider_message_id, status, conversation_key, run_id)
  select r.workspace_id, x.connection_id, x.provider, x.direction, x.channel, x."from", x."to", x.text, x.provider_message_id, x.status, x.conversation_key, x.run_id
  from json_to_recordset($3::json) as x(run_id uuid, connection_id uuid, provider text, direction text, channel text, "from" text, "to" text, text text,
    provider_message_id text, status text, conversation_key text)
  join r_in r on r.run_id = x.run_id
  returning 1
), r as (
  -- Any write of the run records the outcome of the attempt the ingest journaled (the run's first write): done with it.
  update runs set status = r_in.status, error = r_in.error, started_at = coalesce(runs.started_at, least(r_in.started_at, now())), journal_node = null,
    finished_at = case when r_in.status in ('succeeded', 'failed', 'filtered', 'uncertain') then now() end
  from r_in
  -- The ids again as an array: the planner then probes the primary key instead of scanning the table
  -- (it guesses 100 rows for json_to_recordset, and a hash join over a growing table).
  -- And their least and greatest as bounds of the partition key: the executor then opens only the partitions
  -- that can hold them (the run writer's plan is made once, for any ids: see writerSettings).
  where runs.id = any($4::uuid[]) and runs.id >= $7::uuid and runs.id <= $8::uuid and runs.id = r_in.run_id
    -- A journal write of a run already running leaves its row alone.
    and not (r_in.status = 'running' and runs.status = 'running')
  returning runs.id, runs.workspace_id, runs.flow_id, runs.status
), u as (
  -- A run left uncertain waits for a person: listed apart, so nothing reads the runs table to find it.
  insert into uncertain_runs (run_id, workspace_id, flow_id) select id, workspace_id, flow_id from r where status = 'uncertain'
  on conflict do nothing
  returning 1
), j as (
  select graphile_worker.add_job('run', json_build_object('runId', r_in.run_id::text), run_at => r_in.continue_at, max_attempts => 25, job_key => r_in.job_key) as job
  from r_in where r_in.continue_at is not null
), w as (
  insert into reply_waits (run_id, node_id, workspace_id, flow_id, connection_id, conversation_key, expires_at)
  select x.run_id, x.node_id, r.workspace_id, x.flow_id, x.connection_id, x.conversation_key, x.expires_at
  from json_to_recordset($6::json) as x(run_id uuid, node_id text, flow_id uuid, connection_id uuid, conversation_key text, expires_at timestamptz)
  join r_in r on r.run_id = x.run_id
  -- Tested once (no column in it): a batch without a wait reads nothing.
  where json_array_length($6::json) > 0
  -- The same wait again (a run woken early waits on) is left as it is; a settled one waits anew (a retried step).
  on conflict (run_id, node_id) do update set status = 'open', connection_id = excluded.connection_id, conversation_key = excluded.conversation_key,
    expires_at = excluded.expires_at, taken_by_event = null, reply = null, created_at = now()
    where reply_waits.status <> 'open'
  returning 1
), done as (
  delete from graphile_worker._private_jobs where id = any($5::bigint[])
  returning 1
)
select (select count(*) from s) + (select count(*) from journaled) as steps, (select count(*) from m) as messages, (select count(*) from r) as runs,
  (select count(*) from j) as jobs, (select count(*) from done) as done, (select count(*) from w) as waits, (select coalesce(array_agg(run_id::text), '{}') from fenced) as fenced`;

/** The least and the greatest of some UUIDs, in PostgreSQL's order (the bytes', which lowercase hex keeps). */
export function uuidBounds(ids: readonly string[]): [string, string] {
  let lo = ids[0]!.toLowerCase();
  let hi = lo;
  for (const raw of ids) {
    const id = raw.toLowerCase();
    if (id < lo) lo = id;
    if (id > hi) hi = id;
  }
  return [lo, hi];
}

export function createRunWriter(pool: pg.Pool): RunWriter {
  return createBatcher<RunWrite, { fenced: boolean }, pg.PoolClient>(
    async (writes, client) => {
      const runIds = writes.map((w) => w.runId);
      const { rows } = await client.query<{ fenced: string[] }>({
        name: 'write_runs',
        text: writeSql,
        values: [
          sqlJson(
            writes.map((w) => ({
              run_id: w.runId,
              workspace_id: w.workspaceId,
              started_at: w.startedAt ?? null,
              status: w.status,
              error: w.error,
              continue_at: w.continueAt ? w.continueAt.toISOString() : null,
              job_id: w.finishJobId,
              fence_job: w.fence?.jobId ?? null,
              fence_by: w.fence?.lockedBy ?? null,
              job_key: w.replyWait && w.continueAt ? replyJobKey(w.runId, w.replyWait.node_id) : null,
            })),
          ),
          sqlJson(writes.flatMap((w) => w.steps.map((s) => ({ run_id: w.runId, ...s })))),
          sqlJson(writes.flatMap((w) => w.messages.map((m) => ({ run_id: w.runId, ...m })))),
          runIds,
          writes.flatMap((w) => (w.finishJobId ? [w.finishJobId] : [])),
          sqlJson(writes.flatMap((w) => (w.replyWait ? [{ run_id: w.runId, ...w.replyWait }] : []))),
          ...uuidBounds(runIds),
        ],
      });
      const fenced = new Set(rows[0]?.fenced ?? []);
      return writes.map((w) => ({ fenced: fenced.has(w.runId) }));
    },
    // One statement in flight: the writes of runs finishing meanwhile share the next one (measured with
    // `pnpm bench`: fewer, larger statements beat two or four in flight on this 2-core machine). The batch
    // is formed once a connection is free, so the writes arriving while the ingest holds it join it too.
    { maxInFlight: 1, maxBatch: 64, fits: (batch, w) => !batch.some((b) => b.runId === w.runId), turn: poolTurns(pool) },
  );
}
