// The lane on its own: places granted and given back, how many runs execute at once, stop(), and a
// run whose execution throws handed back to graphile-worker (its job row unlocked in a real database).
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { connectDatabase, type Database } from '../db/index.js';
import { createTestDatabase } from '../testing.js';
import { createLane, type LaneOptions, type LaneRun } from './lane.js';

let database: Database;
beforeAll(async () => {
  database = connectDatabase(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), 5);
  await database.pool.query(`insert into graphile_worker._private_tasks (identifier) values ('run') on conflict do nothing`);
});
afterAll(async () => {
  await database?.close();
});

const warnings: Array<{ obj: object; msg?: string }> = [];
const log = {
  debug() {},
  info() {},
  warn(obj: object, msg?: string) {
    warnings.push({ obj, ...(msg !== undefined ? { msg } : {}) });
  },
  error() {},
};

const tick = () => new Promise((r) => setTimeout(r, 10));

let seq = 0;
const laneId = () => `bundles-lane-test-${++seq}`;
const runOf = (i: number, jobId = String(1_000_000 + i)): LaneRun => ({ runId: `run-${i}`, jobId, fresh: { versionId: 'v', flowId: 'f', conversationKey: null, seq: i, journaled: null, payload: { i } } });

function lane(opts: Partial<LaneOptions> & Pick<LaneOptions, 'execute'>) {
  return createLane({ id: laneId(), pool: database.pool, concurrency: 2, capacity: 4, log, ...opts });
}

/** A lane of one place whose run always fails on the infrastructure, over `pool`. */
function failingLane(id: string, pool: pg.Pool, message = 'lost the connection') {
  return createLane({
    id,
    pool,
    concurrency: 1,
    capacity: 1,
    log,
    execute: async () => {
      throw new Error(message);
    },
  });
}

/** An execute() whose runs finish when the test says so. */
function gated() {
  const started: string[] = [];
  const gates = new Map<string, { resolve(): void; reject(err: Error): void }>();
  let active = 0;
  let maxActive = 0;
  const execute = (run: LaneRun) => {
    started.push(run.runId);
    active++;
    maxActive = Math.max(maxActive, active);
    return new Promise<void>((resolve, reject) => gates.set(run.runId, { resolve, reject })).finally(() => active--);
  };
  return {
    execute,
    started,
    finish: (runId: string) => gates.get(runId)!.resolve(),
    fail: (runId: string, err: Error) => gates.get(runId)!.reject(err),
    get active() {
      return active;
    },
    get maxActive() {
      return maxActive;
    },
  };
}

/** Whether `p` has settled after the pending timers and I/O of a short while. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await tick();
  return done;
}

async function insertJob(lockedBy: string | null): Promise<string> {
  const { rows } = await database.pool.query(
    `insert into graphile_worker._private_jobs (task_id, payload, max_attempts, locked_at, locked_by, attempts)
     select t.id, '{"runId":"x"}'::json, 25, case when $1::text is null then null else now() end, $1::text, 1
     from graphile_worker._private_tasks t where t.identifier = 'run'
     returning id::text as id`,
    [lockedBy],
  );
  return rows[0].id as string;
}

async function jobRow(id: string) {
  const { rows } = await database.pool.query(
    `select locked_by, locked_at, attempts, last_error, run_at > now() as later, run_at <= now() + interval '5 seconds' as soon
     from graphile_worker._private_jobs where id = $1`,
    [id],
  );
  return rows[0] as { locked_by: string | null; locked_at: Date | null; attempts: number; last_error: string | null; later: boolean; soon: boolean };
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await tick();
  }
}

describe('createLane: places', () => {
  it('never grants more places than its capacity, and grants them again once released', () => {
    const l = lane({ capacity: 3, execute: async () => {} });
    expect(l.reserve(2)).toBe(2);
    expect(l.reserve(5)).toBe(1);
    expect(l.reserve(1)).toBe(0);
    expect(l.reserve(0)).toBe(0);
    l.release(2);
    expect(l.reserve(5)).toBe(2);
    expect(l.reserve(1)).toBe(0);
    l.release(3);
    expect(l.reserve(3)).toBe(3);
  });

  it('gives a place back when a run it executed finishes', async () => {
    const g = gated();
    const l = lane({ capacity: 2, concurrency: 2, execute: g.execute });
    expect(l.reserve(2)).toBe(2);
    l.push(runOf(1));
    l.push(runOf(2));
    expect(l.reserve(1)).toBe(0);
    g.finish('run-1');
    await until('the place of run-1 to come back', () => l.reserve(1) === 1);
    expect(l.reserve(1)).toBe(0);
    g.finish('run-2');
    await until('the place of run-2 to come back', () => l.reserve(1) === 1);
  });

  it('grants nothing once stopping, and its stop() waits for places granted but not yet used or released', async () => {
    const l = lane({ capacity: 4, execute: async () => {} });
    expect(l.reserve(2)).toBe(2);
    const stopped = l.stop();
    expect(l.reserve(1)).toBe(0);
    expect(await settled(stopped)).toBe(false);
    l.release(2);
    expect(await settled(stopped)).toBe(true);
    expect(l.reserve(1)).toBe(0);
  });

  it('stops at once when idle', async () => {
    const l = lane({ execute: async () => {} });
    expect(await settled(l.stop())).toBe(true);
    expect(l.reserve(1)).toBe(0);
  });
});

describe('createLane: execution', () => {
  it('executes at most `concurrency` runs at once, each run once and in the order handed over', async () => {
    const g = gated();
    const l = lane({ concurrency: 2, capacity: 6, execute: g.execute });
    expect(l.reserve(6)).toBe(6);
    for (let i = 1; i <= 6; i++) l.push(runOf(i));
    expect(g.started).toEqual(['run-1', 'run-2']);
    g.finish('run-2');
    await until('run-3 to start', () => g.started.length === 3);
    expect(g.started).toEqual(['run-1', 'run-2', 'run-3']);
    expect(g.active).toBe(2);
    g.finish('run-1');
    g.finish('run-3');
    await until('run-5 to start', () => g.started.length === 5);
    expect(g.active).toBe(2);
    g.finish('run-4');
    g.finish('run-5');
    await until('run-6 to start', () => g.started.length === 6);
    g.finish('run-6');
    await l.stop();
    expect(g.started).toEqual(['run-1', 'run-2', 'run-3', 'run-4', 'run-5', 'run-6']);
    expect(g.maxActive).toBe(2);
    expect(g.active).toBe(0);
  });

  it('hands the run over as pushed', async () => {
    const seen: LaneRun[] = [];
    const l = lane({ execute: async (r) => void seen.push(r) });
    l.reserve(1);
    const run = runOf(7);
    l.push(run);
    await l.stop();
    expect(seen).toEqual([run]);
  });

  it('stop() resolves only after every run handed over has finished, the waiting ones included', async () => {
    const g = gated();
    const l = lane({ concurrency: 1, capacity: 4, execute: g.execute });
    expect(l.reserve(3)).toBe(3);
    l.push(runOf(1));
    l.push(runOf(2));
    const stopped = l.stop();
    expect(await settled(stopped)).toBe(false);
    // A place granted before stop() may still be used: its run is executed too.
    l.push(runOf(3));
    g.finish('run-1');
    await until('run-2 to start', () => g.started.length === 2);
    expect(await settled(stopped)).toBe(false);
    g.finish('run-2');
    await until('run-3 to start', () => g.started.length === 3);
    expect(await settled(stopped)).toBe(false);
    g.finish('run-3');
    await stopped;
    expect(g.started).toEqual(['run-1', 'run-2', 'run-3']);
    expect(g.active).toBe(0);
  });
});

describe('createLane: a run whose execution throws', () => {
  it('unlocks its job for graphile-worker to retry, with the error, and gives the place back', async () => {
    const id = laneId();
    const jobId = await insertJob(id);
    const other = await insertJob(id);
    const g = gated();
    const l = createLane({ id, pool: database.pool, concurrency: 1, capacity: 1, log, execute: g.execute });
    expect(l.reserve(1)).toBe(1);
    l.push(runOf(1, jobId));
    g.fail('run-1', new Error('connection terminated unexpectedly'));
    const row = await until('the job to be unlocked', async () => {
      const r = await jobRow(jobId);
      return r.locked_by === null ? r : null;
    });
    expect(row).toMatchObject({ locked_by: null, locked_at: null, attempts: 1, last_error: 'connection terminated unexpectedly', later: true, soon: true });
    // Only that job: another one locked by the lane stays locked.
    expect((await jobRow(other)).locked_by).toBe(id);
    await until('the place to come back', () => l.reserve(1) === 1);
    l.release(1);
    await l.stop();
    expect(warnings.some((w) => (w.obj as { runId?: string }).runId === 'run-1')).toBe(true);
  });

  it('leaves the job alone when another worker holds it by then (released as stale and taken)', async () => {
    const id = laneId();
    const jobId = await insertJob('worker-someone-else');
    const l = failingLane(id, database.pool, 'boom');
    l.reserve(1);
    l.push(runOf(1, jobId));
    await l.stop();
    expect(await jobRow(jobId)).toMatchObject({ locked_by: 'worker-someone-else', last_error: null });
  });

  it('keeps trying to unlock the job while the database refuses (more often than it would once stopping)', async () => {
    const id = laneId();
    const jobId = await insertJob(id);
    let refusals = 4;
    const flaky = {
      query: (...args: unknown[]) => {
        if (refusals > 0) {
          refusals--;
          return Promise.reject(new Error('the database is restarting'));
        }
        return (database.pool.query as (...a: unknown[]) => Promise<unknown>)(...args);
      },
    } as unknown as pg.Pool;
    const l = failingLane(id, flaky);
    l.reserve(1);
    l.push(runOf(1, jobId));
    // Backoff 250 ms, 500 ms, 1 s, 2 s between the refusals.
    await until('the job to be unlocked', async () => (await jobRow(jobId)).locked_by === null, 15_000);
    expect(refusals).toBe(0);
    expect(await jobRow(jobId)).toMatchObject({ locked_by: null, last_error: 'lost the connection' });
    await l.stop();
  });

  it('gives up unlocking after a few tries once stopping (the stale heartbeat releases the job), so stop() still resolves', async () => {
    const id = laneId();
    const jobId = await insertJob(id);
    let tries = 0;
    const down = {
      query: () => {
        tries++;
        return Promise.reject(new Error('the database is gone'));
      },
    } as unknown as pg.Pool;
    const l = failingLane(id, down);
    l.reserve(1);
    l.push(runOf(1, jobId));
    await l.stop();
    expect(tries).toBe(4);
    expect((await jobRow(jobId)).locked_by).toBe(id);
  });
});

describe('createLane: jobs locked by the lane but never handed over', () => {
  it('returns them to the queue once older than the limit, and leaves the runs it holds and fresh locks alone', async () => {
    const g = gated();
    const l = lane({ execute: g.execute });
    const orphan = await insertJob(l.id);
    const held = await insertJob(l.id);
    const fresh = await insertJob(l.id);
    await database.pool.query(`update graphile_worker._private_jobs set locked_at = now() - interval '1 minute' where id = any($1::bigint[])`, [[orphan, held]]);
    expect(l.reserve(1)).toBe(1);
    l.push(runOf(1, held));

    expect(await l.releaseOrphans(30_000)).toBe(1);
    expect((await jobRow(orphan)).locked_by).toBeNull();
    expect((await jobRow(held)).locked_by).toBe(l.id);
    expect((await jobRow(fresh)).locked_by).toBe(l.id);

    g.finish('run-1');
    await l.stop();
  });
});
