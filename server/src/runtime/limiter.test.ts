import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { connectDatabase, migrateDatabase, type Database } from '../db/index.js';
import { createTestDatabase } from '../testing.js';
import { createPgRateLimiter } from './limiter.js';

let a: Database;
let b: Database;
beforeAll(async () => {
  const url = await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'));
  a = connectDatabase(url, 5);
  b = connectDatabase(url, 5);
  await migrateDatabase(a);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

describe('the PostgreSQL rate limiter', () => {
  it('allows at most N requests per second per key across pools (processes)', async () => {
    const limiters = [createPgRateLimiter(a.pool), createPgRateLimiter(b.pool)];
    const times: number[] = [];
    // Start just after a second boundary so the first window is a whole one.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 25 }, async (_, i) => {
        await limiters[i % 2]!.acquire('retailcrm:test-key', 10);
        times.push(Date.now());
      }),
    );
    const perSecond = new Map<number, number>();
    for (const t of times) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(10);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    // Another key is not slowed by this one.
    const t0 = Date.now();
    await limiters[0]!.acquire('retailcrm:other-key', 10);
    expect(Date.now() - t0).toBeLessThan(500);
  });
});
