import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { connectDatabase, migrateDatabase, type Database } from '../db/index.js';
import { createTestDatabase } from '../testing.js';
import { connectionLedger } from './ledger.js';

let a: Database;
let b: Database;
let connectionId: string;
beforeAll(async () => {
  const url = await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'));
  a = connectDatabase(url, 10);
  b = connectDatabase(url, 10);
  await migrateDatabase(a);
  const { rows: [ws] } = await a.pool.query<{ id: string }>(`insert into workspaces (name) values ('Ledger shop') returning id`);
  const { rows: [conn] } = await a.pool.query<{ id: string }>(
    `insert into connections (workspace_id, provider, name, webhook_secret) values ($1, 'salesmanago', 'SM', 'whsec') returning id`,
    [ws!.id],
  );
  connectionId = conn!.id;
});
afterAll(async () => {
  await a?.close();
  await b?.close();
});

describe('the connection ledger in PostgreSQL', () => {
  it('gives a key to one claimant of many racing across pools; the others see it held, then done with its value', async () => {
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => connectionLedger((i % 2 ? a : b).pool, connectionId, `run-${i}:purchase`).claim('purchase:race-1')),
    );
    const winners = claims.map((c, i) => [c, i] as const).filter(([c]) => c.state === 'claimed');
    expect(winners).toHaveLength(1);
    expect(claims.filter((c) => c.state === 'held')).toHaveLength(19);
    const owner = `run-${winners[0]![1]}:purchase`;
    const mine = connectionLedger(a.pool, connectionId, owner);
    expect(await mine.claim('purchase:race-1')).toEqual({ state: 'claimed' });
    expect(await mine.get('purchase:race-1')).toBeNull();
    await mine.complete('purchase:race-1', { eventId: 'ev-1' });
    expect(await connectionLedger(b.pool, connectionId, 'export:x').claim('purchase:race-1')).toEqual({ state: 'done', value: { eventId: 'ev-1' } });
    expect(await mine.get('purchase:race-1')).toEqual({ value: { eventId: 'ev-1' } });
  });

  it('releases only its own unfinished claim, so the key can be claimed again; a completed key stays', async () => {
    const one = connectionLedger(a.pool, connectionId, 'run-a:p');
    const two = connectionLedger(b.pool, connectionId, 'run-b:p');
    expect(await one.claim('purchase:2')).toEqual({ state: 'claimed' });
    await two.release('purchase:2');
    expect(await two.claim('purchase:2')).toEqual({ state: 'held', owner: 'run-a:p' });
    await one.release('purchase:2');
    expect(await two.claim('purchase:2')).toEqual({ state: 'claimed' });
    await two.complete('purchase:2', { eventId: 'ev-2' });
    await two.release('purchase:2');
    expect(await one.claim('purchase:2')).toEqual({ state: 'done', value: { eventId: 'ev-2' } });
  });

  it('keeps keys per connection, refuses unbounded keys, and has none without a connection', async () => {
    const { rows: [other] } = await a.pool.query<{ id: string }>(
      `insert into connections (workspace_id, provider, name, webhook_secret) select workspace_id, 'salesmanago', 'SM 2', 'whsec2' from connections where id = $1 returning id`,
      [connectionId],
    );
    await connectionLedger(a.pool, connectionId, 'r:1').complete('purchase:3', { eventId: 'ev-3' });
    expect(await connectionLedger(a.pool, other!.id, 'r:1').claim('purchase:3')).toEqual({ state: 'claimed' });
    await expect(connectionLedger(a.pool, connectionId, 'r:1').claim('x'.repeat(501))).rejects.toThrow(/1 to 500/);
    await expect(connectionLedger(a.pool, null, 'r:1').claim('purchase:4')).rejects.toThrow(/no connection/);
  });
});
