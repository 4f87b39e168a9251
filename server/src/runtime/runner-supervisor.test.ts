import type { Runner } from 'graphile-worker';
import { describe, expect, it } from 'vitest';
import { superviseRunner } from './runner-supervisor.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A runner whose end the test decides: `end()` settles its promise as graphile-worker's does when its pool stops. */
function fakeRunner(opts: { stopHangs?: boolean } = {}) {
  let end!: (err?: Error) => void;
  const promise = new Promise<void>((resolve, reject) => (end = (err) => (err ? reject(err) : resolve())));
  // Marks the rejection as handled for Node; the supervisor under test attaches its own handlers and is what the tests observe.
  promise.catch(() => {});
  const state = { stopped: false, killed: false };
  const runner = {
    promise,
    stop: async () => {
      state.stopped = true;
      if (opts.stopHangs) return new Promise<void>(() => {});
      end();
    },
    kill: async () => {
      state.killed = true;
      end();
    },
  } as unknown as Runner;
  return { runner, end, state };
}

const until = async (what: string, probe: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('the job runner supervisor', () => {
  it('starts a runner that stopped again, and says so while it is down', async () => {
    const runners = [fakeRunner(), fakeRunner()];
    let starts = 0;
    const fails: Error[] = [new Error('connect ECONNREFUSED 127.0.0.1:5432')];
    const supervisor = await superviseRunner({
      log: quiet,
      giveUpMs: Infinity,
      onGiveUp: () => {
        throw new Error('must not give up');
      },
      minDelayMs: 20,
      start: async () => {
        starts++;
        if (starts === 2 && fails.length) throw fails.shift();
        return runners[starts === 1 ? 0 : 1]!.runner;
      },
    });
    expect(supervisor.health()).toBe('ok');
    runners[0]!.end(new Error('Could not completeJobs; queue is in an inconsistent state'));
    await until('the supervisor to notice', () => supervisor.health() !== 'ok');
    expect(supervisor.health()).toMatch(/^restarting \(attempt \d\): /);
    // The first restart fails (the database is still away), the next one comes back.
    await until('the runner to be running again', () => supervisor.current() === runners[1]!.runner);
    expect(starts).toBe(3);
    expect(supervisor.health()).toBe('ok');
    await supervisor.stop();
    expect(runners[1]!.state.stopped).toBe(true);
  });

  it('gives up when the runner stays down longer than allowed', async () => {
    const first = fakeRunner();
    let starts = 0;
    let gaveUp: Error | null = null;
    await superviseRunner({
      log: quiet,
      giveUpMs: 100,
      minDelayMs: 20,
      maxDelayMs: 40,
      onGiveUp: (err) => (gaveUp = err),
      start: async () => {
        if (starts++ === 0) return first.runner;
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
    });
    first.end();
    await until('it to give up', () => gaveUp !== null);
    expect(gaveUp!.message).toContain('ECONNREFUSED');
  });

  it('restart() replaces a runner that does not stop by itself, killing it when stopping hangs', async () => {
    const stuck = fakeRunner({ stopHangs: true });
    const fresh = fakeRunner();
    let starts = 0;
    const supervisor = await superviseRunner({ log: quiet, giveUpMs: Infinity, onGiveUp: () => {}, start: async () => (starts++ === 0 ? stuck.runner : fresh.runner) });
    await supervisor.restart('3 job(s) due and not taken');
    expect(stuck.state).toEqual({ stopped: true, killed: true });
    expect(supervisor.current()).toBe(fresh.runner);
    expect(supervisor.health()).toBe('ok');
    await supervisor.stop();
  }, 15_000);
});
