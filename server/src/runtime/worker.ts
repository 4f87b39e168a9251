// The worker role: graphile-worker executes runs (its runner supervised: started again when it stops);
// heartbeats let a live worker release a dead one's jobs; maintenance sweeps run on a timer.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { run, Logger as GraphileLogger, type Runner, type WorkerEvents } from 'graphile-worker';
import type pg from 'pg';
import { executeRun, type ExecuteDeps } from './execute.js';
import { exportTask, runExport } from './exports.js';
import type { RunJobPayload } from './queue.js';
import { createLane, type Lane } from './lane.js';
import { superviseRunner, type RunnerSupervisor } from './runner-supervisor.js';
import { wakeForgottenRuns } from './conversations.js';
import { expireHistory } from './retention.js';
import { analyzeGrowingPartitions } from './partitions.js';

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

let rejectionsGuarded = false;
/**
 * graphile-worker 0.17's local queue can reject a promise nobody awaits when it fails to return jobs to the
 * database after its pool was released (a database outage): Node would end the process for it. Its jobs are
 * released by the dead-worker sweep and the supervisor starts a new runner, so that one is logged; any other
 * unhandled rejection still ends the process, as Node's default does.
 */
function guardGraphileRejections(log: ExecuteDeps['log']): void {
  if (rejectionsGuarded) return;
  rejectionsGuarded = true;
  process.on('unhandledRejection', (reason) => {
    if (reason instanceof Error && /graphile-worker/.test(reason.stack ?? '')) {
      log.warn({ err: reason.message }, 'graphile-worker failed after its runner stopped; the runner is started again');
      return;
    }
    throw reason;
  });
}

/** graphile-worker's log lines, without job payloads (they hold trigger payloads). */
function graphileLogger(log: ExecuteDeps['log']) {
  return new GraphileLogger(() => (level, message, meta) => {
    const { job: _job, jobs: _jobs, ...rest } = (meta ?? {}) as Record<string, unknown>;
    if (level === 'error') log.error({ meta: rest }, message);
    else if (level === 'warning') log.warn({ meta: rest }, message);
  });
}

/**
 * Runs the lane executes at once for each of the queue's: a run handed over by ingest is new (nothing to read
 * back) and waits on its calls and its batched write, not on a connection of its own, so it costs a place in
 * memory. With the queue's count alone the lane filled under load and new runs went to the queue, where each
 * costs a fetch, a completion and a wider job table to skip (pnpm bench: PostgreSQL 0.31 → 0.23 ms per SMS).
 */
const LANE_RUNS_PER_SLOT = 4;

export async function startWorker(deps: ExecuteDeps, pool: pg.Pool, opts: WorkerOptions): Promise<WorkerHandle> {
  const log = deps.log.child({ component: 'worker' });
  const workerIds = new Set<string>();
  // Worker ids with runs still executing here: they keep beating even after their pool went away.
  const busy = new Map<string, number>();
  // The jobs executing here now (a job the runner locked but does not execute is held, not worked on).
  const executing = new Set<string>();
  const laneId = `bundles-lane-${randomUUID()}`;
  const lane = opts.lane
    ? createLane({
        id: laneId,
        pool,
        concurrency: opts.concurrency * LANE_RUNS_PER_SLOT,
        capacity: opts.concurrency * LANE_RUNS_PER_SLOT * 4,
        log,
        execute: (r) => executeRun(deps, r.runId, r.fresh, r.jobId, { jobId: r.jobId, lockedBy: laneId }),
      })
    : null;
  if (lane) workerIds.add(lane.id);

  guardGraphileRejections(log);
  const ownIds = () => [...new Set([...workerIds, ...busy.keys()])];
  // A worker whose database stays away longer than giveUpMs cannot recover: it gives up (and exits non-zero).
  let lastBeat = Date.now();
  let gaveUp = false;
  async function beat(): Promise<void> {
    const ids = ownIds();
    try {
      if (ids.length > 0) {
        await pool.query(
          `insert into worker_heartbeats (worker_id, heartbeat_at) select unnest($1::text[]), now()
           on conflict (worker_id) do update set heartbeat_at = now()`,
          [ids],
        );
      } else await pool.query('select 1');
      lastBeat = Date.now();
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'heartbeat failed');
      if (!gaveUp && Date.now() - lastBeat >= (opts.giveUpMs ?? Infinity)) {
        gaveUp = true;
        opts.onFatal?.(new Error(`the database has not answered for ${Math.round((Date.now() - lastBeat) / 1000)} s: ${(err as Error).message}`));
      }
    }
  }

  /** Runs a job's work, counted as executing here (the watchdog and the heartbeat see it). */
  async function tracked(job: { id: string | number; locked_by: string | null }, work: () => Promise<void>): Promise<void> {
    const locker = job.locked_by ?? '';
    busy.set(locker, (busy.get(locker) ?? 0) + 1);
    executing.add(String(job.id));
    try {
      await work();
    } finally {
      executing.delete(String(job.id));
      const left = (busy.get(locker) ?? 1) - 1;
      if (left > 0) busy.set(locker, left);
      else busy.delete(locker);
    }
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
        run: (payload, helpers) =>
          tracked(helpers.job, async () => {
            const { runId, fresh } = payload as RunJobPayload;
            try {
              // Only a first attempt may trust the payload: after a crash or an error, steps may exist.
              const lease = helpers.job.locked_by ? { jobId: String(helpers.job.id), lockedBy: helpers.job.locked_by } : undefined;
              await executeRun(deps, runId, helpers.job.attempts === 1 ? fresh : undefined, undefined, lease);
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
          }),
        [exportTask]: (payload, helpers) =>
          tracked(helpers.job, () => runExport(deps, (payload as { exportId: string }).exportId, { number: helpers.job.attempts, max: helpers.job.max_attempts })),
      },
    });
  };

  // A runner that reports nothing wrong but takes no due job, or sits on jobs it locked without executing
  // them (graphile-worker can be left so by a database restart), is started again: with places free here,
  // a healthy runner fetches a due job within its poll interval and starts a fetched one at once.
  const stuckAfterMs = Math.max(15_000, opts.staleMs);
  async function checkRunnerTakesJobs(): Promise<void> {
    if (supervisor.upFor() < stuckAfterMs || executing.size >= opts.concurrency) return;
    const runnerIds = [...workerIds].filter((id) => id !== lane?.id);
    const { rows } = await pool.query(
      `select
         (select count(*) from graphile_worker._private_jobs
          where locked_at is null and attempts < max_attempts and run_at < now() - ($1::int * interval '1 millisecond'))::int as due,
         (select count(*) from graphile_worker._private_jobs
          where locked_by = any($2::text[]) and locked_at < now() - ($1::int * interval '1 millisecond') and not (id = any($3::bigint[])))::int as held`,
      [stuckAfterMs, runnerIds, [...executing]],
    );
    const { due, held } = rows[0] as { due: number; held: number };
    if (due === 0 && held === 0) return;
    // The old runner's ids stop beating (unless a run of theirs still executes): the sweep releases what they held.
    for (const id of runnerIds) if (!busy.has(id)) workerIds.delete(id);
    await supervisor.restart(`the job runner takes no jobs: ${due} due and ${held} held for over ${stuckAfterMs / 1000} s`);
  }

  let lastRetention = 0;
  async function maintain(): Promise<void> {
    try {
      await checkRunnerTakesJobs();
      const { rows } = await pool.query(releaseDeadSql, [opts.staleMs, ownIds()]);
      if (rows[0]?.released) log.warn({ workers: rows[0].released }, 'released the jobs of workers that stopped');
      await lane?.releaseOrphans(opts.staleMs);
      const woken = await wakeForgottenRuns(pool);
      if (woken) log.warn({ conversations: woken }, 'woke runs that waited for a turn nobody passed');
      await pool.query(`delete from rate_limit_windows where "window" < extract(epoch from now())::bigint - 60`);
      await analyzeGrowingPartitions(pool, log);
      // Retention reads whole tables (the delivery log is indexed by connection, not by time alone): not every sweep.
      if (Date.now() - lastRetention >= retentionEveryMs) {
        lastRetention = Date.now();
        await pool.query(`delete from worker_heartbeats where heartbeat_at < now() - interval '1 day'`);
        // Sign-in throttling windows (services/login-throttle.ts) last 15 minutes.
        await pool.query(`delete from login_throttle where window_start < now() - interval '1 day'`);
        await expireHistory(pool, log);
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
