// The worker role: graphile-worker executes runs (its runner supervised: started again when it stops);
// heartbeats let a live worker release a dead one's jobs; maintenance sweeps run on a timer.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { run, Logger as GraphileLogger, type Runner, type WorkerEvents } from 'graphile-worker';
import type pg from 'pg';
import { executeRun, type ExecuteDeps } from './execute.js';
import type { RunJobPayload } from './queue.js';
import { createLane, type Lane } from './lane.js';
import { superviseRunner, type RunnerSupervisor } from './runner-supervisor.js';
import { wakeForgottenRuns } from './conversations.js';

export interface WorkerOptions {
  concurrency: number;
  staleMs: number;
  heartbeatMs: number;
  /** This process also receives webhooks: execute their new runs in a lane, straight from ingest. */
  lane?: boolean;
  /** How long the job runner may fail to start again before the worker gives up (Infinity: never). */
  giveUpMs?: number;
  /** Called when the worker gives up: the process should exit non-zero. */
  onFatal?(err: Error): void;
}

export interface WorkerHandle {
  /** The runner now running (null while it is being started again). */
  runner(): Runner | null;
  lane: Lane | null;
  /** Each part's state for /healthz: 'ok' or what is wrong. */
  health(): { runner: string; lane: string };
  stop(): Promise<void>;
}

// Jobs locked by workers that stopped beating are released; never this process's own (its beat may have
// missed while the database was away, and its runs are still going).
const releaseDeadSql = `
with dead as (
  select distinct j.locked_by as id
  from graphile_worker._private_jobs j
  where j.locked_by is not null and j.locked_at < now() - ($1::int * interval '1 millisecond')
    and not (j.locked_by = any($2::text[]))
    and not exists (
      select 1 from worker_heartbeats h
      where h.worker_id = j.locked_by and h.heartbeat_at > now() - ($1::int * interval '1 millisecond'))
)
select graphile_worker.force_unlock_workers(array(select id from dead)), (select count(*) from dead)::int as released`;

const retentionEveryMs = 10 * 60_000;

/** graphile-worker's log lines, without job payloads (they hold trigger payloads). */
function graphileLogger(log: ExecuteDeps['log']) {
  return new GraphileLogger(() => (level, message, meta) => {
    const { job: _job, jobs: _jobs, ...rest } = (meta ?? {}) as Record<string, unknown>;
    if (level === 'error') log.error({ meta: rest }, message);
    else if (level === 'warning') log.warn({ meta: rest }, message);
  });
}

export async function startWorker(deps: ExecuteDeps, pool: pg.Pool, opts: WorkerOptions): Promise<WorkerHandle> {
  const log = deps.log.child({ component: 'worker' });
  const workerIds = new Set<string>();
  // Worker ids with runs still executing here: they keep beating even after their pool went away.
  const busy = new Map<string, number>();
  const lane = opts.lane
    ? createLane({
        id: `bundles-lane-${randomUUID()}`,
        pool,
        concurrency: opts.concurrency,
        capacity: opts.concurrency * 4,
        log,
        execute: (r) => executeRun(deps, r.runId, r.fresh, r.jobId),
      })
    : null;
  if (lane) workerIds.add(lane.id);

  const ownIds = () => [...new Set([...workerIds, ...busy.keys()])];
  async function beat(): Promise<void> {
    const ids = ownIds();
    if (ids.length === 0) return;
    await pool
      .query(
        `insert into worker_heartbeats (worker_id, heartbeat_at) select unnest($1::text[]), now()
         on conflict (worker_id) do update set heartbeat_at = now()`,
        [ids],
      )
      .catch((err) => log.warn({ err: (err as Error).message }, 'heartbeat failed'));
  }

  const startRunner = () => {
    // Jobs are locked by a worker's id, or by the pool's id when the pool fetches a batch: both beat.
    const events = new EventEmitter() as WorkerEvents;
    events.on('pool:create', ({ workerPool }) => {
      workerIds.add(workerPool.id);
      void beat();
    });
    events.on('pool:release', ({ workerPool }) => workerIds.delete(workerPool.id));
    events.on('worker:create', ({ worker }) => {
      workerIds.add(worker.workerId);
      void beat();
    });
    events.on('worker:release', ({ worker }) => workerIds.delete(worker.workerId));
    return run({
      pgPool: pool,
      concurrency: opts.concurrency,
      noHandleSignals: true,
      pollInterval: 500,
      logger: graphileLogger(log),
      events,
      preset: {
        // Fetch jobs in batches and complete them in batches: fewer round trips and commits per run.
        worker: { localQueue: { size: opts.concurrency + 1 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 },
      },
      taskList: {
        run: async (payload, helpers) => {
          const { runId, fresh } = payload as RunJobPayload;
          const locker = helpers.job.locked_by ?? '';
          busy.set(locker, (busy.get(locker) ?? 0) + 1);
          try {
            // Only a first attempt may trust the payload: after a crash or an error, steps may exist.
            await executeRun(deps, runId, helpers.job.attempts === 1 ? fresh : undefined);
          } catch (err) {
            // Infrastructure errors (database down…): let the queue retry; on its last attempt record the failure.
            if (helpers.job.attempts >= helpers.job.max_attempts) {
              await pool.query(`update runs set status = 'failed', finished_at = now(), error = $2 where id = $1`, [
                runId,
                JSON.stringify({ code: 'internal_error', message: `gave up after ${helpers.job.attempts} attempts: ${(err as Error).message}` }),
              ]);
            }
            throw err;
          } finally {
            const left = (busy.get(locker) ?? 1) - 1;
            if (left > 0) busy.set(locker, left);
            else busy.delete(locker);
          }
        },
      },
    });
  };

  let lastRetention = 0;
  async function maintain(): Promise<void> {
    try {
      const { rows } = await pool.query(releaseDeadSql, [opts.staleMs, ownIds()]);
      if (rows[0]?.released) log.warn({ workers: rows[0].released }, 'released the jobs of workers that stopped');
      await lane?.releaseOrphans(opts.staleMs);
      const woken = await wakeForgottenRuns(pool);
      if (woken) log.warn({ conversations: woken }, 'woke runs that waited for a turn nobody passed');
      await pool.query(`delete from rate_limit_windows where "window" < extract(epoch from now())::bigint - 60`);
      // Retention reads whole tables (the delivery log is indexed by connection, not by time alone): not every sweep.
      if (Date.now() - lastRetention >= retentionEveryMs) {
        lastRetention = Date.now();
        await pool.query(`delete from worker_heartbeats where heartbeat_at < now() - interval '1 day'`);
        await pool.query(`delete from webhook_deliveries where received_at < now() - interval '14 days'`);
      }
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'maintenance failed');
    }
  }

  const supervisor: RunnerSupervisor = await superviseRunner({
    start: startRunner,
    log,
    giveUpMs: opts.giveUpMs ?? Infinity,
    onGiveUp: (err) => opts.onFatal?.(err),
  });
  await beat();
  await maintain();
  const beatTimer = setInterval(() => void beat(), opts.heartbeatMs);
  const sweepTimer = setInterval(() => void maintain(), Math.max(opts.heartbeatMs, Math.floor(opts.staleMs / 2)));
  beatTimer.unref();
  sweepTimer.unref();

  return {
    runner: () => supervisor.current(),
    lane,
    health: () => ({ runner: supervisor.health(), lane: lane ? lane.health() : 'ok' }),
    async stop() {
      await lane?.stop();
      clearInterval(beatTimer);
      clearInterval(sweepTimer);
      await supervisor.stop();
      const ids = ownIds();
      if (ids.length) await pool.query('delete from worker_heartbeats where worker_id = any($1::text[])', [ids]).catch(() => {});
    },
  };
}
