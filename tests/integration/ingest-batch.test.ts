// Webhooks arriving together share one ingest statement (group commit); deliveries of one event key
// never share one, so the second is counted as a duplicate. In a process that also executes (role
// `all`), new runs go straight to its lane: their jobs are inserted locked by it and deleted by the
// run's last write; when the lane is full, the rest go through the queue.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ingestStatementsInFlight, type TestBundles } from '@bundles/server/testing';
import { twilioInboundSms, twilioWebhook } from '../fakes/twilio.js';
import {
  createConnection,
  listRuns,
  startChainFlow,
  startProviderBundles,
  waitForFinishedRuns,
  type ApiDelivery,
  type ApiEvent,
  type ApiMessage,
} from '../support/providers.js';
import { waitFor } from '../support/wait.js';

let b: TestBundles;
let orders: OrderSink;

/** Records the orders posted to it; an order put on hold gets no answer until it is let go. */
interface OrderSink {
  url: string;
  received: string[];
  hold(order: string): void;
  letGo(order: string): void;
  close(): Promise<void>;
}

async function startOrderSink(): Promise<OrderSink> {
  const received: string[] = [];
  const held = new Map<string, http.ServerResponse | null>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { order } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { order: string };
      received.push(order);
      if (held.has(order)) held.set(order, res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    hold: (order) => void held.set(order, null),
    letGo(order) {
      const res = held.get(order);
      held.delete(order);
      res?.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** What the ingest statements of the test carried, seen through the writers' pool. */
interface IngestCall {
  deliveries: number;
  keys: string[];
  failed: string | null;
  jobs: Array<{ runId: string; lane: boolean }>;
}

/**
 * Watches the ingest statements (on the writers' connections). While `held`, they wait before going to the database:
 * the deliveries posted meanwhile queue up in the writer and go together once let go.
 */
function watchIngest(bundles: TestBundles) {
  const pool = bundles.database.writes;
  const originalConnect = pool.connect;
  const watched: pg.PoolClient[] = [];
  const calls: IngestCall[] = [];
  let release!: () => void;
  let gate: Promise<void> | null = new Promise<void>((r) => (release = r));
  const watch = (client: pg.PoolClient): pg.PoolClient => {
    if (Object.hasOwn(client, 'query')) return client;
    const original = client.query;
    watched.push(client);
    client.query = function (this: unknown, ...args: unknown[]) {
      const q = args[0] as { name?: string; values?: unknown[] } | string;
      if (typeof q !== 'object' || q === null || q.name !== 'ingest') return (original as (...a: unknown[]) => unknown).apply(client, args);
      const call: IngestCall = {
        deliveries: (JSON.parse(q.values![0] as string) as unknown[]).length,
        keys: (JSON.parse(q.values![1] as string) as Array<{ req: number; dedupe_key: string }>).map((e) => e.dedupe_key),
        failed: null,
        jobs: [],
      };
      calls.push(call);
      const send = () => (original as (...a: unknown[]) => Promise<{ rows: Array<{ jobs: Array<{ runId: string; lane: boolean }> }> }>).apply(client, args);
      return (gate ?? Promise.resolve()).then(send).then(
        (result) => {
          call.jobs = result.rows.flatMap((r) => r.jobs);
          return result;
        },
        (err: Error) => {
          call.failed = err.message;
          throw err;
        },
      );
    } as typeof client.query;
    return client;
  };
  // The writers take a connection of the pool for each statement (a promise, no callback).
  pool.connect = function (this: unknown, ...args: unknown[]) {
    if (args.length) return (originalConnect as (...a: unknown[]) => unknown).apply(pool, args);
    return (originalConnect as () => Promise<pg.PoolClient>).call(pool).then(watch);
  } as typeof pool.connect;
  const letGo = () => {
    gate = null;
    release();
  };
  return {
    calls,
    letGo,
    restore() {
      letGo();
      pool.connect = originalConnect;
      for (const c of watched) delete (c as Partial<pg.PoolClient>).query;
    },
  };
}

/** Counts the deliveries that reached the writer's doorstep (subscriptions are looked up just before). */
function countArrivals(bundles: TestBundles) {
  const subs = bundles.runtime.subscriptions;
  const original = subs.forConnection;
  let count = 0;
  subs.forConnection = function (connectionId: string) {
    count++;
    return original.call(subs, connectionId);
  };
  return {
    get count() {
      return count;
    },
    restore: () => void (subs.forConnection = original),
  };
}

let cleanups: Array<() => void> = [];
beforeAll(async () => {
  // One run at once from the queue: the lane's 16 places are fewer than the 25 runs of a burst, so some go to the queue.
  b = await startProviderBundles({ workerConcurrency: 1 });
  orders = await startOrderSink();
});
afterEach(() => {
  for (const c of cleanups) c();
  cleanups = [];
});
afterAll(async () => {
  await b?.close();
  await orders?.close();
});

async function orderFlow(name: string) {
  const conn = await createConnection(b, 'webhook', name, {});
  const flowId = await startChainFlow(b, name, [
    { id: 'trigger', type: 'core.webhook', connectionId: conn.id, config: {} },
    { id: 'post', type: 'core.http_request', config: { url: `${orders.url}/orders`, body: { order: '{{ trigger.body.order }}' } } },
  ]);
  return { conn, flowId };
}

const post = (url: string, order: string, key: string) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify({ order }) });

// workerConcurrency 1 (beforeAll); worker.ts lets the lane execute 4 runs per place of the queue and hold 4 times that.
const laneCapacity = () => 1 * 4 * 4;

describe('ingest in batches', () => {
  it('40 webhooks at once, some keys sent twice or three times: one event and one run per key, duplicates counted, each delivery logged', async () => {
    const { conn, flowId } = await orderFlow('Batch orders');
    // 25 keys: k0..k4 three times, k5..k9 twice, k10..k24 once: 15 + 10 + 15 = 40 requests.
    const sends: string[] = [];
    for (let i = 0; i < 25; i++) sends.push(`k${i}`);
    for (let i = 0; i < 10; i++) sends.push(`k${i}`); // k0..k9 twice so far
    for (let i = 0; i < 5; i++) sends.push(`k${i}`); // k0..k4 three times
    expect(sends).toHaveLength(40);
    const timesSent = (k: string) => sends.filter((s) => s === k).length;
    const keys = [...new Set(sends)];

    const ingest = watchIngest(b);
    const arrivals = countArrivals(b);
    cleanups.push(ingest.restore, arrivals.restore);
    // The copies of one key next to each other, so that they arrive close together.
    const order = [...sends].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1)));
    const answers = order.map((k) => post(conn.webhookUrl!, `order-${k}`, k));
    // Every delivery waits at the writer, then they go in as few statements as the key rule allows.
    await waitFor('all 40 deliveries to reach the writer', async () => arrivals.count >= 40, 20_000);
    await new Promise((r) => setTimeout(r, 100));
    ingest.letGo();
    const responses = await Promise.all(answers);
    for (const res of responses) expect(res.status).toBe(200);

    // Batched: fewer statements than deliveries, none holding one key twice, every delivery stored once.
    // (Two batches in flight that share keys may deadlock; the batcher then sends their deliveries alone.
    // Nothing else may fail.)
    const calls = ingest.calls;
    const stored = calls.filter((c) => c.failed === null);
    expect(calls.filter((c) => c.failed !== null && !/deadlock detected/i.test(c.failed))).toEqual([]);
    expect(stored.reduce((n, c) => n + c.deliveries, 0)).toBe(40);
    expect(stored.length).toBeLessThan(40);
    expect(Math.max(...stored.map((c) => c.deliveries))).toBeGreaterThan(1);
    for (const c of calls) expect(new Set(c.keys).size, JSON.stringify(c.keys)).toBe(c.keys.length);

    // One event per key, duplicates counted on it.
    const received = (await b.api('GET', `/api/events?connectionId=${conn.id}&limit=500`)).body as ApiEvent[];
    expect(received.map((e) => e.dedupeKey).sort()).toEqual(keys.map((k) => `idem:${k}`).sort());
    for (const e of received) expect(e.duplicates, e.dedupeKey).toBe(timesSent(e.dedupeKey.slice('idem:'.length)) - 1);

    // One delivery row per request: one accepted per key, the rest duplicates of the same event.
    const log = (await b.api('GET', `/api/connections/${conn.id}/deliveries?limit=500`)).body as ApiDelivery[];
    expect(log).toHaveLength(40);
    expect(log.filter((d) => d.outcome === 'accepted')).toHaveLength(keys.length);
    expect(log.filter((d) => d.outcome === 'duplicate')).toHaveLength(40 - keys.length);
    const eventByKey = new Map(received.map((e) => [e.dedupeKey, e.id]));
    for (const k of keys) {
      const id = eventByKey.get(`idem:${k}`)!;
      const mine = log.filter((d) => d.eventIds.includes(id));
      expect(mine.map((d) => d.outcome).sort(), k).toEqual(['accepted', ...Array(timesSent(k) - 1).fill('duplicate')]);
    }

    // One run per key, each succeeded, each order posted once.
    const runs = await waitForFinishedRuns(b, flowId, keys.length, 30_000);
    expect(runs).toHaveLength(keys.length);
    expect((await b.api('GET', `/api/runs?flowId=${flowId}&limit=500`)).body.items).toHaveLength(keys.length);
    for (const r of runs) expect(r.status, JSON.stringify(r.error)).toBe('succeeded');
    expect(new Set(runs.map((r) => r.eventId))).toEqual(new Set(received.map((e) => e.id)));
    const posted = orders.received.filter((o) => o.startsWith('order-k'));
    expect(posted.sort()).toEqual(keys.map((k) => `order-${k}`).sort());

    // The lane took what it had room for; the others went through the queue; the runs of both succeeded.
    const jobs = stored.flatMap((c) => c.jobs);
    expect(jobs).toHaveLength(keys.length);
    expect(new Set(jobs.map((j) => j.runId))).toEqual(new Set(runs.map((r) => r.id)));
    const inLane = jobs.filter((j) => j.lane).length;
    expect(inLane).toBeGreaterThan(0);
    expect(inLane).toBeLessThanOrEqual(laneCapacity());
    expect(jobs.length - inLane).toBeGreaterThan(0);

    // Every job is gone (deleted by the run's last write, or completed by graphile-worker).
    await waitFor('the jobs of these runs to be gone', async () => {
      const { rows } = await b.database.pool.query(`select count(*)::int as n from graphile_worker._private_jobs where payload->>'runId' = any($1::text[])`, [
        runs.map((r) => r.id),
      ]);
      return rows[0].n === 0;
    });
    // Every place granted to a delivery (the duplicates' too) came back to the lane.
    const lane = b.worker!.lane!;
    expect(lane.reserve(1000)).toBe(laneCapacity());
    lane.release(laneCapacity());
  });

  it('runs a new run in the lane: its job is inserted locked by the lane as a first attempt, and its last write deletes it', async () => {
    const { conn, flowId } = await orderFlow('Lane orders');
    orders.hold('order-held');
    const res = await post(conn.webhookUrl!, 'order-held', 'held-1');
    expect(res.status).toBe(200);
    await waitFor('the held order to be posted', async () => orders.received.includes('order-held'));

    const [run] = await listRuns(b, flowId);
    expect(run).toBeDefined();
    const { rows } = await b.database.pool.query(
      `select locked_by, locked_at is not null as locked, attempts from graphile_worker._private_jobs where payload->>'runId' = $1`,
      [run!.id],
    );
    expect(rows).toEqual([{ locked_by: b.worker!.lane!.id, locked: true, attempts: 1 }]);
    expect(b.worker!.lane!.id).toMatch(/^bundles-lane-/);

    orders.letGo('order-held');
    const [done] = await waitForFinishedRuns(b, flowId, 1);
    expect(done!.status).toBe('succeeded');
    expect(done!.steps.map((s) => `${s.nodeId}:${s.status}:${s.attempts}`)).toEqual(['trigger:succeeded:1', 'post:succeeded:1']);
    await waitFor('the lane job to be deleted', async () => {
      const left = await b.database.pool.query(`select 1 from graphile_worker._private_jobs where payload->>'runId' = $1`, [run!.id]);
      return left.rows.length === 0;
    });
    expect(orders.received.filter((o) => o === 'order-held')).toHaveLength(1);
  });

  it('a delivery with a NUL character (which PostgreSQL text cannot hold) is refused with its reason, and the batch it would have joined goes through', async () => {
    // Before, json_to_recordset failed on "\u0000": the provider got 500 on every retry and the delivery log showed nothing.
    const authToken = 'f00dcafef00dcafef00dcafef00dcafe';
    const conn = await createConnection(b, 'twilio', 'Twilio batch', { accountSid: 'AC' + 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6', authToken });
    const sms = (n: number, body: string) => twilioInboundSms({ messageSid: `SM${String(n).padStart(32, '0')}`, body });
    const deliver = (params: Record<string, string>) => {
      const hook = twilioWebhook(authToken, conn.webhookUrl!, params);
      return fetch(hook.url, { method: 'POST', headers: hook.headers, body: hook.body });
    };

    const ingest = watchIngest(b);
    const arrivals = countArrivals(b);
    cleanups.push(ingest.restore, arrivals.restore);
    // The openers hold every statement slot; the next nine queue up behind them and go as one batch.
    const openers = ['first', 'second'].slice(0, ingestStatementsInFlight).map((text, i) => deliver(sms(1 + i, text)));
    const opened = openers.length;
    await waitFor('the openers to reach the writer', async () => arrivals.count >= opened && ingest.calls.length >= opened);
    const good = Array.from({ length: 9 }, (_, i) => deliver(sms(10 + i, `hello ${i}`)));
    // Refused before it reaches the ingest writer, while the statements are still held (its line in the delivery
    // log waits for the writers' connection, which the held statement keeps).
    const refused = deliver(sms(99, 'bad \u0000 byte'));
    await waitFor('the good deliveries to reach the writer', async () => arrivals.count >= opened + 9);
    ingest.letGo();
    const bad = await refused;
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({ error: { code: 'unstorable_body', message: expect.stringContaining('NUL character') } });

    for (const res of await Promise.all([...openers, ...good])) expect(res.status).toBe(200);
    const batch = ingest.calls.find((c) => c.deliveries === 9);
    expect(batch, JSON.stringify(ingest.calls.map((c) => [c.deliveries, c.failed]))).toBeDefined();
    expect(ingest.calls.filter((c) => c.failed)).toEqual([]);

    const log = (await b.api('GET', `/api/messages?connectionId=${conn.id}&limit=500`)).body as ApiMessage[];
    const openerTexts = ['first', 'second'].slice(0, opened);
    expect(log.map((m) => m.text).sort()).toEqual([...openerTexts, ...Array.from({ length: 9 }, (_, i) => `hello ${i}`)].sort());
    const delivered = (await b.api('GET', `/api/connections/${conn.id}/deliveries?limit=500`)).body as ApiDelivery[];
    expect(delivered.filter((d) => d.outcome === 'accepted')).toHaveLength(opened + 9);
    expect(delivered.filter((d) => d.outcome === 'rejected').map((d) => d.reason)).toEqual([expect.stringMatching(/^the body cannot be stored as it came: .*NUL character/)]);
  });
});
