// The worker role: graphile-worker executes runs; heartbeats let a live worker release a dead one's jobs.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { run, Logger as GraphileLogger, type Runner, type WorkerEvents } from 'graphile-worker';
import type pg from 'pg';
import { executeRun, type ExecuteDeps } from './execute.js';
import type { RunJobPayload } from './queue.js';
import { createLane, type Lane } from './lane.js';

export interface WorkerOptions {
  concurrency: number;
  staleMs: number;
  heartbeatMs: number;
  /** This process also receives webhooks: execute their new runs in a lane, straight from ingest. */
  lane?: boolean;
}

export interface WorkerHandle {
  runner: Runner;
  lane: Lane | null;
  stop(): Promise<void>;
}

const releaseDeadSql = `
with dead as (
  select distinct j.locked_by as id
  from graphile_worker._private_jobs j
  where j.locked_by is not null and j.locked_at < now() - ($1::int * interval '1 millisecond')
    and not exists (
      select 1 from worker_heartbeats h
      where h.worker_id = j.locked_by and h.heartbeat_at > now() - ($1::int * interval '1 millisecond'))
)
select graphile_worker.force_unlock_workers(array(select id from dead)), (select count(*) from dead)::int as released`;

const retentionEveryMs = 10 * 60_000;

export async function startWorker(deps: ExecuteDeps, pool: pg.Pool, opts: WorkerOptions): Promise<WorkerHandle> {
  const log = deps.log.child({ component: 'worker' });
  const workerIds = new Set<string>();
  const logger = new GraphileLogger(() => (level, message, meta) => {
    if (level === 'error') log.error({ meta }, message);
    else if (level === 'warning') log.warn({ meta }, message);
  });
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
  const lane = opts.lane
    ? createLane({
        id: `bundles-lane-${randomUUID()}`,
        pool,
        concurrency: opts.concurrency,
        capacity: opts.concurrency * 4,
        log,
        execute: (r) => executeRun(deps, r.runId, { versionId: r.versionId, payload: r.payload }, r.jobId),
      })
    : null;
  if (lane) workerIds.add(lane.id);
  const runner = await run({
    pgPool: pool,
    concurrency: opts.concurrency,
    noHandleSignals: true,
    pollInterval: 500,
    logger,
    events,
    preset: {
      worker: {
        // Fetch jobs in batches and complete them in batches: fewer round trips and commits per run.
        localQueue: { size: opts.concurrency + 1 },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
      },
    },
    taskList: {
      run: async (payload, helpers) => {
        const { runId, fresh } = payload as RunJobPayload;
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
        }
      },
    },
  });
  async function beat(): Promise<void> {
    if (workerIds.size === 0) return;
    await pool
      .query(
        `insert into worker_heartbeats (worker_id, heartbeat_at) select unnest($1::text[]), now()
         on conflict (worker_id) do update set heartbeat_at = now()`,
        [[...workerIds]],
      )
      .catch((err) => log.warn({ err: (err as Error).message }, 'heartbeat failed'));
  }

  let lastRetention = 0;
  async function releaseDead(): Promise<void> {
    try {
      const { rows } = await pool.query(releaseDeadSql, [opts.staleMs]);
      if (rows[0]?.released) log.warn({ workers: rows[0].released }, 'released the jobs of workers that stopped');
      await lane?.releaseOrphans(opts.staleMs);
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

  await beat();
  await releaseDead();
  const beatTimer = setInterval(() => void beat(), opts.heartbeatMs);
  const sweepTimer = setInterval(() => void releaseDead(), Math.max(opts.heartbeatMs, Math.floor(opts.staleMs / 2)));
  beatTimer.unref();
  sweepTimer.unref();

  return {
    runner,
    lane,
    async stop() {
      await lane?.stop();
      clearInterval(beatTimer);
      clearInterval(sweepTimer);
      await runner.stop();
      if (workerIds.size) await pool.query('delete from worker_heartbeats where worker_id = any($1::text[])', [[...workerIds]]).catch(() => {});
    },
  };
}
