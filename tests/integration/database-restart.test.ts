// The runtime heals or dies loudly. PostgreSQL restarted under load, twice: webhooks answer 503 with
// Retry-After while it is away (never 500), /healthz says which part is down, graphile-worker's runner is
// started again, and every acknowledged event runs afterwards, once, with no manual step. A worker-only
// process that cannot get its runner back exits non-zero.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { Writable } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase, migrateDatabase, startEmbeddedPostgres } from '@bundles/server';
import { startTestBundles, testSecretKey, type TestBundles } from '@bundles/server/testing';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { createConnection, startChainFlow, twilioConfig } from '../support/providers.js';
import { freePort } from '../support/net.js';
import { waitFor } from '../support/wait.js';

const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** A PostgreSQL of this file's own, on a fixed port, that the tests stop and start again. */
let pgDir = '';
let port = 0;
let cluster: Awaited<ReturnType<typeof startEmbeddedPostgres>> | null = null;
let databaseUrl = '';

const startCluster = async () => {
  cluster = await startEmbeddedPostgres(pgDir, quiet, { database: 'restart', tcp: true, port });
  return cluster.tcpUrl!;
};
const stopCluster = async () => {
  await cluster?.stop();
  cluster = null;
};

let b: TestBundles;
let twilio: FakeTwilio;
const logLines: string[] = [];
const logDestination = new Writable({
  write(chunk, _enc, done) {
    logLines.push(String(chunk));
    done();
  },
});

beforeAll(async () => {
  pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundles-restart-'));
  fs.chmodSync(pgDir, 0o777);
  port = await freePort();
  databaseUrl = await startCluster();
  const db = connectDatabase(databaseUrl, 2);
  await migrateDatabase(db);
  await db.close();
  [b, twilio] = await Promise.all([startTestBundles(databaseUrl, { workerConcurrency: 4, logDestination }), startFakeTwilio({ recordRequests: false })]);
}, 180_000);
afterAll(async () => {
  // Cleanup only: a test here may have left the process without its database; what it asserts is already checked.
  await b?.close().catch(() => {});
  await twilio?.close();
  await stopCluster();
  fs.rmSync(pgDir, { recursive: true, force: true });
});

/** A provider that POSTs one order until it is acknowledged (2xx), waiting as Retry-After says. */
async function deliverUntilAcknowledged(url: string, id: number, answers: number[]): Promise<void> {
  for (;;) {
    // A refused connection is what a provider meets while the server restarts: recorded as 0 and tried again.
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `type=order&status=paid&id=${id}&event=status` }).catch(() => null);
    answers.push(res?.status ?? 0);
    if (res && res.status < 300) return;
    const wait = Number(res?.headers.get('retry-after') ?? '0.2');
    await new Promise((r) => setTimeout(r, Math.min(wait, 0.3) * 1000));
  }
}

const health = async () => {
  const res = await b.app!.inject({ method: 'GET', url: '/healthz' });
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
};

/** While the database is away: a webhook is answered 503 with Retry-After, the API 503 (not 500), and /healthz names the database. */
async function expectAwayAnswers(webhookUrl: string): Promise<void> {
  const during = await fetch(webhookUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'type=order&status=paid&id=1&event=status' });
  expect(during.status).toBe(503);
  expect(during.headers.get('retry-after')).toBe('5');
  const api = await b.api('GET', '/api/flows');
  expect(api.status).toBe(503);
  expect(api.body.error.code).toBe('unavailable');
  const down = await health();
  expect(down.status).toBe(503);
  expect(down.body).toMatchObject({ ok: false, database: expect.stringMatching(/^does not answer/) });
}

describe('PostgreSQL restarted under load, twice', () => {
  it('answers 503 while it is away, reports each part, restarts the runner, and runs every acknowledged event once', async () => {
    const crm = await createConnection(b, 'retailcrm', 'Shop orders', { domain: 'myshop.retailcrm.ru', apiKey: 'rcrm-key-0001' });
    const sms = await createConnection(b, 'twilio', 'Twilio SMS', twilioConfig(twilio));
    await startChainFlow(b, 'Paid → SMS', [
      { id: 'trigger', type: 'retailcrm.order_changed', connectionId: crm.id, config: { events: ['status'], statuses: ['paid'] } },
      { id: 'sms', type: 'twilio.send_sms', connectionId: sms.id, config: { from: '+15550002222', to: '+15550001111', body: 'Order {{ trigger.id }} is paid' } },
    ]);
    // A delay crosses both restarts: its continuation is a job that only a running runner takes.
    const delayed = await createConnection(b, 'retailcrm', 'Shop orders, delayed', { domain: 'myshop.retailcrm.ru', apiKey: 'rcrm-key-0002' });
    await startChainFlow(b, 'Paid → wait → SMS', [
      { id: 'trigger', type: 'retailcrm.order_changed', connectionId: delayed.id, config: { events: ['status'], statuses: ['paid'] } },
      { id: 'wait', type: 'core.delay', config: { seconds: 3 } },
      { id: 'sms', type: 'twilio.send_sms', connectionId: sms.id, config: { from: '+15550002222', to: '+15550001111', body: 'Later: order {{ trigger.id }}' } },
    ]);
    const answers: number[] = [];
    await deliverUntilAcknowledged(delayed.webhookUrl!, 1, answers);

    // Load: orders arrive all along, each delivered until acknowledged.
    let next = 100;
    let loading = true;
    const sent: Array<Promise<void>> = [];
    const load = (async () => {
      while (loading) {
        for (let i = 0; i < 4; i++) sent.push(deliverUntilAcknowledged(crm.webhookUrl!, next++, answers));
        await new Promise((r) => setTimeout(r, 20));
      }
    })();

    for (let round = 0; round < 2; round++) {
      await waitFor('some orders to be delivered', async () => twilio.messages.length > 50 * (round + 1), 30_000);
      await stopCluster();
      try {
        await expectAwayAnswers(crm.webhookUrl!);
      } finally {
        await new Promise((r) => setTimeout(r, 1_000));
        await startCluster();
      }
      await waitFor('every part to be ok again', async () => (await health()).status === 200, 60_000);
    }
    loading = false;
    await load;
    await Promise.all(sent);
    const acknowledged = next - 100;
    expect(answers.some((s) => s >= 500 && s !== 503)).toBe(false);

    const bodies = () => new Set(twilio.messages.map((m) => m.body));
    const missing = () => {
      const seen = bodies();
      const out: number[] = [];
      for (let id = 100; id < next; id++) if (!seen.has(`Order ${id} is paid`)) out.push(id);
      return out;
    };
    await waitFor('every acknowledged order to be delivered', async () => missing().length === 0 && bodies().has('Later: order 1'), 60_000).catch(async (err) => {
      const ids = missing().slice(0, 5);
      const { rows } = await b.database.pool.query(
        `select e.payload->>'id' as id, r.status, r.error, (select json_agg(json_build_object('n', s.node_id, 's', s.status, 'e', s.error, 'a', s.attempts)) from steps s where s.run_id = r.id) as steps,
          (select json_agg(json_build_object('run_at', j.run_at, 'locked_by', j.locked_by, 'attempts', j.attempts, 'last_error', j.last_error)) from graphile_worker._private_jobs j where j.payload->>'runId' = r.id::text) as jobs
         from events e left join runs r on r.event_id = e.id where e.payload->>'id' = any($1::text[])`,
        [ids.map(String)],
      );
      throw new Error(`${(err as Error).message}; missing ${missing().length} (later: ${bodies().has('Later: order 1')}): ${JSON.stringify(rows)} health ${JSON.stringify((await health()).body)}`);
    });
    // Once each: no message twice, even for runs cut off in the middle of a call.
    expect(twilio.duplicates()).toEqual([]);
    expect(twilio.messages.filter((m) => m.body.startsWith('Order '))).toHaveLength(acknowledged);
    expect(await health()).toMatchObject({ status: 200, body: { ok: true, database: 'ok', runner: 'ok', lane: 'ok' } });
  }, 240_000);
});

describe('a worker-only process whose database stays away', () => {
  it('keeps trying for a while, then exits non-zero (for its supervisor to see)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts', '--role', 'worker'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl, BUNDLES_SECRET_KEY: testSecretKey, BUNDLES_RUNNER_GIVE_UP_MS: '3000', BUNDLES_HEARTBEAT_MS: '300', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (out += String(c)));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor('the worker to run', async () => out.includes('Bundles worker is running'), 60_000);
      await stopCluster();
      expect(await exited).toBe(1);
      expect(out).toContain('Bundles stops: its worker cannot recover');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      if (!cluster) await startCluster();
    }
  }, 120_000);
});
