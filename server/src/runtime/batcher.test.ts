import { describe, expect, it } from 'vitest';
import { createBatcher, type Turn } from './batcher.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('createBatcher', () => {
  it('sends an item at once when idle, and groups the items that arrive while statements are in flight', async () => {
    const batches: number[][] = [];
    const gates: Array<() => void> = [];
    const b = createBatcher<number, string>(
      async (items) => {
        batches.push(items);
        await new Promise<void>((r) => gates.push(r));
        return items.map((i) => `r${i}`);
      },
      { maxInFlight: 1, maxBatch: 3 },
    );
    const first = b.submit(1);
    const rest = [2, 3, 4, 5, 6].map((i) => b.submit(i));
    expect(batches).toEqual([[1]]);
    gates.shift()!();
    expect(await first).toBe('r1');
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    gates.shift()!();
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6]]);
    gates.shift()!();
    expect(await Promise.all(rest)).toEqual(['r2', 'r3', 'r4', 'r5', 'r6']);
    await b.drain();
  });

  it('keeps items that do not fit for a later batch', async () => {
    const batches: string[][] = [];
    const b = createBatcher<string, string>(
      async (items) => {
        batches.push(items);
        await tick();
        return items;
      },
      { maxInFlight: 1, maxBatch: 10, fits: (batch, item) => !batch.includes(item) },
    );
    await Promise.all(['x', 'a', 'a', 'b', 'a'].map((i) => b.submit(i)));
    expect(batches).toEqual([['x'], ['a', 'b'], ['a'], ['a']]);
  });

  it('retries a failed batch item by item, so only the bad item fails', async () => {
    const batches: number[][] = [];
    const b = createBatcher<number, number>(
      async (items) => {
        batches.push(items);
        await tick();
        if (items.includes(13)) throw new Error('bad item');
        return items.map((i) => i * 2);
      },
      { maxInFlight: 1, maxBatch: 10 },
    );
    const results = await Promise.allSettled([1, 2, 13, 4].map((i) => b.submit(i)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([2, 4, 'bad item', 8]);
    expect(batches).toEqual([[1], [2, 13, 4], [2], [13], [4]]);
    await b.drain();
  });

  it('forms a batch when its turn comes, so that the items arriving while it waits for the turn join it', async () => {
    const batches: Array<{ items: number[]; on: string }> = [];
    const turns: Array<(t: Turn<string>) => void> = [];
    const given: string[] = [];
    let n = 0;
    const b = createBatcher<number, number, string>(
      async (items, on) => {
        batches.push({ items, on });
        return items;
      },
      {
        maxInFlight: 1,
        maxBatch: 10,
        turn: () => new Promise((resolve) => turns.push(resolve)),
      },
    );
    const first = [1, 2].map((i) => b.submit(i));
    // The slot asked for its turn at once, and nothing can run before the turn is given.
    expect(turns).toHaveLength(1);
    expect(batches).toEqual([]);
    const late = [3, 4].map((i) => b.submit(i));
    const turn = (on: string) => turns.shift()!({ on, done: (err) => given.push(`${on}${err ? ' failed' : ''}`) });
    turn(`c${++n}`);
    expect(await Promise.all([...first, ...late])).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([{ items: [1, 2, 3, 4], on: 'c1' }]);
    expect(given).toEqual(['c1']);
    await b.drain();
  });

  it('gives a failed statement\'s turn back with its error, and takes a new turn for each item it retries alone', async () => {
    const given: string[] = [];
    let n = 0;
    const b = createBatcher<number, number, string>(
      async (items) => {
        await tick();
        if (items.includes(13)) throw new Error('bad item');
        return items;
      },
      {
        maxInFlight: 1,
        maxBatch: 10,
        turn: async () => {
          const on = `c${++n}`;
          return { on, done: (err) => given.push(`${on}${err ? ' failed' : ''}`) };
        },
      },
    );
    const results = await Promise.allSettled([13, 5].map((i) => b.submit(i)));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['bad item', 5]);
    expect(given).toEqual(['c1 failed', 'c2 failed', 'c3']);
    await b.drain();
  });

  it('answers the waiting items with the error when no turn can be had, and tries again for later items', async () => {
    let refuse = true;
    const b = createBatcher<number, number, string>(async (items) => items, {
      maxInFlight: 1,
      maxBatch: 10,
      turn: async () => {
        if (refuse) throw new Error('connection refused');
        return { on: 'c', done: () => {} };
      },
    });
    const refused = await Promise.allSettled([1, 2].map((i) => b.submit(i)));
    expect(refused.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : r.value))).toEqual(['connection refused', 'connection refused']);
    refuse = false;
    expect(await b.submit(3)).toBe(3);
    await b.drain();
  });
});
