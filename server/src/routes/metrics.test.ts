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
      const runs = (await b.api('GET', `/api/runs?flowId=${flow.body.id}`)).body;
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
    expect(text).toMatch(/^bundles_runs\{status="succeeded"\} 1$/m);
    expect(text).toMatch(/^bundles_step_duration_seconds_count\{node_type="core.set",status="succeeded"\} 1$/m);
    expect(text).toMatch(/^bundles_webhook_answer_seconds_count\{outcome="accepted"\} 1$/m);
    expect(text).toMatch(/^bundles_webhook_answer_seconds_count\{outcome="duplicate"\} 1$/m);
    expect(text).toMatch(/^bundles_queue_lag_seconds \d/m);
  });
});
