// A worker killed with SIGKILL while its second step's call is in flight: a fresh worker finishes the run
// without re-running the first step, and sends the second again (with the same Idempotency-Key) because it
// is declared safe to send again. The same for a process that received the webhook itself and executed
// the run in its lane. tests/crash/matrix.test.ts kills at every step boundary and for every kind of write.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, testSecretKey, type TestBundles } from '@bundles/server/testing';
import { startSink, type Sink } from '../support/sink.js';
import { freePort } from '../support/net.js';
import { waitFor } from '../support/wait.js';

const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
let b: TestBundles;
let sink: Sink;
let databaseUrl = '';
const children: ChildProcess[] = [];

function startWorker(role: 'worker' | 'all' = 'worker', env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts', '--role', role], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      BUNDLES_SECRET_KEY: testSecretKey,
      BUNDLES_WORKER_STALE_MS: '1500',
      BUNDLES_HEARTBEAT_MS: '300',
      LOG_LEVEL: 'warn',
      ...env,
    },
    // Standard output is read when a test waits for the process to say it is running.
    stdio: ['ignore', role === 'all' ? 'pipe' : 'inherit', 'inherit'],
  });
  children.push(child);
  return child;
}

/** Resolves once main.ts says it is running: startBundles has returned, the worker and its lane included. */
function running(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      out += chunk.toString('utf8');
      if (out.includes('Bundles is running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the process exited (${code}) before it was running`)));
  });
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
          { id: 'second', type: 'core.http_request', config: { url: `${sink.url}/second`, body: { order: '{{ trigger.body.order }}' }, idempotent: true } },
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

    // The first step is written, and the second's attempt journaled, before its call goes out.
    await waitFor('the second call to be in flight', async () => sink.requests.some((r) => r.url === '/second'), 30_000);
    // (An attempt in flight is in step_journal until its outcome is written to steps.)
    const { rows } = await b.database.pool.query(`select node_id, status from steps union all select node_id, 'running' from step_journal order by node_id`);
    // (The trigger only passes the payload on: the event holds it, no step row repeats it.)
    expect(rows).toEqual([
      { node_id: 'first', status: 'succeeded' },
      { node_id: 'second', status: 'running' },
    ]);
    doomed.kill('SIGKILL');
    await new Promise((r) => doomed.once('exit', r));

    startWorker();
    const run = await waitFor(
      'the run to succeed on the fresh worker',
      async () => {
        const runs = (await b.api('GET', `/api/runs?flowId=${flow.body.id}`)).body.items;
        return runs[0]?.status === 'succeeded' ? runs[0] : null;
      },
      30_000,
    );
    expect(sink.requests.filter((r) => r.url === '/first')).toHaveLength(1);
    const seconds = sink.requests.filter((r) => r.url === '/second');
    expect(seconds).toHaveLength(2);
    // Sent again under the same key, which the receiving API uses to do it once.
    expect(new Set(seconds.map((r) => r.headers['idempotency-key']))).toEqual(new Set([`${run.id}:second`]));
    const detail = (await b.api('GET', `/api/runs/${run.id}`)).body;
    expect(detail.steps.map((s: { nodeId: string; status: string; attempts: number }) => `${s.nodeId}:${s.status}:${s.attempts}`).sort()).toEqual([
      'first:succeeded:1',
      'second:succeeded:2',
      'trigger:succeeded:1',
    ]);
  });

  it('resumes a run whose web+worker process (role all) took it in its lane and was killed between two steps', async () => {
    // A sink of its own: the first test's requests and script stay where they are.
    const laneSink = await startSink();
    try {
      const conn = await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Lane crash hook', config: {} });
      const flow = await b.api('POST', '/api/flows', {
        name: 'Two calls in a lane',
        graph: {
          nodes: [
            { id: 'trigger', type: 'core.webhook', connectionId: conn.body.id, config: {} },
            { id: 'first', type: 'core.http_request', config: { url: `${laneSink.url}/first`, body: { order: '{{ trigger.body.order }}' } } },
            { id: 'second', type: 'core.http_request', config: { url: `${laneSink.url}/second`, body: { order: '{{ trigger.body.order }}' }, idempotent: true } },
          ],
          edges: [
            { source: 'trigger', target: 'first' },
            { source: 'first', target: 'second' },
          ],
        },
      });
      expect((await b.api('POST', `/api/flows/${flow.body.id}/start`)).status).toBe(200);
      laneSink.script.push({ status: 201, body: '{"id":"first-ok"}' }, { status: 200, hang: true });

      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      const doomed = startWorker('all', { HOST: '127.0.0.1', PORT: String(port) });
      // /healthz answers as soon as the web part listens; the lane exists only once the worker has started too.
      await running(doomed);
      expect((await fetch(`${origin}/healthz`)).ok).toBe(true);

      // The webhook goes to the child itself, so its ingest hands the run to its own lane.
      const hook = new URL(conn.body.webhookUrl);
      const res = await fetch(`${origin}${hook.pathname}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"order":77}' });
      expect(res.status).toBe(200);

      await waitFor('the second call to be in flight', async () => laneSink.requests.some((r) => r.url === '/second'), 30_000);
      const runs = await b.database.pool.query(`select id from runs where flow_id = $1`, [flow.body.id]);
      expect(runs.rows).toHaveLength(1);
      const runId = runs.rows[0].id as string;
      const { rows: steps } = await b.database.pool.query(
        `select node_id, status from steps where run_id = $1 union all select node_id, 'running' from step_journal where run_id = $1 order by node_id`,
        [runId],
      );
      expect(steps).toEqual([
        { node_id: 'first', status: 'succeeded' },
        { node_id: 'second', status: 'running' },
      ]);
      // The run's job went straight to the lane: inserted locked by it, as its first attempt.
      const { rows: jobs } = await b.database.pool.query(
        `select locked_by, locked_at is not null as locked, attempts from graphile_worker._private_jobs where payload->>'runId' = $1`,
        [runId],
      );
      expect(jobs).toEqual([{ locked_by: expect.stringMatching(/^bundles-lane-[0-9a-f-]{36}$/), locked: true, attempts: 1 }]);
      const laneId = jobs[0].locked_by as string;
      // The lane beats like any worker (that is how its jobs outlive nothing but the process).
      const beats = await b.database.pool.query(`select 1 from worker_heartbeats where worker_id = $1`, [laneId]);
      expect(beats.rows).toHaveLength(1);

      doomed.kill('SIGKILL');
      await new Promise((r) => doomed.once('exit', r));

      startWorker();
      const run = await waitFor(
        'the run to succeed on another worker',
        async () => {
          const list = (await b.api('GET', `/api/runs?flowId=${flow.body.id}`)).body.items;
          return list[0]?.status === 'succeeded' ? list[0] : null;
        },
        30_000,
      );
      expect(run.status, JSON.stringify((await b.api('GET', `/api/runs/${run.id}`)).body.steps.filter((s: { status: string }) => s.status !== 'succeeded'))).toBe('succeeded');
      expect(run.id).toBe(runId);
      // Resumed from its steps (attempts > 1), not from the fresh payload: the first call was not made again.
      expect(laneSink.requests.filter((r) => r.url === '/first')).toHaveLength(1);
      expect(laneSink.requests.filter((r) => r.url === '/second')).toHaveLength(2);
      for (const r of laneSink.requests) expect(JSON.parse(r.body)).toEqual({ order: 77 });
      const detail = (await b.api('GET', `/api/runs/${run.id}`)).body;
      expect(detail.steps.map((s: { nodeId: string; status: string; attempts: number }) => `${s.nodeId}:${s.status}:${s.attempts}`).sort()).toEqual([
        'first:succeeded:1',
        'second:succeeded:2',
        'trigger:succeeded:1',
      ]);
      // The job is done with: no row is left behind, locked by the dead lane or otherwise.
      await waitFor('the run job to be gone', async () => {
        const left = await b.database.pool.query(`select 1 from graphile_worker._private_jobs where payload->>'runId' = $1 or locked_by = $2`, [runId, laneId]);
        return left.rows.length === 0;
      });
    } finally {
      await laneSink.close();
    }
  });

  it('resumes a for-each over 50 items killed in the middle at the element it stopped at: every item written once', async () => {
    const loopSink = await startSink();
    try {
      const conn = await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Loop crash hook', config: {} });
      const flow = await b.api('POST', '/api/flows', {
        name: 'Fifty items',
        graph: {
          nodes: [
            { id: 'trigger', type: 'core.webhook', connectionId: conn.body.id, config: {} },
            { id: 'each', type: 'core.for_each', config: { items: '{{ trigger.body.items }}' } },
            // Declared safe to send again under its key: the element in flight when the process died (journaled,
            // not yet called) is sent after the crash; a finished element's write is never sent again.
            { id: 'post', type: 'core.http_request', config: { url: `${loopSink.url}/item`, method: 'POST', body: { n: '{{ item }}', index: '{{ index }}' }, idempotent: true } },
            { id: 'after', type: 'core.http_request', config: { url: `${loopSink.url}/done`, method: 'POST', body: { count: '{{ steps.each.count }}' } } },
          ],
          edges: [
            { source: 'trigger', target: 'each' },
            { source: 'each', target: 'post', sourceHandle: 'item' },
            { source: 'each', target: 'after', sourceHandle: 'done' },
          ],
        },
      });
      expect((await b.api('POST', `/api/flows/${flow.body.id}/start`)).status).toBe(200);
      // The only worker: the workers earlier tests left running would take the run instead.
      for (const c of children) if (c.exitCode === null && c.signalCode === null) {
        const gone = new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        await gone;
      }
      // Dies once element 24's write is stored, before element 25's call goes out.
      const doomed = startWorker('worker', { BUNDLES_TEST_CRASH_AT: 'after-write:post[24]' });
      const exited = new Promise((r) => doomed.once('exit', r));
      const items = Array.from({ length: 50 }, (_, i) => 1000 + i);
      const res = await fetch(conn.body.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }) });
      expect(res.status).toBe(200);
      await exited;
      expect(loopSink.requests.filter((r) => r.url === '/item')).toHaveLength(25);

      startWorker();
      const run = await waitFor(
        'the run to finish on the fresh worker',
        async () => {
          const runs = (await b.api('GET', `/api/runs?flowId=${flow.body.id}`)).body.items;
          return ['succeeded', 'failed', 'uncertain'].includes(runs[0]?.status) ? runs[0] : null;
        },
        30_000,
      );
      expect(run.status, JSON.stringify((await b.api('GET', `/api/runs/${run.id}`)).body.steps.filter((s: { status: string }) => s.status !== 'succeeded'))).toBe('succeeded');
      const written = loopSink.requests.filter((r) => r.url === '/item').map((r) => JSON.parse(r.body) as { n: number; index: number });
      expect(written.map((w) => w.index)).toEqual(items.map((_, i) => i));
      expect(written.map((w) => w.n)).toEqual(items);
      expect(loopSink.requests.filter((r) => r.url === '/item').map((r) => r.headers['idempotency-key'])).toEqual(items.map((_, i) => `${run.id}:post[${i}]`));
      expect(loopSink.requests.filter((r) => r.url === '/done').map((r) => JSON.parse(r.body))).toEqual([{ count: 50 }]);
      const detail = (await b.api('GET', `/api/runs/${run.id}`)).body;
      const loop = detail.steps.find((s: { nodeId: string }) => s.nodeId === 'each');
      expect(loop.output).toMatchObject({ count: 50, succeeded: 50, failed: 0 });
      // The element in flight counts the attempt journaled before the crash.
      const attempts = detail.steps.filter((s: { nodeId: string }) => s.nodeId.startsWith('post[')).map((s: { nodeId: string; attempts: number }) => `${s.nodeId}:${s.attempts}`);
      expect(attempts.sort()).toEqual(items.map((_, i) => `post[${i}]:${i === 25 ? 2 : 1}`).sort());
    } finally {
      await loopSink.close();
    }
  });
});
