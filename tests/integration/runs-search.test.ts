// GET /api/runs: the runs of one order (by a value of the trigger's data, runs.search_key), of a trigger
// connection, of a time range, and cursor paging with nextCursor.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '@bundles/server/testing';
import { startSink, type Sink } from '../support/sink.js';
import { waitFor } from '../support/wait.js';
import { createConnection, postJson, startChainFlow } from '../support/providers.js';

let b: TestBundles;
let sink: Sink;
let flowId: string;
let connectionId: string;
const orders = ['5001', '5002', '5003', '5004', '5005'];

beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
  sink = await startSink();
  const conn = await createConnection(b, 'webhook', 'Shop hook', {});
  connectionId = conn.id;
  flowId = await startChainFlow(b, 'Forward', [
    { id: 'trigger', type: 'core.webhook', connectionId: conn.id, config: {} },
    { id: 'post', type: 'core.http_request', config: { method: 'POST', url: `${sink.url}/in`, body: { order: '{{ trigger.body.order }}' } } },
  ]);
  // The idempotency key is what the webhook's events are about: the order id here.
  for (const order of orders) {
    expect((await postJson(conn.webhookUrl!, { order }, { 'idempotency-key': order })).status).toBe(200);
  }
  await waitFor('every run done', async () => {
    const runs = (await b.api('GET', `/api/runs?flowId=${flowId}`)).body.items as Array<{ status: string }>;
    return runs.length === orders.length && runs.every((r) => r.status === 'succeeded');
  });
});
afterAll(async () => {
  await b?.close();
  await sink?.close();
});

describe('finding runs', () => {
  it('finds the run of one order by its id, and none for an order never seen', async () => {
    const found = await b.api('GET', '/api/runs?q=5003');
    expect(found.status).toBe(200);
    expect(found.body.items).toHaveLength(1);
    expect(found.body.nextCursor).toBeNull();
    const detail = await b.api('GET', `/api/runs/${found.body.items[0].id}`);
    expect(detail.body.trigger.body).toEqual({ order: '5003' });
    expect((await b.api('GET', '/api/runs?q=9999')).body).toEqual({ items: [], nextCursor: null });
    expect((await b.api('GET', `/api/runs?q=${'9'.repeat(201)}`)).status).toBe(400);
  });

  it('pages through every run newest first, each once, following nextCursor until it is null', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null && pages < 10) {
      const res = await b.api('GET', `/api/runs?flowId=${flowId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...(res.body.items as Array<{ id: string }>).map((r) => r.id));
      cursor = res.body.nextCursor;
      pages++;
    }
    expect(pages).toBe(3);
    const all = ((await b.api('GET', `/api/runs?flowId=${flowId}`)).body.items as Array<{ id: string }>).map((r) => r.id);
    expect(seen).toEqual(all);
    expect(new Set(seen).size).toBe(orders.length);
    const orderOf = async (id: string) => (await b.api('GET', `/api/runs/${id}`)).body.trigger.body.order as string;
    expect(await orderOf(seen[0]!)).toBe('5005');
    expect(await orderOf(seen.at(-1)!)).toBe('5001');
    expect((await b.api('GET', '/api/runs?cursor=not-a-run')).body).toEqual({ items: [], nextCursor: null });
  });

  it('filters by trigger connection and by time range', async () => {
    expect((await b.api('GET', `/api/runs?connectionId=${connectionId}`)).body.items).toHaveLength(orders.length);
    const other = await createConnection(b, 'webhook', 'Another hook', {});
    expect((await b.api('GET', `/api/runs?connectionId=${other.id}`)).body).toEqual({ items: [], nextCursor: null });
    const all = (await b.api('GET', `/api/runs?flowId=${flowId}`)).body.items as Array<{ id: string; createdAt: string }>;
    const shifted = (iso: string, minutes: number) => encodeURIComponent(new Date(Date.parse(iso) + minutes * 60_000).toISOString());
    const ids = async (query: string) => (await b.api('GET', `/api/runs?flowId=${flowId}&${query}`)).body.items.map((r: { id: string }) => r.id);
    const oldest = all.at(-1)!.createdAt;
    const newest = all[0]!.createdAt;
    expect(await ids(`to=${shifted(oldest, -60)}`)).toEqual([]);
    expect(await ids(`from=${shifted(newest, 60)}`)).toEqual([]);
    expect(await ids(`from=${shifted(oldest, -1)}&to=${shifted(newest, 1)}`)).toEqual(all.map((r) => r.id));
    const bad = await b.api('GET', '/api/runs?from=yesterday');
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.issues[0].field).toBe('from');
  });
});
