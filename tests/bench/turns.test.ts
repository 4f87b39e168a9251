import { describe, expect, it } from 'vitest';
import { historyTurns, Turns, type Stage } from './turns.js';

/** A side that logs when each of its stages starts and ends; the log shows the turns as they were taken. */
function side(turns: Turns, name: string, stages: Stage[], log: string[], fail?: Stage) {
  return (async () => {
    try {
      for (const stage of stages) {
        await turns.at(name, stage);
        log.push(`${name} ${stage}`);
        if (stage === fail) throw new Error(`${name} failed in ${stage}`);
        // Other work of the event loop may run here; the other side must still wait.
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`${name} ${stage} end`);
      }
    } catch (err) {
      turns.fail(err as Error);
      throw err;
    } finally {
      turns.done(name);
    }
  })();
}

const run = (rounds: number): Stage[] => ['setup', 'load', ...Array.from({ length: rounds }, () => 'rate' as const), 'rest'];

describe('the turns of --history', () => {
  it('runs the two sides one stage at a time, in the agreed order, phase b alternating', async () => {
    const turns = new Turns(historyTurns('E', 'H', 2));
    const log: string[] = [];
    // The empty side asks first; the run with history still writes its history first.
    await Promise.all([side(turns, 'E', run(2), log), side(turns, 'H', run(2), log)]);
    const starts = log.filter((l) => !l.endsWith(' end'));
    expect(starts).toEqual(['H setup', 'E setup', 'E load', 'H load', 'E rate', 'H rate', 'E rate', 'H rate', 'E rest', 'H rest']);
    // Never two stages at once: each start follows the previous stage's end.
    for (let k = 1; k < log.length; k += 2) expect(log[k]).toBe(`${log[k - 1]} end`);
  });

  it('lets the other side go on when one is done early', async () => {
    const turns = new Turns(historyTurns('E', 'H', 3));
    const log: string[] = [];
    // E stops after its first round (as a run that ends does: done() in its finally).
    await Promise.all([side(turns, 'E', ['setup', 'load', 'rate'], log), side(turns, 'H', run(3), log)]);
    expect(log.filter((l) => l.startsWith('H') && !l.endsWith(' end'))).toEqual(['H setup', 'H load', 'H rate', 'H rate', 'H rate', 'H rest']);
  });

  it('wakes the waiting side with the error of the side that failed', async () => {
    const turns = new Turns(historyTurns('E', 'H', 1));
    const log: string[] = [];
    const results = await Promise.allSettled([side(turns, 'E', run(1), log, 'load'), side(turns, 'H', run(1), log)]);
    expect(results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'ok'))).toEqual(['E failed in load', 'E failed in load']);
    expect(log).toEqual(['H setup', 'H setup end', 'E setup', 'E setup end', 'E load']);
  });

  it('refuses a stage out of order', async () => {
    const turns = new Turns(historyTurns('E', 'H', 1));
    await expect(turns.at('H', 'rate')).rejects.toThrow('H asked for rate, but its next turn is setup');
  });
});
