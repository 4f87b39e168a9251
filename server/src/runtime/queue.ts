// Enqueueing runs for graphile-worker from inside our own statements, and waking workers after commit.
//
// graphile-worker's add_jobs() calls pg_notify inside the transaction. PostgreSQL serialises the
// commits of transactions that notify (a global lock held through the commit's WAL flush), which
// capped webhook ingest near one commit per fsync. So ingest inserts the job rows itself (the same
// rows add_jobs writes, into graphile-worker 0.17's tables: the version is pinned, and every
// runtime test exercises this path), and a Waker sends one coalesced NOTIFY after the commit. The
// workers' polling (pollInterval) picks up anything a lost notification would miss.
import type pg from 'pg';

export const runTask = 'run';

/** What a new run's first job carries, so that the executor reads nothing back. */
export interface FreshRun {
  versionId: string;
  payload: Record<string, unknown>;
  flowId: string;
  /** Set for runs of a conversation, which take their turns in `seq` order. */
  conversationKey: string | null;
  seq: number;
  /** The write whose first attempt the ingest statement journaled: the executor does not journal it again. */
  journaled: string | null;
}

/** What a run's job carries; a new run's first job also carries its version and trigger payload. */
export interface RunJobPayload {
  runId: string;
  fresh?: FreshRun;
}

/**
 * SQL that inserts one job per row of `source` (columns `id`, `version_id`, `flow_id`, `conversation_key`,
 * `seq`, `journal_node`, `payload`, `lane`): a new run's
 * job carries what the executor would otherwise read back, saving a query per run. A job whose run the
 * in-process lane executes is inserted already locked by the lane (`laneWorker`, an SQL expression),
 * as its first attempt: no worker fetches it, and if the process dies the lane's stale heartbeat
 * releases it to the other workers, who then read the run back instead of trusting the payload.
 */
export function insertRunJobsSql(source: string, laneWorker: string): string {
  return `insert into graphile_worker._private_jobs (task_id, payload, max_attempts, locked_at, locked_by, attempts)
    select (select t.id from graphile_worker._private_tasks t where t.identifier = '${runTask}'),
      json_build_object('runId', ${source}.id, 'fresh', json_build_object('versionId', ${source}.version_id, 'payload', ${source}.payload,
        'flowId', ${source}.flow_id, 'conversationKey', ${source}.conversation_key, 'seq', ${source}.seq, 'journaled', ${source}.journal_node)), 25,
      case when ${source}.lane then now() end, case when ${source}.lane then ${laneWorker}::text end, case when ${source}.lane then 1 else 0 end
    from ${source}
    returning id, (payload->>'runId')::uuid as run_id, payload->'fresh'->>'versionId' as version_id, payload->'fresh'->>'flowId' as flow_id,
      payload->'fresh'->>'conversationKey' as conversation_key, (payload->'fresh'->>'seq')::bigint as seq,
      payload->'fresh'->>'journaled' as journaled, locked_by is not null as lane`;
}

/** The task row that job rows point at; graphile-worker creates it lazily, ingest needs it first. */
export async function ensureRunTask(pool: pg.Pool): Promise<void> {
  await pool.query(`insert into graphile_worker._private_tasks (identifier) values ($1) on conflict do nothing`, [runTask]);
}

export interface Waker {
  /** Notes `count` new jobs; workers are notified once per short window. */
  wake(count: number): void;
  close(): Promise<void>;
}

export function createWaker(pool: pg.Pool, windowMs = 2): Waker {
  let pending = 0;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<unknown> = Promise.resolve();
  const flush = () => {
    timer = null;
    const count = pending;
    pending = 0;
    if (count === 0) return;
    inFlight = pool.query(`select pg_notify('jobs:insert', $1)`, [JSON.stringify({ r: Math.random(), count })]).catch(() => {});
  };
  return {
    wake(count) {
      if (count <= 0) return;
      pending += count;
      timer ??= setTimeout(flush, windowMs);
    },
    async close() {
      if (timer) {
        clearTimeout(timer);
        flush();
      }
      await inFlight;
    },
  };
}
