// A worker killed with SIGKILL between two steps: a fresh worker finishes the run without re-running the first step.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, testSecretKey, type TestBundles } from '@bundles/server/testing';
import { startSink, type Sink } from '../support/sink.js';
import { waitFor } from '../support/wait.js';

const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
let b: TestBundles;
let sink: Sink;
let databaseUrl = '';
const children: ChildProcess[] = [];

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts', '--role', 'worker'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      BUNDLES_SECRET_KEY: testSecretKey,
      BUNDLES_WORKER_STALE_MS: '1500',
      BUNDLES_HEARTBEAT_MS: '300',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'));
  b = await startTestBundles(databaseUrl, { role: 'web' });
  sink = await startSink();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await b?.close();
  await sink?.close();
});

describe('crash recovery', () => {
  it('resumes a run after its worker is killed between two steps; the first step ran exactly once', async () => {
    const conn = await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Crash hook', config: {} });
    const flow = await b.api('POST', '/api/flows', {
      name: 'Two calls',
      graph: {
        nodes: [
          { id: 'trigger', type: 'core.webhook', connectionId: conn.body.id, config: {} },
          { id: 'first', type: 'core.http_request', config: { url: `${sink.url}/first`, body: { order: '{{ trigger.body.order }}' } } },
          { id: 'second', type: 'core.http_request', config: { url: `${sink.url}/second`, body: { order: '{{ trigger.body.order }}' } } },
        ],
        edges: [
          { source: 'trigger', target: 'first' },
          { source: 'first', target: 'second' },
        ],
      },
    });
    await b.api('POST', `/api/flows/${flow.body.id}/start`);
    sink.script.push({ status: 201, body: '{"id":"first-ok"}' }, { status: 200, hang: true });

    const doomed = startWorker();
    const res = await fetch(conn.body.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"order":42}' });
    expect(res.status).toBe(200);

    // The first step is written and the second is in flight when the worker dies.
    await waitFor('the second call to be in flight', async () => sink.requests.some((r) => r.url === '/second'), 30_000);
    const { rows } = await b.database.pool.query(`select node_id, status from steps order by node_id`);
    expect(rows).toEqual([
      { node_id: 'first', status: 'succeeded' },
      { node_id: 'trigger', status: 'succeeded' },
    ]);
    doomed.kill('SIGKILL');
    await new Promise((r) => doomed.once('exit', r));

    startWorker();
    const run = await waitFor(
      'the run to succeed on the fresh worker',
      async () => {
        const runs = (await b.api('GET', `/api/runs?flowId=${flow.body.id}`)).body;
        return runs[0]?.status === 'succeeded' ? runs[0] : null;
      },
      30_000,
    );
    expect(sink.requests.filter((r) => r.url === '/first')).toHaveLength(1);
    expect(sink.requests.filter((r) => r.url === '/second')).toHaveLength(2);
    const detail = (await b.api('GET', `/api/runs/${run.id}`)).body;
    expect(detail.steps.map((s: { nodeId: string; status: string; attempts: number }) => `${s.nodeId}:${s.status}:${s.attempts}`).sort()).toEqual([
      'first:succeeded:1',
      'second:succeeded:1',
      'trigger:succeeded:1',
    ]);
  });
});
