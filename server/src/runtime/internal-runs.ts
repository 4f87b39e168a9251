// Runs of built-in triggers (a run failed, a schedule's tick): Bundles makes the event itself, with no
// connection, and one statement stores the events, their runs and the runs' jobs.
import type pg from 'pg';
import { insertRunJobsSql, type Waker } from './queue.js';
import { newId } from '../ids.js';
import { sqlJson } from './sql-json.js';
import type { Subscription } from './subscriptions.js';

export interface InternalRun {
  workspaceId: string;
  subscription: Pick<Subscription, 'flowId' | 'versionId' | 'eventType'>;
  /** Names the event in the delivery and events views (e.g. `run:<id>` of the failed run). */
  dedupeKey: string;
  payload: Record<string, unknown>;
  /** What the Runs page finds the run by (the failed run's id, a tick's time). */
  searchKey: string | null;
}

const startSql = `
with input as (
  select * from json_to_recordset($1::json) as x(event_id uuid, run_id uuid, workspace_id uuid, flow_id uuid, version_id uuid, type text,
    dedupe_key text, payload json, search_key text)
), ev as (
  insert into events (id, workspace_id, connection_id, type, dedupe_key, payload)
  select event_id, workspace_id, null, type, dedupe_key, payload from input
  returning id
), fresh as (
  -- Only a bundle still running takes the run: one stopped since its subscription was read takes none.
  insert into runs (id, workspace_id, flow_id, version_id, event_id, status, search_key)
  select i.run_id, i.workspace_id, i.flow_id, i.version_id, i.event_id, 'queued', i.search_key
  from input i join flows f on f.id = i.flow_id and f.status = 'running' and f.active_version_id = i.version_id
  returning id, version_id, flow_id, event_id
), fresh_runs as (
  select f.id, f.version_id, f.flow_id, null::text as conversation_key, null::bigint as seq, i.payload, false as lane, null::text as journal_node
  from fresh f join input i on i.run_id = f.id
), jobs as (
  ${insertRunJobsSql('fresh_runs', '$2')}
)
select (select count(*) from ev)::int as events, array(select run_id::text from jobs) as run_ids`;

/**
 * Stores the events and their runs and jobs on `db` (a pool, or a client inside a transaction that must
 * commit them with its own writes); answers the ids of the runs started. Workers are not woken: see
 * startInternalRuns, or wake them after the commit.
 */
export async function insertInternalRuns(db: pg.Pool | pg.PoolClient, items: InternalRun[]): Promise<string[]> {
  if (items.length === 0) return [];
  const rows = items.map((it) => ({
    event_id: newId(),
    run_id: newId(),
    workspace_id: it.workspaceId,
    flow_id: it.subscription.flowId,
    version_id: it.subscription.versionId,
    type: it.subscription.eventType,
    dedupe_key: it.dedupeKey,
    payload: it.payload,
    search_key: it.searchKey,
  }));
  const { rows: out } = await db.query<{ run_ids: string[] }>({ text: startSql, values: [sqlJson(rows), null] });
  return out[0]?.run_ids ?? [];
}

/** Stores the events and starts the runs, then wakes the workers; answers the ids of the runs started. */
export async function startInternalRuns(deps: { pool: pg.Pool; waker: Waker }, items: InternalRun[]): Promise<string[]> {
  const runIds = await insertInternalRuns(deps.pool, items);
  deps.waker.wake(runIds.length);
  return runIds;
}
