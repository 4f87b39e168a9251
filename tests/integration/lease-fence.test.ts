// A worker whose heartbeat only looked stale (starved of CPU, paused) can have its run taken over by another
// worker while it still executes it. Before each call out it checks, in the journal write itself, that the
// run's job is still locked by it: when it is not, it stops there, and the write happens once, by the worker
// that holds the job.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '@bundles/server/testing';
import { startSink, type Sink } from '../support/sink.js';
import { createConnection, listRuns, postJson, runDetail, startChainFlow } from '../support/providers.js';
import { waitFor } from '../support/wait.js';

let b: TestBundles;
let sink: Sink;
const lines: string[] = [];

beforeAll(async () => {
  sink = await startSink();
  const logDestination = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  // A long stale time: here the takeover is made by hand, not by the dead-worker sweep.
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), { logDestination, workerStaleMs: 600_000 });
});
afterAll(async () => {
  await b?.close();
  await sink?.close();
});

describe('the lease fence', () => {
  it('a run taken over while it waits on a read does not make its next write; the new holder makes it once', async () => {
    const hook = await createConnection(b, 'webhook', 'Shop hook', {});
    const flowId = await startChainFlow(b, 'Lookup then post', [
      { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {} },
      { id: 'lookup', type: 'core.http_request', config: { method: 'GET', url: `${sink.url}/customer` } },
      { id: 'post', type: 'core.http_request', config: { url: `${sink.url}/orders`, body: { order: '{{ trigger.body.order }}' } } },
    ]);
    let open!: () => void;
    sink.script.push({ status: 200, body: '{"id":7}', gate: new Promise<void>((r) => (open = r)) });
    expect((await postJson(hook.webhookUrl!, { order: 'F-1' })).status).toBe(200);
    await waitFor('the lookup to be in flight', async () => sink.requests.some((r) => r.url === '/customer'));
    const [run] = await listRuns(b, flowId);

    // Another worker takes the job over (what the dead-worker sweep and a new fetch do), then the read answers.
    const { rowCount } = await b.database.pool.query(
      `update graphile_worker._private_jobs set locked_by = 'another-worker', locked_at = now() where payload->>'runId' = $1 and locked_by is not null`,
      [run!.id],
    );
    expect(rowCount).toBe(1);
    open();
    await waitFor('the walk to stop at the fence', async () => lines.some((l) => l.includes(run!.id) && l.includes('taken over by another worker')));
    expect(sink.requests.filter((r) => r.url === '/orders')).toHaveLength(0);

    // That worker goes away: its job is unlocked, and this process resumes the run and makes the write once.
    await b.database.pool.query(`update graphile_worker._private_jobs set locked_by = null, locked_at = null, run_at = now() where payload->>'runId' = $1`, [run!.id]);
    const done = await waitFor('the run to finish', async () => {
      const d = await runDetail(b, run!.id);
      return d.status === 'succeeded' ? d : null;
    }, 30_000);
    expect(done.steps.map((s) => `${s.nodeId}:${s.status}`)).toEqual(['trigger:succeeded', 'lookup:succeeded', 'post:succeeded']);
    expect(sink.requests.filter((r) => r.url === '/orders').map((r) => JSON.parse(r.body))).toEqual([{ order: 'F-1' }]);
  }, 60_000);
});
