// Property test of the consent callback parser: thousands of generated callbacks — plausible ones and
// mangled ones (wrong types, repeated fields, placeholders left unfilled, hostile text, deep nesting,
// garbage bytes, floods of form fields) — give only a WebhookParseError or one well-formed event whose
// payload fits the trigger's output schema.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WebhookParseError, type ParsedEvent, type WebhookRequest } from '../define.js';
import { testConnection } from '../testing.js';
import { decodeForm, FormLimitError } from '../webhooks.js';
import { readEmail } from './contact.js';
import { salesmanagoContactConsentChanged } from './contact-consent-changed.js';
import { salesmanago } from './provider.js';

const runs = 5_000;
const perRequestMs = 250;
const hookUrl = 'https://bundles.example.com/hooks/0b6c8f0e-3f4a-4c59-9d3e-5a1b2c3d4e5f/s3cr3t';
const webhook = salesmanago.definition.webhook!;
const connection = testConnection('salesmanago', { server: 'app3', clientId: 'c', apiKey: 'k', apiSecret: 's', owner: 'o@example.com' }, hookUrl);

const hostileText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.constantFrom('', ' ', '$email$', '%24email%24', 'null', '__proto__', 'constructor', '\uD800', 'a\u0000b', '\uFEFF', '1e309', '@', 'a@', '@b.c', 'a@b', 'a@b..c'),
  fc.tuple(fc.constantFrom('a', '@', '.', '+', ' '), fc.integer({ min: 500, max: 20_000 })).map(([c, n]) => c.repeat(n)),
);
const kindText = fc.oneof(fc.constantFrom('opt_in', 'opt_out', 'OPT_IN', 'Opt-Out', 'optin', 'unsubscribe', 'subscribed', 'opt in'), hostileText);
const emailText = fc.oneof(
  fc.tuple(fc.stringMatching(/^[a-z0-9._+-]{1,20}$/), fc.stringMatching(/^[a-z0-9-]{1,12}$/), fc.constantFrom('com', 'pl', 'com.br')).map(([l, d, t]) => `${l}@${d}.${t}`),
  fc.constantFrom('Ana.Souza@Example.com', 'jan+news@example.pl', ' ana@example.com '),
  hostileText,
);
const field = (text: fc.Arbitrary<string>) => fc.oneof({ weight: 6, arbitrary: text }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });

/** Query pairs: the setup URL's kind and email (mostly), repeated or missing, among others. */
const queryPairs = fc
  .tuple(
    fc.option(kindText, { freq: 4, nil: undefined }),
    fc.option(emailText, { freq: 4, nil: undefined }),
    fc.array(fc.tuple(fc.constantFrom('kind', 'email', 'contactId', 'key', 'x'), hostileText), { maxLength: 3 }),
  )
  .map(([kind, email, rest]) => [...(kind !== undefined ? [['kind', kind] as [string, string]] : []), ...(email !== undefined ? [['email', email] as [string, string]] : []), ...rest]);

const jsonBody = fc
  .record(
    {
      email: field(emailText),
      contactEmail: field(emailText),
      contactId: field(hostileText),
      kind: field(kindText),
      type: field(kindText),
      status: field(kindText),
      event: field(kindText),
      contact: fc.oneof(fc.record({ email: field(emailText), contactId: field(hostileText) }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 2 })),
    },
    { requiredKeys: [] },
  )
  .map((o) => JSON.stringify(o));
const deepJson = fc.integer({ min: 10, max: 3_000 }).map((n) => `${'{"contact":'.repeat(n)}{}${'}'.repeat(n)}`);
const formBody = fc.array(fc.tuple(fc.constantFrom('email', 'contactEmail', 'contactId', 'kind', 'status', 'x'), fc.oneof(emailText, kindText)), { maxLength: 6 }).map((pairs) => {
  const u = new URLSearchParams();
  for (const [k, v] of pairs) u.append(k, v);
  return u.toString();
});
const formFlood = fc.integer({ min: 990, max: 3_000 }).map((n) => 'email=a%40b.co&'.repeat(n));

type Body = { raw: Buffer; contentType: string };
const body: fc.Arbitrary<Body> = fc.oneof(
  fc.record({ raw: fc.constant(Buffer.alloc(0)), contentType: fc.constantFrom('', 'application/json') }),
  fc.record({ raw: fc.oneof(jsonBody, deepJson, fc.constantFrom('[]', 'null', '5', '"x"', '{', '{"email":"a@b.co"}x')).map((s) => Buffer.from(s)), contentType: fc.constantFrom('application/json', 'text/plain', '') }),
  fc.record({ raw: fc.oneof(formBody, formFlood).map((s) => Buffer.from(s)), contentType: fc.constantFrom('application/x-www-form-urlencoded', 'text/plain') }),
  fc.record({ raw: fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b)), contentType: fc.constantFrom('application/octet-stream', 'text/plain') }),
);

/** The server's decoding in short: JSON or a form by content type, else text; a body it cannot decode never reaches parse. */
function serverBody(b: Body): { ok: true; value: unknown } | { ok: false } {
  if (b.raw.length === 0) return { ok: true, value: null };
  const text = b.raw.toString('utf8');
  try {
    if (b.contentType.includes('json')) return { ok: true, value: JSON.parse(text) };
    if (b.contentType.includes('form')) return { ok: true, value: decodeForm(text) };
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof FormLimitError) return { ok: false };
    throw err;
  }
  return { ok: true, value: text };
}

function check(events: ParsedEvent[]): void {
  expect(events).toHaveLength(1);
  const [e] = events as [ParsedEvent];
  const payload = salesmanagoContactConsentChanged.output.parse(e.payload);
  expect(readEmail(payload.email)).toBe(payload.email);
  expect(e).toMatchObject({ type: 'salesmanago.contact_consent', keyKind: 'state', dedupeKey: `contact:${payload.email}:${payload.kind}`, subject: `contact:${payload.email}` });
  expect(payload.contactId === undefined || payload.contactId.length <= 64).toBe(true);
}

describe('salesmanago consent callback parse, under generated requests', () => {
  it(`over ${runs.toLocaleString('en')} requests: a WebhookParseError or one well-formed event, each under ${perRequestMs} ms`, () => {
    let withEvents = 0;
    fc.assert(
      fc.property(queryPairs, body, fc.constantFrom('POST', 'GET'), (pairs, b, method) => {
        const decoded = serverBody(b);
        if (!decoded.ok) return;
        const search = new URLSearchParams(pairs).toString();
        const req: WebhookRequest = {
          method,
          url: `${hookUrl}?${search}`,
          headers: b.contentType ? { 'content-type': b.contentType } : {},
          query: decodeForm(search, Infinity),
          rawBody: b.raw,
          body: decoded.value,
        };
        const started = performance.now();
        let events: ParsedEvent[] | null = null;
        try {
          events = webhook.parse(req, connection as never);
        } catch (err) {
          if (!(err instanceof WebhookParseError)) throw err;
        }
        if (events) {
          check(events);
          withEvents++;
        }
        expect(performance.now() - started).toBeLessThan(perRequestMs);
      }),
      { numRuns: runs },
    );
    // The generators reach a valid callback often enough for the property to mean something.
    expect(withEvents / runs).toBeGreaterThan(0.1);
  }, 60_000);
});
