import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.js';

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
});
