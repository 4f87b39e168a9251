// The lane executes more runs at once than the queue does: a run handed over by ingest waits on its calls,
// not on a connection, so with BUNDLES_WORKER_CONCURRENCY=1 four slow runs execute together in the lane
// (none waits, none goes to the queue) and a fifth waits in the lane for a place.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';

let b: TestBundles;
let sink: http.Server;
let release: () => void = () => {};
let arrived = 0;
const held = new Promise<void>((r) => (release = r));

beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), { workerConcurrency: 1 });
  sink = http.createServer((_req, res) => {
    arrived++;
    void held.then(() => res.end('{}'));
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  release();
  await b?.close();
  await new Promise<void>((r) => sink.close(() => r()));
});

const gauge = (text: string, state: string) => Number(new RegExp(`^bundles_lane_runs\\{state="${state}"\\} (\\d+)$`, 'm').exec(text)?.[1]);

describe('the lane', () => {
  it('executes four runs at once for each place of the queue, and keeps the next one waiting in the lane', async () => {
    const conn = await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Slow', config: {} });
    const port = (sink.address() as AddressInfo).port;
    const flow = await b.api('POST', '/api/flows', {
      name: 'Slow',
      graph: {
        nodes: [
          { id: 'trigger', type: 'core.webhook', connectionId: conn.body.id, config: {} },
          { id: 'call', type: 'core.http_request', config: { url: `http://127.0.0.1:${port}/slow` } },
        ],
        edges: [{ source: 'trigger', target: 'call' }],
      },
    });
    expect((await b.api('POST', `/api/flows/${flow.body.id}/start`)).status).toBe(200);
    for (let i = 0; i < 5; i++) {
      const res = await fetch(conn.body.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ i }) });
      expect(res.ok).toBe(true);
    }
    // Four calls arrive together; the fifth run is handed over and waits in the lane (the signal that all five were taken).
    let text = '';
    for (let i = 0; i < 250 && !(arrived === 4 && gauge(text, 'waiting') === 1); i++) {
      text = (await b.app!.inject({ method: 'GET', url: '/metrics' })).body;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(arrived).toBe(4);
    expect(gauge(text, 'running')).toBe(4);
    expect(gauge(text, 'waiting')).toBe(1);
    // Every run's job is locked by the lane: none is left for the queue to fetch.
    const { rows } = await b.database.pool.query(`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'run' and locked_by is null`);
    expect(rows[0].n).toBe(0);
    release();
    for (let i = 0; i < 250; i++) {
      const runs = (await b.api('GET', `/api/runs?flowId=${flow.body.id}`)).body.items as Array<{ status: string }>;
      if (runs.length === 5 && runs.every((r) => r.status === 'succeeded')) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the five runs did not all succeed');
  });
});
