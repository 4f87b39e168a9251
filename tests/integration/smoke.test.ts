import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '@bundles/server/testing';
import { startSink, type Sink } from '../support/sink.js';
import { waitFor } from '../support/wait.js';

let b: TestBundles;
let sink: Sink;

beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
  sink = await startSink();
});
afterAll(async () => {
  await b?.close();
  await sink?.close();
});

describe('a webhook bundle end to end', () => {
  it('runs webhook → http_request once per delivery', async () => {
    const conn = await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Shop hook', config: {} });
    expect(conn.status).toBe(201);
    const flow = await b.api('POST', '/api/flows', {
      name: 'Forward',
      graph: {
        nodes: [
          { id: 'trigger', type: 'core.webhook', connectionId: conn.body.id, config: {}, position: { x: 0, y: 0 } },
          { id: 'post', type: 'core.http_request', config: { method: 'POST', url: `${sink.url}/in`, body: { order: '{{ trigger.body.order }}' } }, position: { x: 300, y: 0 } },
        ],
        edges: [{ source: 'trigger', target: 'post' }],
      },
    });
    expect(flow.status, JSON.stringify(flow.body)).toBe(201);
    const started = await b.api('POST', `/api/flows/${flow.body.id}/start`);
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    const hook = await fetch(conn.body.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k1' }, body: JSON.stringify({ order: 17 }) });
    expect(hook.status).toBe(200);
    const run = await waitFor('run succeeded', async () => {
      const runs = await b.api('GET', `/api/runs?flowId=${flow.body.id}`);
      return runs.body.items[0]?.status === 'succeeded' ? runs.body.items[0] : null;
    });
    const detail = await b.api('GET', `/api/runs/${run.id}`);
    expect(detail.body.steps.map((s: { nodeId: string; status: string }) => `${s.nodeId}:${s.status}`)).toEqual(['trigger:succeeded', 'post:succeeded']);
    expect(JSON.parse(sink.requests[0]!.body)).toEqual({ order: 17 });
  });
});
