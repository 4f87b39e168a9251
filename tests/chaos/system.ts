// What the chaos script runs: an embedded PostgreSQL on a fixed port that can be stopped and started
// again on the same address, the product's processes, the fake Twilio and WhatsApp, and the two bundles
// (W1 and a fan-out) set up through the HTTP API. Loopback only.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmbeddedPostgres } from '@bundles/server';
import { startFakeTwilio, type FakeTwilio, type FormParams } from '../fakes/twilio.js';
import { startFakeWhatsApp, type FakeWhatsApp } from '../fakes/whatsapp.js';
import { withClient } from '../bench/db.js';
import { poll, spawnTs, type Child } from '../bench/procs.js';
import { effectKey } from './ledger.js';

/** Runs registered teardowns last-in first-out, once, whatever fails. */
export class Teardown {
  private readonly steps: Array<{ what: string; fn: () => Promise<void> | void }> = [];
  private running: Promise<void> | null = null;
  add(what: string, fn: () => Promise<void> | void): void {
    this.steps.push({ what, fn });
  }
  run(): Promise<void> {
    this.running ??= (async () => {
      for (let step = this.steps.pop(); step; step = this.steps.pop()) {
        try {
          await step.fn();
        } catch (err) {
          console.error(`chaos: could not ${step.what}: ${(err as Error).message}`);
        }
      }
    })();
    return this.running;
  }
}

const pgLog = {
  debug() {},
  info() {},
  warn: (...a: unknown[]) => console.error('embedded PostgreSQL:', ...a),
  error: (...a: unknown[]) => console.error('embedded PostgreSQL:', ...a),
};

/** The embedded PostgreSQL in `dir`, always on 127.0.0.1:`port` over TCP. */
export class RestartablePostgres {
  private db: Awaited<ReturnType<typeof startEmbeddedPostgres>> | null = null;
  url = '';
  constructor(
    private readonly dir: string,
    readonly port: number,
  ) {}
  async start(): Promise<string> {
    this.db = await startEmbeddedPostgres(this.dir, pgLog, { tcp: true, port: this.port });
    if (!this.db.tcpUrl) throw new Error('the embedded PostgreSQL does not listen on TCP');
    if (this.url && this.db.tcpUrl !== this.url) throw new Error(`the embedded PostgreSQL came back elsewhere: ${this.db.tcpUrl}`);
    this.url = this.db.tcpUrl;
    return this.url;
  }
  async stop(): Promise<void> {
    const db = this.db;
    this.db = null;
    await db?.stop();
  }
  get running(): boolean {
    return this.db !== null;
  }
}

export type Role = 'all' | 'web' | 'worker';

/** One of the product's processes; `ready` resolves once main.ts says it is running (web and all). */
export interface Product {
  child: Child;
  role: Role;
  ready: Promise<void>;
}

export function startProduct(opts: { role: Role; name: string; root: string; env: NodeJS.ProcessEnv; logDir: string }): Product {
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  const child = spawnTs({
    name: opts.name,
    script: 'server/src/main.ts',
    args: ['--role', opts.role],
    cwd: opts.root,
    // The fakes listen on loopback.
    env: { BUNDLES_ALLOWED_HOSTS: '127.0.0.1,localhost,::1', ...opts.env },
    logFile: path.join(opts.logDir, `${opts.name}.log`),
    onStdout: (line) => {
      if (line.includes('Bundles is running')) resolveReady();
    },
  });
  return { child, role: opts.role, ready };
}

/** Waits for `product.ready`, failing early when it exits. */
export async function whenReady(product: Product, timeoutMs: number): Promise<void> {
  const { child } = product;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      product.ready,
      child.exited.then((code) => Promise.reject(new Error(`${child.name} exited (${code}) before it was running:\n${child.tail()}`))),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${child.name} was not running after ${timeoutMs} ms:\n${child.tail()}`)), timeoutMs))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `n` processes listen for new jobs (graphile-worker's LISTEN): worker processes are ready then. */
export async function workersListening(databaseUrl: string, n: number, timeoutMs: number, workers: Child[]): Promise<void> {
  await poll(`${n} worker processes to listen for jobs`, timeoutMs, async () => {
    const dead = workers.find((w) => !w.isRunning());
    if (dead) throw new Error(`${dead.name} exited:\n${dead.tail()}`);
    const listening = await withClient(databaseUrl, (c) =>
      c.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'listen "jobs:insert"%'`),
    );
    return listening.rows[0]!.n >= n;
  }, 200);
}

/** `GET /healthz` of a web process: its status and parts, or null when nothing answers. */
export async function health(base: string): Promise<{ status: number; body: Record<string, unknown> } | null> {
  try {
    const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch {
    return null;
  }
}

/** Polls /healthz until it answers 200; resolves with the milliseconds it took. */
export async function healthyAgain(base: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  await poll(`${base}/healthz to answer 200`, timeoutMs, async () => (await health(base))?.status === 200, 100);
  return performance.now() - started;
}

// ---------------------------------------------------------------------------------------------
// The fakes: each delivery is counted under its side effect's key (bundle/node/order id).

export const smsText = { w1: (id: string) => `Order ${id} is paid. Thank you!`, fanout: (id: string) => `Fan-out: order ${id} is paid.` };
export const whatsappText = (id: string) => `Fan-out: order ${id} is paid (WhatsApp).`;

function twilioKey(form: FormParams): string {
  const body = [form.Body].flat()[0] ?? '';
  const w1 = /^Order (\d+) is paid\. Thank you!$/.exec(body);
  if (w1) return effectKey('w1', 'sms', w1[1]!);
  const fan = /^Fan-out: order (\d+) is paid\.$/.exec(body);
  return fan ? effectKey('fanout', 'sms', fan[1]!) : `unexpected sms: ${body}`;
}

function whatsappKey(body: Record<string, unknown>): string {
  const text = (body.text as { body?: string } | undefined)?.body ?? '';
  const m = /^Fan-out: order (\d+) is paid \(WhatsApp\)\.$/.exec(text);
  return m ? effectKey('fanout', 'wa', m[1]!) : `unexpected whatsapp: ${text}`;
}

export interface Fakes {
  twilio: FakeTwilio;
  whatsapp: FakeWhatsApp;
  /** Deliveries of both fakes by side-effect key. */
  deliveries(): Map<string, number>;
  close(): Promise<void>;
}

/** `latencyMs`: each send is answered this much later, so that a kill finds calls in flight. */
export async function startFakes(latencyMs: number): Promise<Fakes> {
  const [twilio, whatsapp] = await Promise.all([
    startFakeTwilio({ recordRequests: false, keyOf: twilioKey, latencyMs }),
    startFakeWhatsApp({ recordRequests: false, keyOf: whatsappKey, latencyMs }),
  ]);
  return {
    twilio,
    whatsapp,
    deliveries: () => new Map([...twilio.deliveries, ...whatsapp.deliveries]),
    close: async () => {
      await Promise.all([twilio.close(), whatsapp.close()]);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The two bundles, through the HTTP API.

export class Api {
  token = '';
  constructor(readonly base: string) {}
  async call<T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 400)}`);
    return (text ? JSON.parse(text) : null) as T;
  }
}

interface ActionNode {
  id: string;
  type: string;
  connectionId: string;
  config: Record<string, unknown>;
}

/** A bundle whose actions each hang off the trigger (one edge per action), started. */
async function startBundle(api: Api, name: string, shopId: string, actions: ActionNode[]): Promise<string> {
  const trigger = { id: 'trigger', type: 'retailcrm.order_changed', connectionId: shopId, config: { events: ['status'], statuses: ['paid'], loadOrder: false }, position: { x: 0, y: 0 } };
  const nodes = [trigger, ...actions.map((a, i) => ({ ...a, position: { x: 300, y: 150 * i } }))];
  const edges = actions.map((a) => ({ source: trigger.id, target: a.id }));
  const flow = await api.call<{ id: string }>('POST', '/api/flows', { name, graph: { nodes, edges } });
  await api.call('POST', `/api/flows/${flow.id}/start`);
  return flow.id;
}

export interface Bundles {
  /** Bundle name (w1, fanout) → its RetailCRM connection id and webhook path. */
  shops: Record<'w1' | 'fanout', { connectionId: string; hookPath: string }>;
}

export async function setUpBundles(api: Api, fakes: Fakes): Promise<Bundles> {
  ({ token: api.token } = await api.call<{ token: string }>('POST', '/api/setup', { email: 'chaos@example.com', password: 'chaos password 1' }));
  const connect = (provider: string, name: string, config: Record<string, unknown>) =>
    api.call<{ id: string; webhookUrl: string }>('POST', '/api/connections', { provider, name, config });
  const shop = (name: string) => connect('retailcrm', name, { domain: 'chaos.retailcrm.ru', apiKey: 'x', baseUrl: 'http://127.0.0.1:9/unused' });
  const [w1Shop, fanShop, sms, wa] = await Promise.all([
    shop('Chaos shop (W1)'),
    shop('Chaos shop (fan-out)'),
    connect('twilio', 'Chaos Twilio', { accountSid: fakes.twilio.accountSid, authToken: fakes.twilio.authToken, baseUrl: fakes.twilio.url }),
    connect('whatsapp', 'Chaos WhatsApp', {
      accessToken: fakes.whatsapp.accessToken,
      appSecret: 'chaos-app-secret',
      verifyToken: 'chaos-verify',
      phoneNumberId: fakes.whatsapp.phoneNumbers[0]!.id,
      baseUrl: fakes.whatsapp.url,
    }),
  ]);
  const smsNode = (body: string): ActionNode => ({ id: 'sms', type: 'twilio.send_sms', connectionId: sms.id, config: { from: '+15550002222', to: '+15550001111', body } });
  await startBundle(api, 'W1: order paid → SMS', w1Shop.id, [smsNode('Order {{ trigger.id }} is paid. Thank you!')]);
  await startBundle(api, 'Fan-out: order paid → SMS and WhatsApp', fanShop.id, [
    smsNode('Fan-out: order {{ trigger.id }} is paid.'),
    { id: 'wa', type: 'whatsapp.send_text', connectionId: wa.id, config: { to: '+5511998765432', text: 'Fan-out: order {{ trigger.id }} is paid (WhatsApp).' } },
  ]);
  const hookPath = (url: string) => new URL(url).pathname;
  return {
    shops: {
      w1: { connectionId: w1Shop.id, hookPath: hookPath(w1Shop.webhookUrl) },
      fanout: { connectionId: fanShop.id, hookPath: hookPath(fanShop.webhookUrl) },
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** The commit checked out, `+changes` when the work tree differs from it. */
export function commitOf(root: string): string {
  try {
    return execFileSync('git', ['describe', '--always', '--abbrev=12', '--dirty=+changes'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** Warnings and errors the product logged (pino JSON lines at level ≥ 40), by message, per log file. */
export function logSummary(files: string[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const file of files) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const counts: Record<string, number> = {};
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) {
        const key = `(stderr) ${line.slice(0, 200)}`;
        if (/error|exception/i.test(line)) counts[key] = (counts[key] ?? 0) + 1;
        continue;
      }
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: unknown };
        if ((entry.level ?? 0) < 40) continue;
        const err = entry.err === undefined ? '' : ` (${(typeof entry.err === 'string' ? entry.err : JSON.stringify(entry.err)).slice(0, 160)})`;
        const key = `${entry.level! >= 50 ? 'error' : 'warn'}: ${(entry.msg ?? '').split('\n')[0]!.slice(0, 200)}${err}`;
        counts[key] = (counts[key] ?? 0) + 1;
      } catch {
        // A line cut by SIGKILL.
      }
    }
    const top = Object.entries(counts).sort((a, b) => b[1] - a[1]).slice(0, 20);
    if (top.length > 0) out[path.basename(file)] = Object.fromEntries(top);
  }
  return out;
}
