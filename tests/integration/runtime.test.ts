// The runtime end to end: ingest, dedupe, filter, branch, delay, retries, permanent errors, retry from the failed step, stop.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '@bundles/server/testing';
import { startSink, type Sink } from '../support/sink.js';
import { waitFor } from '../support/wait.js';

let b: TestBundles;
let sink: Sink;
let logs = '';

beforeAll(async () => {
  const logDestination = new PassThrough();
  logDestination.on('data', (c) => (logs += c.toString()));
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), { logDestination });
  sink = await startSink();
});
afterAll(async () => {
  await b?.close();
  await sink?.close();
});

type Node = { id: string; type: string; connectionId?: string; config: Record<string, unknown>; disabled?: boolean };
type Edge = { source: string; target: string; sourceHandle?: string };

async function bundle(name: string, nodes: Node[], edges: Edge[], hookConfig: Record<string, unknown> = {}) {
  const conn = await b.api('POST', '/api/connections', { provider: 'webhook', name: `${name} hook`, config: hookConfig });
  const graph = {
    nodes: [{ id: 'trigger', type: 'core.webhook', connectionId: conn.body.id, config: {} }, ...nodes].map((n, i) => ({ position: { x: i * 250, y: 0 }, ...n })),
    edges,
  };
  const flow = await b.api('POST', '/api/flows', { name, graph });
  expect(flow.status, JSON.stringify(flow.body)).toBe(201);
  const started = await b.api('POST', `/api/flows/${flow.body.id}/start`);
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  const send = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(conn.body.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { flowId: flow.body.id as string, connection: conn.body, send };
}

async function runsOf(flowId: string) {
  return (await b.api('GET', `/api/runs?flowId=${flowId}`)).body.items as Array<{ id: string; status: string; error: unknown }>;
}

async function finishedRun(flowId: string, count = 1, timeoutMs = 20_000) {
  return waitFor(
    `${count} finished run(s)`,
    async () => {
      const runs = await runsOf(flowId);
      const done = runs.filter((r) => ['succeeded', 'failed', 'filtered'].includes(r.status));
      return done.length >= count ? done : null;
    },
    timeoutMs,
  );
}

const detail = async (runId: string) => (await b.api('GET', `/api/runs/${runId}`)).body;

describe('runtime', () => {
  it('stores events before answering, dedupes on Idempotency-Key and never runs a duplicate', async () => {
    const { flowId, connection, send } = await bundle('Dedupe', [{ id: 'post', type: 'core.http_request', config: { url: `${sink.url}/dedupe`, body: { n: '{{ trigger.body.n }}' } } }], [
      { source: 'trigger', target: 'post' },
    ]);
    const answers = await Promise.all([1, 2, 3].map(() => send({ n: 1 }, { 'idempotency-key': 'order-1' })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await finishedRun(flowId);
    await new Promise((r) => setTimeout(r, 300));
    expect(await runsOf(flowId)).toHaveLength(1);
    expect(sink.requests.filter((r) => r.url === '/dedupe')).toHaveLength(1);
    const events = (await b.api('GET', `/api/events?connectionId=${connection.id}`)).body;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'webhook.request', dedupeKey: 'idem:order-1', duplicates: 2 });
    const deliveries = (await b.api('GET', `/api/connections/${connection.id}/deliveries`)).body as Array<{ id: string; outcome: string; body: unknown; events: Array<{ id: string; payload: unknown }> }>;
    expect(deliveries.map((d) => d.outcome).sort()).toEqual(['accepted', 'duplicate', 'duplicate']);
    // The payload is stored once, with the event; the delivery that stored it is logged by its event, with no row of its own.
    const accepted = deliveries.find((d) => d.outcome === 'accepted')!;
    expect(accepted.body).toBeNull();
    expect(accepted.events).toEqual([expect.objectContaining({ id: events[0].id, payload: events[0].payload })]);
    const { rows } = await b.database.pool.query(`select outcome from webhook_deliveries where connection_id = $1 order by outcome`, [connection.id]);
    expect(rows).toEqual([{ outcome: 'duplicate' }, { outcome: 'duplicate' }]);
    const stored = await b.database.pool.query(`select delivery_id from events where id = $1`, [events[0].id]);
    expect(stored.rows[0].delivery_id).toBe(accepted.id);
    // Ids of what is written per event are UUIDv7: in time order, so their indexes grow at one end.
    expect(events[0].id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('removes a deleted bundle with its runs and their steps (steps have no key to cascade)', async () => {
    const { flowId, send } = await bundle('Deleted', [{ id: 'shape', type: 'core.set', config: { fields: { n: '{{ trigger.body.n }}' } } }], [{ source: 'trigger', target: 'shape' }]);
    expect((await send({ n: 1 })).status).toBe(200);
    const [run] = await finishedRun(flowId);
    const stepsOf = async () => (await b.database.pool.query(`select node_id from steps where run_id = $1`, [run!.id])).rows;
    expect(await stepsOf()).toEqual([{ node_id: 'shape' }]);
    expect((await b.api('POST', `/api/flows/${flowId}/stop`)).status).toBe(200);
    expect((await b.api('DELETE', `/api/flows/${flowId}`)).status).toBe(204);
    expect(await stepsOf()).toEqual([]);
    expect((await b.api('GET', `/api/runs/${run!.id}`)).status).toBe(404);
  });

  it('removes a deleted connection with the events, messages and deliveries it received, and nothing of another', async () => {
    const shape = [{ id: 'shape', type: 'core.set', config: { fields: { n: '{{ trigger.body.n }}' } } }];
    const gone = await bundle('Gone source', shape, [{ source: 'trigger', target: 'shape' }]);
    const kept = await bundle('Kept source', shape, [{ source: 'trigger', target: 'shape' }]);
    for (const x of [gone, kept]) {
      expect((await x.send({ n: 1 })).status).toBe(200);
      await finishedRun(x.flowId);
      await b.database.pool.query(
        `insert into messages (workspace_id, connection_id, provider, direction, channel, status) select workspace_id, id, 'webhook', 'inbound', 'chat', 'received' from connections where id = $1`,
        [x.connection.id],
      );
    }
    const received = async (connectionId: string) =>
      (await b.database.pool.query(
        `select (select count(*) from events where connection_id = $1)::int as events, (select count(*) from messages where connection_id = $1)::int as messages,
           (select count(*) from webhook_deliveries where connection_id = $1)::int as deliveries`,
        [connectionId],
      )).rows[0];
    // One delivery each, logged by the event it stored.
    const rejected = (c: { webhookUrl: string }) => fetch(c.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    for (const x of [gone, kept]) expect((await rejected(x.connection)).status).toBe(400);
    expect(await received(gone.connection.id)).toEqual({ events: 1, messages: 1, deliveries: 1 });
    expect((await b.api('POST', `/api/flows/${gone.flowId}/stop`)).status).toBe(200);
    expect((await b.api('DELETE', `/api/flows/${gone.flowId}`)).status).toBe(204);
    expect((await b.api('DELETE', `/api/connections/${gone.connection.id}`)).status).toBe(204);
    expect(await received(gone.connection.id)).toEqual({ events: 0, messages: 0, deliveries: 0 });
    expect(await received(kept.connection.id)).toEqual({ events: 1, messages: 1, deliveries: 1 });
  });

  it('accepts form posts and keeps a lone {{ x }} typed', async () => {
    const { flowId, connection } = await bundle('Form', [{ id: 'shape', type: 'core.set', config: { fields: { qty: '{{ trigger.body.qty }}', label: 'Qty {{ trigger.body.qty }}' } } }], [
      { source: 'trigger', target: 'shape' },
    ]);
    const res = await fetch(connection.webhookUrl + '?src=crm', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'qty=3&tag=a&tag=b' });
    expect(res.status).toBe(200);
    const [run] = await finishedRun(flowId);
    const d = await detail(run!.id);
    expect(d.trigger).toMatchObject({ body: { qty: '3', tag: ['a', 'b'] }, query: { src: 'crm' } });
    expect(d.steps[1].output).toEqual({ qty: '3', label: 'Qty 3' });
    // core.set's output is its resolved config: stored once, shown as both.
    expect(d.steps[1].input).toEqual({ qty: '3', label: 'Qty 3' });
    const { rows } = await b.database.pool.query(`select input, output from steps where run_id = $1 and node_id = 'shape'`, [run!.id]);
    expect(rows).toEqual([{ input: null, output: { qty: '3', label: 'Qty 3' } }]);
  });

  it('ends a run whose filter fails as filtered, not failed', async () => {
    const { flowId, send } = await bundle(
      'Filter',
      [
        { id: 'only_paid', type: 'core.filter', config: { mode: 'all', conditions: [{ left: '{{ trigger.body.status }}', op: 'eq', right: 'paid' }] } },
        { id: 'post', type: 'core.http_request', config: { url: `${sink.url}/filtered` } },
      ],
      [
        { source: 'trigger', target: 'only_paid' },
        { source: 'only_paid', target: 'post' },
      ],
    );
    await send({ status: 'new' });
    await send({ status: 'paid' });
    const runs = await finishedRun(flowId, 2);
    expect(runs.map((r) => r.status).sort()).toEqual(['filtered', 'succeeded']);
    expect(sink.requests.filter((r) => r.url === '/filtered')).toHaveLength(1);
  });

  it('passes through a disabled step: it does not run, its children do, and its half-built settings do not block Start', async () => {
    const { flowId, send } = await bundle(
      'Disabled step',
      [
        // Disabled with no url at all: Start still accepts the bundle.
        { id: 'skipped', type: 'core.http_request', config: {}, disabled: true },
        { id: 'after', type: 'core.http_request', config: { url: `${sink.url}/after-disabled`, method: 'POST' } },
      ],
      [
        { source: 'trigger', target: 'skipped' },
        { source: 'skipped', target: 'after' },
      ],
    );
    await send({ n: 1 });
    const [run] = await finishedRun(flowId);
    expect(run!.status).toBe('succeeded');
    const d = await detail(run!.id);
    expect(d.steps.map((s: { nodeId: string }) => s.nodeId).sort()).toEqual(['after', 'trigger']);
    expect(sink.requests.filter((r) => r.url === '/after-disabled')).toHaveLength(1);
  });

  it('follows the branch handle that its conditions choose', async () => {
    const { flowId, send } = await bundle(
      'Branch',
      [
        { id: 'big', type: 'core.branch', config: { mode: 'any', conditions: [{ left: '{{ trigger.body.total }}', op: 'gte', right: 100 }] } },
        { id: 'vip', type: 'core.http_request', config: { url: `${sink.url}/vip` } },
        { id: 'normal', type: 'core.http_request', config: { url: `${sink.url}/normal` } },
      ],
      [
        { source: 'trigger', target: 'big' },
        { source: 'big', target: 'vip', sourceHandle: 'true' },
        { source: 'big', target: 'normal', sourceHandle: 'false' },
      ],
    );
    await send({ total: 250 });
    const [run] = await finishedRun(flowId);
    const d = await detail(run!.id);
    expect(d.steps.map((s: { nodeId: string }) => s.nodeId).sort()).toEqual(['big', 'trigger', 'vip']);
    expect(sink.requests.filter((r) => r.url === '/vip')).toHaveLength(1);
    expect(sink.requests.filter((r) => r.url === '/normal')).toHaveLength(0);
  });

  it('delays by scheduling the continuation, holding no worker', async () => {
    const { flowId, send } = await bundle(
      'Delay',
      [
        { id: 'wait', type: 'core.delay', config: { seconds: 2 } },
        { id: 'post', type: 'core.http_request', config: { url: `${sink.url}/after-delay` } },
      ],
      [
        { source: 'trigger', target: 'wait' },
        { source: 'wait', target: 'post' },
      ],
    );
    const sentAt = Date.now();
    await send({});
    const waiting = await waitFor('a waiting run', async () => (await runsOf(flowId)).find((r) => r.status === 'waiting'));
    const { rows } = await b.database.pool.query(
      `select run_at, locked_at from graphile_worker._private_jobs where payload->>'runId' = $1`,
      [waiting.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].locked_at).toBeNull(); // nobody holds the run while it waits
    expect(new Date(rows[0].run_at).getTime()).toBeGreaterThan(sentAt + 1500);
    await finishedRun(flowId, 1, 10_000);
    const hit = sink.requests.find((r) => r.url === '/after-delay');
    expect(hit!.at - sentAt).toBeGreaterThanOrEqual(1900);
  });

  it('retries a retryable error with backoff, honouring Retry-After', async () => {
    sink.script.push({ status: 429, headers: { 'retry-after': '1' }, body: '{"error":"slow down"}' });
    const { flowId, send } = await bundle('Retry', [{ id: 'post', type: 'core.http_request', config: { url: `${sink.url}/retry` } }], [{ source: 'trigger', target: 'post' }]);
    await send({});
    const [run] = await finishedRun(flowId, 1, 15_000);
    expect(run!.status).toBe('succeeded');
    const calls = sink.requests.filter((r) => r.url === '/retry');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
    const d = await detail(run!.id);
    expect(d.steps.find((s: { nodeId: string }) => s.nodeId === 'post')).toMatchObject({ status: 'succeeded', attempts: 2, error: null });
  });

  it('fails the run on a permanent error with the cause, then retries it from the failed step', async () => {
    sink.script.push({ status: 404, body: '{"error":"no such order"}' });
    const { flowId, send } = await bundle(
      'Permanent',
      [
        { id: 'first', type: 'core.http_request', config: { url: `${sink.url}/first` } },
        { id: 'second', type: 'core.http_request', config: { url: `${sink.url}/second` } },
      ],
      [
        { source: 'trigger', target: 'first' },
        { source: 'first', target: 'second' },
      ],
    );
    // first answers 200 (script consumed by it? no: the 404 is for the first call made, which is /first)
    await send({});
    const [run] = await finishedRun(flowId);
    expect(run!.status).toBe('failed');
    const d = await detail(run!.id);
    const first = d.steps.find((s: { nodeId: string }) => s.nodeId === 'first');
    expect(first).toMatchObject({ status: 'failed', attempts: 1, error: { code: 404, retryable: false } });
    expect(first.error.message).toContain('HTTP 404');
    expect(d.error.message).toContain('first: HTTP 404');
    expect(sink.requests.filter((r) => r.url === '/first')).toHaveLength(1);

    const retried = await b.api('POST', `/api/runs/${run!.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('queued');
    await waitFor('retried run succeeded', async () => (await detail(run!.id)).status === 'succeeded');
    expect(sink.requests.filter((r) => r.url === '/first')).toHaveLength(2);
    expect(sink.requests.filter((r) => r.url === '/second')).toHaveLength(1);
    const again = await b.api('POST', `/api/runs/${run!.id}/retry`);
    expect(again.status).toBe(409);
  });

  it('retries a failed run on the version it ran, or on the live version after a fix was published', async () => {
    // Both runs' first call is refused; the fix (published as a new version) calls another path.
    sink.script.push({ status: 404, body: '{"error":"gone"}' }, { status: 404, body: '{"error":"gone"}' });
    const { flowId, send } = await bundle('Fixed later', [{ id: 'call', type: 'core.http_request', config: { url: `${sink.url}/broken-path` } }], [{ source: 'trigger', target: 'call' }]);
    await send({ n: 1 });
    await send({ n: 2 });
    const failed = await finishedRun(flowId, 2);
    expect(failed.map((r) => r.status)).toEqual(['failed', 'failed']);
    const firstVersion = (await b.api('GET', `/api/flows/${flowId}`)).body.activeVersion.id as string;

    const flow = (await b.api('GET', `/api/flows/${flowId}`)).body;
    const fixed = { ...flow.graph, nodes: flow.graph.nodes.map((n: { id: string; config: object }) => (n.id === 'call' ? { ...n, config: { url: `${sink.url}/fixed-path` } } : n)) };
    expect((await b.api('PUT', `/api/flows/${flowId}`, { graph: fixed })).status).toBe(200);
    const restarted = await b.api('POST', `/api/flows/${flowId}/start`);
    const liveVersion = restarted.body.activeVersion.id as string;
    expect(liveVersion).not.toBe(firstVersion);

    const [onLive, onOriginal] = failed.map((r) => r.id);
    const live = await b.api('POST', `/api/runs/${onLive}/retry`, { version: 'live' });
    expect(live.status, JSON.stringify(live.body)).toBe(200);
    expect(live.body).toMatchObject({ status: 'queued', versionId: liveVersion });
    await waitFor('the run retried on the live version succeeded', async () => (await detail(onLive!)).status === 'succeeded');
    const original = await b.api('POST', `/api/runs/${onOriginal}/retry`, { version: 'original' });
    expect(original.body).toMatchObject({ status: 'queued', versionId: firstVersion });
    await waitFor('the run retried on its own version succeeded', async () => (await detail(onOriginal!)).status === 'succeeded');
    expect(sink.requests.filter((r) => r.url === '/fixed-path')).toHaveLength(1);
    expect(sink.requests.filter((r) => r.url === '/broken-path')).toHaveLength(3);
    // The run view says which version each attempt used, and how the retry chose it.
    const attemptsOf = async (id: string) =>
      ((await detail(id)).attempts as Array<{ number: number; versionNumber: number; status: string; retriedOn: string | null; error: { code?: string } | null }>).map(
        (a) => `${a.number}:v${a.versionNumber}:${a.status}:${a.retriedOn ?? '-'}`,
      );
    expect(await attemptsOf(onLive!)).toEqual(['1:v1:failed:-', '2:v2:succeeded:live']);
    expect(await attemptsOf(onOriginal!)).toEqual(['1:v1:failed:-', '2:v1:succeeded:original']);
    expect((await detail(onLive!)).attempts[0].error).toMatchObject({ message: expect.stringContaining('404') });
    // A bad choice is refused before anything changes.
    expect((await b.api('POST', `/api/runs/${onLive}/retry`, { version: 'newest' })).status).toBe(400);
  });

  it("gives a run its true duration: from when it began to run until it finished", async () => {
    let release!: () => void;
    sink.script.push({ status: 200, body: '{"slow":true}', gate: new Promise<void>((r) => (release = r)) });
    const { flowId, send } = await bundle('Timed', [{ id: 'call', type: 'core.http_request', config: { url: `${sink.url}/timed` } }], [{ source: 'trigger', target: 'call' }]);
    await send({});
    await waitFor('the call to arrive', async () => sink.requests.some((r) => r.url === '/timed'));
    await new Promise((r) => setTimeout(r, 300)); // the call is held: this is the duration being measured, not a wait for an outcome
    release();
    const [run] = await finishedRun(flowId);
    const d = await detail(run!.id);
    expect(Date.parse(d.finishedAt) - Date.parse(d.startedAt)).toBeGreaterThanOrEqual(250);
    expect(Date.parse(d.startedAt)).toBeGreaterThanOrEqual(Date.parse(d.createdAt));
  });

  it('stop ends new runs while a run in flight finishes', async () => {
    sink.script.push({ status: 200, body: '{"slow":true}' });
    const { flowId, send } = await bundle(
      'Stop',
      [
        { id: 'wait', type: 'core.delay', config: { seconds: 1 } },
        { id: 'post', type: 'core.http_request', config: { url: `${sink.url}/in-flight` } },
      ],
      [
        { source: 'trigger', target: 'wait' },
        { source: 'wait', target: 'post' },
      ],
    );
    await send({ n: 1 });
    await waitFor('a waiting run', async () => (await runsOf(flowId)).find((r) => r.status === 'waiting'));
    expect((await b.api('POST', `/api/flows/${flowId}/stop`)).body.status).toBe('stopped');
    const res = await send({ n: 2 });
    expect(res.status).toBe(200); // the event is stored and acknowledged, but starts no run
    await finishedRun(flowId, 1, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(await runsOf(flowId)).toHaveLength(1);
    expect(sink.requests.filter((r) => r.url === '/in-flight')).toHaveLength(1);
  });

  it('answers a malformed webhook 400 and records it; a wrong secret header 401', async () => {
    const { connection } = await bundle('Strict', [{ id: 'post', type: 'core.http_request', config: { url: `${sink.url}/strict` } }], [{ source: 'trigger', target: 'post' }], {
      secretHeader: 'X-Shop-Token',
      secret: 'tok-123',
    });
    const bad = await fetch(connection.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-shop-token': 'tok-123' }, body: '{"broken":' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('malformed_webhook');
    const unsigned = await fetch(connection.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'x-shop-token': 'nope' }, body: '{}' });
    expect(unsigned.status).toBe(401);
    const wrongUrl = await fetch(connection.webhookUrl.replace(/[^/]+$/, 'guess'), { method: 'POST', body: '{}' });
    expect(wrongUrl.status).toBe(404);
    const deliveries = (await b.api('GET', `/api/connections/${connection.id}/deliveries`)).body as Array<{ outcome: string; reason: string; body: unknown }>;
    expect(deliveries.map((d) => d.outcome)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(deliveries.map((d) => d.reason)).toEqual(expect.arrayContaining(['wrong value in header X-Shop-Token', 'wrong secret in the webhook URL']));
    expect(deliveries.every((d) => d.body === null)).toBe(true);
    expect((await b.api('GET', `/api/events?connectionId=${connection.id}`)).body).toHaveLength(0);
  });

  it('puts the run id and node id on every runtime log line', async () => {
    const lines = logs
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'step failed, run failed' || l.msg === 'step failed, retry scheduled');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) {
      expect(l.runId).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof l.nodeId).toBe('string');
    }
    const requestLines = logs.split('\n').filter((l) => l.includes('"msg":"request"'));
    expect(requestLines.length).toBeGreaterThan(5);
    for (const l of requestLines) expect(JSON.parse(l).reqId).toBeTruthy();
  });
});
