import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';

let b: TestBundles;
beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
});
afterAll(() => b?.close());

describe('/metrics', () => {
  it('counts events, duplicates, runs, step durations and webhook answers in Prometheus format', async () => {
    const conn = await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Metered', config: {} });
    const flow = await b.api('POST', '/api/flows', {
      name: 'Metered',
      graph: {
        nodes: [
          { id: 'trigger', type: 'core.webhook', connectionId: conn.body.id, config: {} },
          { id: 'shape', type: 'core.set', config: { fields: { a: '{{ trigger.body.a }}' } } },
        ],
        edges: [{ source: 'trigger', target: 'shape' }],
      },
    });
    await b.api('POST', `/api/flows/${flow.body.id}/start`);
    for (let i = 0; i < 2; i++) {
      await fetch(conn.body.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'same' }, body: '{"a":1}' });
    }
    for (let i = 0; i < 50; i++) {
      const runs = (await b.api('GET', `/api/runs?flowId=${flow.body.id}`)).body.items;
      if (runs[0]?.status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const res = await b.app!.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(text).toMatch(/^bundles_events_received_total 1$/m);
    expect(text).toMatch(/^bundles_events_deduplicated_total 1$/m);
    expect(text).toMatch(/^bundles_runs_created_total 1$/m);
    expect(text).toMatch(/^bundles_runs_finished_total\{status="succeeded"\} 1$/m);
    // Only runs still to finish are gauged (finished ones are counted by bundles_runs_finished_total).
    for (const status of ['queued', 'running', 'waiting', 'parked', 'uncertain']) expect(text).toMatch(new RegExp(`^bundles_runs\\{status="${status}"\\} 0$`, 'm'));
    expect(text).not.toMatch(/^bundles_runs\{status="succeeded"\}/m);
    expect(text).toMatch(/^bundles_step_duration_seconds_count\{node_type="core.set",status="succeeded"\} 1$/m);
    expect(text).toMatch(/^bundles_webhook_answer_seconds_count\{outcome="accepted"\} 1$/m);
    expect(text).toMatch(/^bundles_webhook_answer_seconds_count\{outcome="duplicate"\} 1$/m);
    expect(text).toMatch(/^bundles_queue_lag_seconds \d/m);
    // The migration made a week of day partitions ahead (6 if the day turned since).
    expect(Number(/^bundles_partition_days_ahead (-?\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(6);
    expect(text).toMatch(/^bundles_lane_runs\{state="running"\} 0$/m);
    expect(text).toMatch(/^bundles_lane_runs\{state="waiting"\} 0$/m);
  });

  it('shows the runs the lane is executing', async () => {
    const conn = await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Slow', config: {} });
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    const sink = (await import('node:http')).createServer((_req, res) => void held.then(() => res.end('{}')));
    await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
    const port = (sink.address() as import('node:net').AddressInfo).port;
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
    await b.api('POST', `/api/flows/${flow.body.id}/start`);
    await fetch(conn.body.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":2}' });
    let text = '';
    for (let i = 0; i < 100 && !/^bundles_lane_runs\{state="running"\} 1$/m.test(text); i++) {
      text = (await b.app!.inject({ method: 'GET', url: '/metrics' })).body;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(text).toMatch(/^bundles_lane_runs\{state="running"\} 1$/m);
    // Its job is locked by the lane: the gauge counts the run as running.
    expect(text).toMatch(/^bundles_runs\{status="running"\} 1$/m);
    release();
    await new Promise<void>((r) => sink.close(() => r()));
  });
});
