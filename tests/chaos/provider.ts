// The chaos load client: behaves like a provider. Each event is POSTed until it is answered 2xx (an
// error status, a 503 with Retry-After, a refused or reset connection are tried again after a capped
// backoff), and given up after a bounded time, so that the script always ends. Offered at a fixed rate
// (open loop) until told to stop. Loopback only.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { keepAliveAgent, webhookBody, type IdSource } from '../bench/load.js';
import { sleep } from '../bench/procs.js';

/** One bundle's webhook and the order ids sent to it. */
export interface ProviderTarget {
  bundle: string;
  url: string;
  ids: IdSource;
}

/** One event as the provider saw it: every answer it got, the last one decides. */
export interface ProviderEvent {
  bundle: string;
  id: string;
  paid: boolean;
  firstSentAt: number;
  /** HTTP status of each attempt; 0 for no answer (refused, reset, timeout). */
  answers: number[];
  /** performance.now() of the 2xx answer; undefined when the provider gave up. */
  ackAt?: number;
}

export const isAcknowledged = (e: ProviderEvent): boolean => e.ackAt !== undefined;

export interface RetryPolicy {
  /** Give an event up this long after its first send. */
  giveUpMs: number;
  /** First wait after a failed attempt; doubled each time up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  /** A Retry-After longer than this is shortened (a provider that tries again sooner than asked). */
  maxRetryAfterMs: number;
  requestTimeoutMs: number;
}

interface Answer {
  status: number;
  retryAfterMs: number | null;
}

function postOnce(agent: http.Agent, url: URL, body: string, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    let answered = false;
    const answer = (status: number, retryAfter?: string | string[]) => {
      if (answered) return;
      answered = true;
      const seconds = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
      resolve({ status, retryAfterMs: retryAfter !== undefined && Number.isFinite(seconds) ? seconds * 1000 : null });
    };
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) };
    const req = http.request(url, { agent, method: 'POST', headers, timeout: timeoutMs }, (res) => {
      res.resume();
      res.once('end', () => answer(res.statusCode ?? 0, res.headers['retry-after']));
      res.once('error', () => answer(0));
    });
    req.once('timeout', () => req.destroy(new Error('no answer in time')));
    req.once('error', () => answer(0));
    req.end(body);
  });
}

/** Sends one event until it is acknowledged or `policy.giveUpMs` passed. */
async function deliver(agent: http.Agent, url: URL, event: ProviderEvent, policy: RetryPolicy): Promise<void> {
  const body = webhookBody(event.id, event.paid);
  for (let attempt = 0; ; attempt++) {
    const { status, retryAfterMs } = await postOnce(agent, url, body, policy.requestTimeoutMs);
    event.answers.push(status);
    if (status >= 200 && status < 300) {
      event.ackAt = performance.now();
      return;
    }
    const backoff = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.min(attempt, 10));
    const wait = retryAfterMs === null ? backoff : Math.min(retryAfterMs, policy.maxRetryAfterMs);
    if (performance.now() + wait - event.firstSentAt > policy.giveUpMs) return;
    await sleep(wait * (0.75 + Math.random() * 0.5));
  }
}

export interface ProviderLoad {
  /** Stops offering new events; the ones in flight go on until acknowledged or given up. */
  stop(): void;
  /** Events offered so far (the same array the result holds). */
  readonly events: readonly ProviderEvent[];
  /** Resolves once load stopped and every event is acknowledged or given up. */
  done: Promise<{ events: ProviderEvent[]; startedAt: number; endedAt: number }>;
}

/** Offers `ratePerSec` events, round-robin over `targets`, until stop() or `maxEvents`. */
export function startProviderLoad(opts: { targets: ProviderTarget[]; ratePerSec: number; maxEvents: number; maxSockets: number; policy: RetryPolicy }): ProviderLoad {
  const agent = keepAliveAgent(opts.maxSockets);
  const urls = opts.targets.map((t) => new URL(t.url));
  const events: ProviderEvent[] = [];
  const inFlight: Array<Promise<void>> = [];
  let stopped = false;
  const startedAt = performance.now();
  const interval = 1000 / opts.ratePerSec;
  const offering = (async () => {
    for (let i = 0; i < opts.maxEvents && !stopped; i++) {
      const wait = startedAt + i * interval - performance.now();
      if (wait > 1) await sleep(wait);
      if (stopped) break;
      const k = i % opts.targets.length;
      const target = opts.targets[k]!;
      const { id, paid } = target.ids.next();
      const event: ProviderEvent = { bundle: target.bundle, id, paid, firstSentAt: performance.now(), answers: [] };
      events.push(event);
      inFlight.push(deliver(agent, urls[k]!, event, opts.policy));
    }
  })();
  const done = (async () => {
    await offering;
    await Promise.all(inFlight);
    agent.destroy();
    return { events, startedAt, endedAt: performance.now() };
  })();
  return {
    stop: () => {
      stopped = true;
    },
    events,
    done,
  };
}

/** Answers by kind over all attempts: `2xx`, `503`, `no answer`, or the status itself. */
export function answerCounts(events: Iterable<ProviderEvent>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) {
    for (const s of e.answers) {
      const kind = s === 0 ? 'no answer' : s >= 200 && s < 300 ? '2xx' : String(s);
      out[kind] = (out[kind] ?? 0) + 1;
    }
  }
  return out;
}
