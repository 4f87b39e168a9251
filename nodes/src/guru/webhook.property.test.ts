// Guru's webhook code under thousands of mangled bodies: the fixtures with fields dropped, retyped or replaced by
// hostile values (NUL, lone surrogates, 50,000-character runs, 2,000-level nesting, objects whose toString is no
// function), truncated or garbage JSON, wrapped and unwrapped. verify never throws; parse throws only
// WebhookParseError or returns events whose payload parses against its trigger's output schema; each request is fast.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { WebhookParseError, type ParsedEvent, type WebhookRequest } from '../define.js';
import { testConnection } from '../testing.js';
import { webhookLimits } from '../webhooks.js';
import { guruEticket, guruWebhookDeactivation } from './fixtures/other.js';
import { guruSubscriptionActive, guruSubscriptionCanceled } from './fixtures/subscription.js';
import { guruFixtureToken, guruTransactionApproved, guruTransactionWaitingPix } from './fixtures/transaction.js';
import { GURU_SUBSCRIPTION_EVENT, GURU_TRANSACTION_EVENT } from './events.js';
import { guru } from './provider.js';
import { keyPart } from './read.js';
import { guruSubscriptionStatusChanged } from './subscription-status-changed.js';
import { guruTransactionStatusChanged } from './transaction-status-changed.js';

const runs = 5_000;
/** Per request, verify and parse together: a bound against super-linear work, generous for a loaded 2-core machine. */
const perRequestMs = 250;
const webhook = guru.definition.webhook!;
const conn = testConnection('guru', { apiToken: guruFixtureToken });
const outputs: Record<string, z.ZodType> = {
  [GURU_TRANSACTION_EVENT]: guruTransactionStatusChanged.output,
  [GURU_SUBSCRIPTION_EVENT]: guruSubscriptionStatusChanged.output,
};

function nested(levels: number, kind: 'array' | 'object'): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>(
      '', ' ', '\u0000', 'a\u0000b', '\uD800', 'x\uDFFFy', '\uFEFF', '\u202E', 'NaN', 'Infinity', '-0', '1e309', '197.00', '0x1f', '__proto__',
      'constructor', 'toString', '+55', '55', '(11) 98765-4321', '+5511987654321', 'approved', 'refunded', 'canceled', 'transaction', 'subscription',
      'eticket', guruFixtureToken, guruFixtureToken.toUpperCase(), 0, -1, 1e21, 1749992068, 1.5, true, false, null, [], {}, [[[]]],
      { toString: 1 }, { toString: null, valueOf: null }, { valueOf: {} }, [{ toString: 1 }],
    ),
  },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 30 }) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('9', 'a', ' ', ':', '\uD83D\uDE00', '%'), fc.integer({ min: 1_000, max: 50_000 })).map(([c, n]) => c.repeat(n)) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 2_000 }), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([n, k]) => nested(n, k)) },
);

/** Sets a key as an own property, `__proto__` included (as JSON.parse would). */
function put(o: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Fields that decide whether there is an event at all: mangled less often, so that most bodies reach the payload. */
const keyFields = new Set(['api_token', 'webhook_type', 'id', 'status', 'subscription_code', 'last_status']);

/** The value with its fields kept, dropped, or replaced by hostile ones, all the way down. */
function mangled(value: unknown, keep = 8): fc.Arbitrary<unknown> {
  const replaced = { weight: 1, arbitrary: hostileValue };
  if (Array.isArray(value)) {
    const item = value.length > 0 ? mangled(value[0]) : hostileValue;
    return fc.oneof({ weight: keep, arbitrary: fc.array(item, { maxLength: 3 }) }, replaced);
  }
  if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value).map(([k, v]) =>
      fc.oneof({ weight: keyFields.has(k) ? 40 : 10, arbitrary: mangled(v, keyFields.has(k) ? 40 : 8).map((x): [string, unknown] => [k, x]) }, { weight: 1, arbitrary: fc.constant(null) }),
    );
    const stray = fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'toString')), hostileValue), { maxLength: 2 });
    const object = fc.tuple(fc.tuple(...fields), stray).map(([kept, extra]) => {
      const o: Record<string, unknown> = {};
      for (const f of kept) if (f) put(o, f[0], f[1]);
      for (const [k, v] of extra) put(o, k, v);
      return o;
    });
    return fc.oneof({ weight: keep * 2, arbitrary: object }, replaced);
  }
  return fc.oneof({ weight: keep, arbitrary: fc.constant(value) }, replaced);
}

const fixtureBody = fc.oneof(
  { weight: 5, arbitrary: fc.oneof(mangled(guruTransactionApproved), mangled(guruTransactionWaitingPix)) },
  { weight: 4, arbitrary: fc.oneof(mangled(guruSubscriptionCanceled), mangled(guruSubscriptionActive)) },
  { weight: 1, arbitrary: fc.oneof(mangled(guruEticket), mangled(guruWebhookDeactivation)) },
  // Anything at all, with the right token so that parse sees it.
  { weight: 1, arbitrary: fc.tuple(fc.dictionary(fc.string({ maxLength: 12 }), hostileValue, { maxKeys: 6 }), fc.constantFrom('transaction', 'subscription', 'eticket', 'x')).map(([o, t]) => ({ ...o, api_token: guruFixtureToken, webhook_type: t })) },
);
/** Sometimes inside the delivery-log envelope. */
const body = fc.tuple(fixtureBody, fc.nat({ max: 9 })).map(([b, dice]) => (dice === 0 ? { attempts: 1, payload: b, request_id: 'r1', url: 'https://x' } : b));

type Mode = 'json' | 'text' | 'undecoded';
interface Delivery {
  raw: string;
  mode: Mode;
}
const delivery: fc.Arbitrary<Delivery> = fc.oneof(
  { weight: 12, arbitrary: fc.tuple(body, fc.constantFrom<Mode>('json', 'json', 'json', 'json', 'text')).map(([b, mode]) => ({ raw: JSON.stringify(b), mode })) },
  // Cut short, or no JSON at all: the server cannot decode it, or hands it over as text.
  { weight: 1, arbitrary: fc.tuple(mangled(guruTransactionApproved), fc.nat()).map(([b, n]) => { const t = JSON.stringify(b); return { raw: t.slice(0, n % Math.max(1, t.length)), mode: 'text' as const }; }) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('[', '{"api_token":', '{}x', '[[[[[[[[', '{"a":1}{"b":2}')).map((raw) => ({ raw, mode: 'text' as const })) },
);

function depthOf(value: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > max) max = d;
    if (typeof v === 'object' && v !== null) for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** The request the server would hand over: JSON parsed (and refused past the depth limit), or the text. */
function requestOf(d: Delivery): { req: WebhookRequest; decoded: boolean } {
  let body: unknown = null;
  let decoded = true;
  if (d.mode === 'json') {
    try {
      body = JSON.parse(d.raw);
      if (depthOf(body) >= webhookLimits.depth) [body, decoded] = [null, false];
    } catch {
      decoded = false;
    }
  } else body = d.raw;
  return { req: { method: 'POST', url: 'https://bundles.example.com/hooks/c/s', headers: { 'content-type': 'application/json' }, query: {}, rawBody: Buffer.from(d.raw), body }, decoded };
}

function checkEvents(events: unknown): asserts events is ParsedEvent[] {
  if (!Array.isArray(events)) throw new Error(`parse returned ${typeof events}`);
  for (const e of events as ParsedEvent[]) {
    const output = outputs[e.type];
    if (!output) throw new Error(`unknown event type ${e.type}`);
    const result = output.safeParse(e.payload);
    if (!result.success) throw new Error(`payload does not parse: ${JSON.stringify(result.error.issues).slice(0, 500)}`);
    if (JSON.stringify(JSON.parse(JSON.stringify(e.payload))) !== JSON.stringify(e.payload)) throw new Error('payload is not plain JSON');
    if (e.keyKind !== 'state' || typeof e.subject !== 'string' || e.subject === '') throw new Error(`bad key kind or subject: ${e.keyKind} ${e.subject}`);
    if (e.dedupeKey !== `${e.subject}:${keyPart(String(e.payload.status))}`) throw new Error(`dedupeKey ${e.dedupeKey} is not subject + status`);
  }
}

describe('guru webhook, under mangled bodies', () => {
  it(`over ${runs.toLocaleString('en')} requests: verify answers ok or a reason, parse throws only WebhookParseError or returns well-formed events, each under ${perRequestMs} ms`, () => {
    let withEvents = 0;
    fc.assert(
      fc.property(delivery, (d) => {
        const started = performance.now();
        const { req, decoded } = requestOf(d);
        const verdict = webhook.verify(req, conn as never);
        if (!(verdict.ok === true || (verdict.ok === false && typeof verdict.reason === 'string' && verdict.reason !== ''))) throw new Error(`verify returned ${JSON.stringify(verdict)}`);
        if (verdict.ok && decoded) {
          try {
            const events = webhook.parse(req, conn as never);
            checkEvents(events);
            if (events.length > 0) withEvents++;
          } catch (err) {
            if (!(err instanceof WebhookParseError)) throw err;
          }
        }
        const ms = performance.now() - started;
        if (ms >= perRequestMs) throw new Error(`the request took ${ms.toFixed(0)} ms (${d.raw.length} bytes)`);
      }),
      { numRuns: runs },
    );
    // The generator reaches parse with bodies it accepts often enough for the property to mean something.
    expect(withEvents / runs).toBeGreaterThanOrEqual(0.25);
  }, 120_000);
});
