// The load client: trigger webhooks (W1: RetailCRM's form; W2: Guru's JSON) over keep-alive HTTP/1.1,
// bounded in count and in time.
// Closed loop (fixed concurrency, as fast as answered) and open loop (fixed offered rate).
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { SentEvent } from './stats.js';

export interface Target {
  /** The full webhook URL (http://127.0.0.1:port/hooks/…). */
  url: string;
  /** The body of event `id`; by default W1's RetailCRM form. */
  encode?: Encoder;
}

/** A webhook body for an event that should (`paid`) or should not start a send. */
export type Encoder = (id: string, paid: boolean) => { contentType: string; body: string };

export const retailcrmForm: Encoder = (id, paid) => ({ contentType: 'application/x-www-form-urlencoded', body: webhookBody(id, paid) });

/** Hands out unique order ids; every 10th event is status=new, the others status=paid. */
export class IdSource {
  private n = 0;
  constructor(
    private readonly prefix: number,
    /** How a workload spells the number (W2: as Guru's UUID transaction ids). */
    private readonly format: (n: number) => string = String,
  ) {}
  next(): { id: string; paid: boolean } {
    const i = this.n++;
    return { id: this.format(this.prefix + i), paid: i % 10 !== 9 };
  }
}

export function webhookBody(id: string, paid: boolean): string {
  return `type=order&status=${paid ? 'paid' : 'new'}&id=${id}&event=status`;
}

const REQUEST_TIMEOUT_MS = 10_000;

function post(agent: http.Agent, url: URL, id: string, paid: boolean, encode: Encoder = retailcrmForm): Promise<SentEvent> {
  const { contentType, body } = encode(id, paid);
  return new Promise((resolve) => {
    const sentAt = performance.now();
    let settled = false;
    const done = (status: number) => {
      if (settled) return;
      settled = true;
      resolve(status > 0 ? { id, paid, sentAt, ackAt: performance.now(), status } : { id, paid, sentAt, status: 0 });
    };
    const req = http.request(
      {
        agent,
        method: 'POST',
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => done(res.statusCode ?? 0));
        res.on('error', () => done(0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => done(0));
    req.end(body);
  });
}

export function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, keepAliveMsecs: 1000 });
}

export interface PhaseResult {
  events: SentEvent[];
  startedAt: number;
  /** When the last answer came back. */
  endedAt: number;
}

/** `concurrency` requests in flight until `durationMs` passed or `maxEvents` were sent. */
export async function closedLoop(opts: { target: Target; ids: IdSource; concurrency: number; durationMs: number; maxEvents: number }): Promise<PhaseResult> {
  const url = new URL(opts.target.url);
  const agent = keepAliveAgent(opts.concurrency);
  const events: SentEvent[] = [];
  const startedAt = performance.now();
  const deadline = startedAt + opts.durationMs;
  let sent = 0;
  const lane = async () => {
    while (sent < opts.maxEvents && performance.now() < deadline) {
      sent++;
      const { id, paid } = opts.ids.next();
      events.push(await post(agent, url, id, paid, opts.target.encode));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, lane));
  agent.destroy();
  return { events, startedAt, endedAt: performance.now() };
}

/**
 * Sends at a fixed rate whatever the answers (no coordinated omission), for `durationMs`;
 * at most `maxInFlight` requests wait for an answer (beyond that, sends are skipped and counted).
 */
export async function openLoop(opts: { target: Target; ids: IdSource; ratePerSec: number; durationMs: number; maxInFlight: number }): Promise<PhaseResult & { skipped: number }> {
  const url = new URL(opts.target.url);
  const agent = keepAliveAgent(opts.maxInFlight);
  const events: SentEvent[] = [];
  const pending = new Set<Promise<void>>();
  const startedAt = performance.now();
  const total = Math.floor((opts.ratePerSec * opts.durationMs) / 1000);
  const interval = 1000 / opts.ratePerSec;
  let skipped = 0;
  for (let i = 0; i < total; i++) {
    const due = startedAt + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (pending.size >= opts.maxInFlight) {
      skipped++;
      continue;
    }
    const { id, paid } = opts.ids.next();
    const p: Promise<void> = post(agent, url, id, paid, opts.target.encode).then((e) => {
      events.push(e);
      pending.delete(p);
    });
    pending.add(p);
  }
  await Promise.all(pending);
  agent.destroy();
  return { events, startedAt, endedAt: performance.now(), skipped };
}
