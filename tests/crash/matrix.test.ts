// The crash matrix: a `--role all` process takes a run in its lane and is SIGKILLed at a step boundary
// (after a write's attempt is journaled, after the provider answered, after the result is written) or in
// the middle of a provider call, over a chain, a fan-out and a branch, against the fakes; a worker started
// beforehand finishes the run once the dead process's heartbeat is stale. Every acknowledged event runs,
// and no side effect happens twice unless... never: a step whose outcome cannot be known ends uncertain.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, testSecretKey, type TestBundles } from '@bundles/server/testing';
import { startFakeRetailcrm, type FakeRetailcrm } from '../fakes/retailcrm.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { startFakeWhatsApp, type FakeWhatsApp } from '../fakes/whatsapp.js';
import { startSink, type Sink } from '../support/sink.js';
import { createConnection, listRuns, retailcrmConfig, runDetail, twilioConfig, whatsappConfig, type ApiRunDetail } from '../support/providers.js';
import { freePort } from '../support/net.js';
import { waitFor } from '../support/wait.js';

const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** Fakes and their connections; a mid-call case gets a set of its own (its fake holds one answer). */
interface Providers {
  twilio: FakeTwilio;
  whatsapp: FakeWhatsApp;
  crm: FakeRetailcrm;
  sink: Sink;
  ids: { twilio: string; whatsapp: string; crm: string };
}

let web: TestBundles;
let recovery: TestBundles;
let databaseUrl = '';
let shared: Providers;
const extras: Providers[] = [];
const children: ChildProcess[] = [];

async function startProviders(name: string): Promise<Providers> {
  const [twilio, whatsapp, crm, sink] = await Promise.all([startFakeTwilio(), startFakeWhatsApp(), startFakeRetailcrm({ rateLimit: false }), startSink()]);
  const ids = {
    twilio: (await createConnection(web, 'twilio', `Twilio ${name}`, twilioConfig(twilio))).id,
    whatsapp: (await createConnection(web, 'whatsapp', `WhatsApp ${name}`, whatsappConfig(whatsapp))).id,
    crm: (await createConnection(web, 'retailcrm', `RetailCRM ${name}`, retailcrmConfig(crm))).id,
  };
  return { twilio, whatsapp, crm, sink, ids };
}
const closeProviders = (p: Providers) => Promise.all([p.twilio.close(), p.whatsapp.close(), p.crm.close(), p.sink.close()]);

beforeAll(async () => {
  databaseUrl = await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'));
  web = await startTestBundles(databaseUrl, { role: 'web' });
  // Started before any crash: it releases a dead process's lane jobs once its heartbeat is stale, and finishes the runs.
  // 4 s, not less: four servers start at once on two cores, and a live process whose heartbeat is starved for
  // longer than this is taken for dead (its runs would then be resumed while it still runs them).
  recovery = await startTestBundles(databaseUrl, { role: 'worker', setup: false, workerStaleMs: 4000, heartbeatMs: 300 });
  shared = await startProviders('shared');
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await recovery?.close();
  await web?.close();
  await Promise.all([shared, ...extras].filter(Boolean).map(closeProviders));
});

type Shape = 'chain' | 'fanout' | 'branch';
type Write = 'sms' | 'wa' | 'order' | 'post';

/** The bundle of each shape; every text carries the case id, so each case counts its own side effects. */
function graphOf(shape: Shape, trigger: string, p: Providers) {
  const sms = { id: 'sms', type: 'twilio.send_sms', connectionId: p.ids.twilio, config: { from: '+15550002222', to: '+5511998765432', body: 'SMS {{ trigger.body.case }}' } };
  const wa = { id: 'wa', type: 'whatsapp.send_text', connectionId: p.ids.whatsapp, config: { to: '5511998765432', text: 'WA {{ trigger.body.case }}' } };
  const order = { id: 'order', type: 'retailcrm.create_order', connectionId: p.ids.crm, config: { firstName: '{{ trigger.body.case }}', phone: '+5511998765432' } };
  const post = { id: 'post', type: 'core.http_request', config: { url: `${p.sink.url}/post`, body: { case: '{{ trigger.body.case }}' }, idempotent: true } };
  const t = { id: 'trigger', type: 'core.webhook', connectionId: trigger, config: {} };
  if (shape === 'chain') {
    return { nodes: [t, sms, wa, order], edges: [{ source: 'trigger', target: 'sms' }, { source: 'sms', target: 'wa' }, { source: 'wa', target: 'order' }] };
  }
  if (shape === 'fanout') {
    return { nodes: [t, sms, post], edges: [{ source: 'trigger', target: 'sms' }, { source: 'trigger', target: 'post' }] };
  }
  const pick = { id: 'pick', type: 'core.branch', config: { conditions: [{ left: '{{ trigger.body.vip }}', op: 'eq', right: true }] } };
  return {
    nodes: [t, pick, sms, wa, order],
    edges: [
      { source: 'trigger', target: 'pick' },
      { source: 'pick', target: 'sms', sourceHandle: 'true' },
      { source: 'sms', target: 'wa' },
      { source: 'pick', target: 'order', sourceHandle: 'false' },
    ],
  };
}

/** How many times each write of a case reached its provider (the HTTP POST: how many distinct Idempotency-Keys). */
function sideEffects(p: Providers, caseId: string): Record<Write, number> {
  const posts = p.sink.requests.filter((r) => r.url === '/post' && r.body.includes(`"${caseId}"`));
  return {
    sms: p.twilio.messages.filter((m) => m.body === `SMS ${caseId}`).length,
    wa: p.whatsapp.messages.filter((m) => JSON.stringify(m.body).includes(`"WA ${caseId}"`)).length,
    order: p.crm.orders.filter((o) => o.firstName === caseId).length,
    post: new Set(posts.map((r) => r.headers['idempotency-key'])).size,
  };
}


/**
 * A `--role all` process that kills itself at `crashAt` (if given); resolves once it is running. One that
 * exits before it runs (its port, free a moment ago, taken by another test's server meanwhile) is started
 * again on another port; a failure says what the process printed.
 */
async function startDoomed(crashAt: string | null, tries = 3): Promise<{ child: ChildProcess; origin: string; exited: Promise<number | null> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts', '--role', 'all'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      BUNDLES_SECRET_KEY: testSecretKey,
      HOST: '127.0.0.1',
      PORT: String(port),
      BUNDLES_WORKER_STALE_MS: '4000',
      BUNDLES_HEARTBEAT_MS: '300',
      BUNDLES_TEST_CRASH_AT: crashAt ?? '',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r((exitCode = code))));
  let out = '';
  child.stdout!.on('data', (c) => (out += String(c)));
  const running = () => out.includes('Bundles is running');
  try {
    await waitFor('the process to run', async () => running() || exitCode !== undefined, 150_000, 50);
  } catch (err) {
    // What it printed says why (its log goes to stdout).
    throw new Error(`${(err as Error).message}; its output:\n${out.slice(-4000)}`);
  }
  if (!running()) {
    if (tries > 1) return startDoomed(crashAt, tries - 1);
    throw new Error(`the process exited (${exitCode}) before it ran; its output:\n${out.slice(-4000)}`);
  }
  return { child, origin: `http://127.0.0.1:${port}`, exited };
}

interface Case {
  shape: Shape;
  /** A crash point (`before-call:sms`…), or the write whose call is in flight when the process is killed. */
  crash: string | { midCall: 'sms' | 'wa' | 'post' };
  vip?: boolean;
}

/** What the matrix promises for one settled run: never lost, never doubled, uncertain only when it says so. */
function expectAtMostOnce(run: ApiRunDetail, effects: Record<Write, number>, writes: Write[], label: string) {
  expect(['succeeded', 'uncertain'], `${label}: ${run.status} ${JSON.stringify(run.error)}`).toContain(run.status);
  for (const w of writes) {
    const step = run.steps.find((s) => s.nodeId === w);
    const count = effects[w];
    if (step?.status === 'uncertain') expect(count, `${label} ${w} uncertain`).toBeLessThanOrEqual(1);
    else if (run.status === 'succeeded') {
      expect(step?.status, `${label} ${w}`).toBe('succeeded');
      expect(count, `${label} ${w} sent`).toBe(1);
    } else expect(count, `${label} ${w} after an uncertain step`).toBeLessThanOrEqual(1);
  }
}

const writesOf = (shape: Shape, vip: boolean): Write[] => (shape === 'chain' ? ['sms', 'wa', 'order'] : shape === 'fanout' ? ['sms', 'post'] : vip ? ['sms', 'wa'] : ['order']);

let caseNo = 0;
/** Runs one case to the end: the doomed process dies, the recovery worker finishes, the promise is checked. */
async function runCase(c: Case): Promise<{ label: string; run: ApiRunDetail }> {
  const caseId = `c${++caseNo}-${c.shape}`;
  const label = `${caseId} ${typeof c.crash === 'string' ? c.crash : `mid-call:${c.crash.midCall}`}`;
  const p = typeof c.crash === 'string' ? shared : await startProviders(caseId);
  if (p !== shared) extras.push(p);
  const hook = await createConnection(web, 'webhook', `Hook ${caseId}`, {});
  const flow = await web.api('POST', '/api/flows', { name: label, graph: graphOf(c.shape, hook.id, p) });
  expect((await web.api('POST', `/api/flows/${flow.body.id}/start`)).status).toBe(200);

  const doomed = await startDoomed(typeof c.crash === 'string' ? c.crash : null);
  if (typeof c.crash !== 'string') {
    if (c.crash.midCall === 'sms') p.twilio.failNext(1, { hangAfterCreate: true });
    if (c.crash.midCall === 'wa') p.whatsapp.failNext(1, { hangAfterCreate: true });
    if (c.crash.midCall === 'post') p.sink.script.push({ status: 200, hang: true });
  }
  const res = await fetch(`${doomed.origin}${new URL(hook.webhookUrl!).pathname}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ case: caseId, vip: c.vip ?? true }),
  });
  expect(res.status, label).toBe(200);
  if (typeof c.crash !== 'string') {
    const w = c.crash.midCall;
    await waitFor(`${label}: the call to be in flight`, async () => sideEffects(p, caseId)[w] > 0 || p.sink.requests.some((r) => r.url === '/post' && r.body.includes(caseId)), 30_000);
    doomed.child.kill('SIGKILL');
  }
  expect(await doomed.exited, `${label}: the process died`).toBeNull();
  const run = await waitFor(
    `${label}: the run to settle on the recovery worker`,
    async () => {
      const [r] = await listRuns(web, flow.body.id);
      return r && ['succeeded', 'failed', 'uncertain', 'filtered'].includes(r.status) ? runDetail(web, r.id) : null;
    },
    60_000,
  );
  expectAtMostOnce(run, sideEffects(p, caseId), writesOf(c.shape, c.vip ?? true), label);
  return { label, run };
}

const boundaries = (writes: Write[]) => writes.flatMap((w) => [`before-call:${w}`, `after-call:${w}`, `after-write:${w}`]);
const cases: Case[] = [
  ...boundaries(['sms', 'wa', 'order']).map((crash) => ({ shape: 'chain' as const, crash })),
  ...boundaries(['sms', 'post']).map((crash) => ({ shape: 'fanout' as const, crash })),
  ...['after-write:pick', 'after-call:sms', 'after-write:sms'].map((crash) => ({ shape: 'branch' as const, crash })),
  { shape: 'branch', crash: 'after-call:order', vip: false },
  { shape: 'chain', crash: { midCall: 'sms' } },
  { shape: 'chain', crash: { midCall: 'wa' } },
  { shape: 'fanout', crash: { midCall: 'post' } },
];

describe('the crash matrix', () => {
  it(`${cases.length} crashes over chains, fan-out and branches: every event runs, no side effect twice, unknown outcomes reported uncertain`, async () => {
    const results: Array<{ label: string; run: ApiRunDetail }> = [];
    // A few processes at a time: each is a whole server starting up on two cores.
    for (let i = 0; i < cases.length; i += 4) results.push(...(await Promise.all(cases.slice(i, i + 4).map(runCase))));
    const summary = results.map(({ label, run }) => `${label}: ${run.status} ${run.steps.map((s) => `${s.nodeId}=${s.status}`).join(' ')}`);
    console.log(`crash matrix\n  ${summary.join('\n  ')}`);
    // Where the provider can be asked (Twilio, RetailCRM) or repeating is safe (Idempotency-Key), the outcome is known.
    for (const { label, run } of results) {
      for (const s of run.steps.filter((x) => ['sms', 'order', 'post'].includes(x.nodeId))) expect(s.status, `${label} ${s.nodeId}`).toBe('succeeded');
    }
    // A WhatsApp send the process died in (or after, before writing its result) is reported, not repeated.
    expect(results.filter(({ run }) => run.steps.some((s) => s.nodeId === 'wa' && s.status === 'uncertain')).length).toBeGreaterThan(0);
  }, 600_000);
});
