// The lane: a process that both receives webhooks and executes runs hands a new run straight from the
// ingest statement to its executor. The run's job is inserted locked by the lane (see queue.ts), so no
// worker fetches it and nothing is read back; the executor's last write deletes it. If the process
// dies, its jobs are released when its heartbeat goes stale and another worker resumes the runs.
// When the lane is full, ingest leaves new runs to the queue, where any worker takes them.
import type pg from 'pg';
import type { Logger } from '@bundles/nodes';
import type { FreshRun } from './queue.js';

export interface LaneRun {
  runId: string;
  jobId: string;
  fresh: FreshRun;
}

export interface Lane {
  /** The worker id its jobs are locked by (it beats with the worker's heartbeats). */
  readonly id: string;
  /** Claims up to `n` places for runs about to be stored; returns how many it grants. */
  reserve(n: number): number;
  /** Gives back places that were granted but not used (a duplicate event, a stopped bundle). */
  release(n: number): void;
  /** Hands over a stored run, on a place granted before. */
  push(run: LaneRun): void;
  /**
   * Returns to the queue the jobs locked by this lane that it was never handed: their ingest statement
   * committed but its answer was lost (a dropped connection), so ingest gave the places back.
   */
  releaseOrphans(olderThanMs: number): Promise<number>;
  /** Takes no more runs and resolves when every run handed over has finished its turn. */
  stop(): Promise<void>;
  /** Runs executing, and runs handed over and waiting for a place to execute. */
  stats(): { running: number; waiting: number };
  /** 'ok', or what is wrong (runs it cannot return to the queue). */
  health(): string;
}

export interface LaneOptions {
  id: string;
  pool: pg.Pool;
  /** Runs executing at once. */
  concurrency: number;
  /** Runs granted at most (executing and waiting). */
  capacity: number;
  execute(run: LaneRun): Promise<unknown>;
  log: Logger;
}

const releaseOrphansSql = `
update graphile_worker._private_jobs
set locked_at = null, locked_by = null, updated_at = now()
where locked_by = $1 and locked_at < now() - ($2::int * interval '1 millisecond') and not (id = any($3::bigint[]))`;

const releaseSql = `
update graphile_worker._private_jobs
set locked_at = null, locked_by = null, run_at = now() + interval '1 second', last_error = $3, updated_at = now()
where id = $1 and locked_by = $2`;

export function createLane(opts: LaneOptions): Lane {
  let granted = 0;
  let active = 0;
  let stopping = false;
  const waiting: LaneRun[] = [];
  const handed = new Set<string>();
  let idle: Array<() => void> = [];
  let returning = 0;
  let returnError: string | null = null;

  // A run whose execution failed on the infrastructure (the database went away…) goes back to the
  // queue, where graphile-worker retries it with backoff; until the release succeeds, keep trying.
  const releaseJob = async (run: LaneRun, error: string): Promise<void> => {
    returning++;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await opts.pool.query(releaseSql, [run.jobId, opts.id, error.slice(0, 1000)]);
          returnError = null;
          return;
        } catch (err) {
          returnError = (err as Error).message;
          if (stopping && attempt >= 3) {
            // The heartbeat stops with the process; another worker releases the job once it is stale.
            opts.log.warn({ runId: run.runId, err: returnError }, 'could not return a run to the queue; it is released when this process stops beating');
            return;
          }
          await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** attempt)));
        }
      }
    } finally {
      returning--;
    }
  };

  const settle = () => {
    if (active === 0 && waiting.length === 0 && granted === 0 && idle.length) {
      const done = idle;
      idle = [];
      for (const d of done) d();
    }
  };

  const pump = () => {
    while (active < opts.concurrency && waiting.length > 0) {
      const run = waiting.shift()!;
      active++;
      void opts
        .execute(run)
        .catch(async (err) => {
          opts.log.warn({ runId: run.runId, err: (err as Error).message }, 'run failed on the infrastructure; returned to the queue');
          await releaseJob(run, (err as Error).message);
        })
        .finally(() => {
          handed.delete(run.jobId);
          active--;
          granted = Math.max(0, granted - 1);
          pump();
          settle();
        });
    }
  };

  return {
    id: opts.id,
    reserve(n) {
      if (stopping) return 0;
      const take = Math.max(0, Math.min(n, opts.capacity - granted));
      granted += take;
      return take;
    },
    release(n) {
      granted = Math.max(0, granted - n);
      settle();
    },
    push(run) {
      handed.add(run.jobId);
      waiting.push(run);
      pump();
    },
    async releaseOrphans(olderThanMs) {
      const { rowCount } = await opts.pool.query(releaseOrphansSql, [opts.id, olderThanMs, [...handed]]);
      if (rowCount) opts.log.warn({ jobs: rowCount }, 'returned to the queue runs whose hand-over was lost');
      return rowCount ?? 0;
    },
    stats: () => ({ running: active, waiting: waiting.length }),
    health: () => (returnError && returning > 0 ? `cannot return ${returning} run(s) to the queue: ${returnError}` : 'ok'),
    stop() {
      stopping = true;
      if (active === 0 && waiting.length === 0 && granted === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
