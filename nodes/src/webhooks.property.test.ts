// Property tests of every provider's webhook code: 10,000 generated requests per provider. Half of them
// are plausible deliveries (so that parse is reached and builds events), the other half hostile: floods
// of repeated fields, absurd counts (NumMedia=1e309), lone surrogates, NUL, deep nesting, values of the
// wrong type, garbage bytes, wrong content types. Most are correctly signed with the connection's secret.
// The body is decoded as the server decodes it (server/src/runtime/webhook-body.ts, mirrored below:
// nodes does not import server), and the calls are made in ingest's order: challenge, verify, then —
// when verify says ok and the body could be decoded — parse and respond.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signTokopediaBody } from '../../tests/fakes/tokopedia.js';
import { signTwilioRequest } from '../../tests/fakes/twilio.js';
import { signWhatsAppBody } from '../../tests/fakes/whatsapp.js';
import { WebhookParseError, type ParsedEvent, type ProviderWebhook, type WebhookAnswer, type WebhookRequest } from './define.js';
import { providers } from './index.js';
import { testConnection } from './testing.js';
import { decodeForm, FormLimitError, webhookLimits } from './webhooks.js';

const runs = 10_000;
/** Per request, all calls together: a bound against super-linear work, generous for a loaded 2-core machine. */
const perRequestMs = 250;
const hookUrl = 'https://bundles.example.com/hooks/0b6c8f0e-3f4a-4c59-9d3e-5a1b2c3d4e5f/s3cr3t';

// ---------------------------------------------------------------------------------------------
// The server's decoding, mirrored: JSON or form by content type, else text; refused (parse is then not
// called) when it has too many form fields or could not be stored: NUL, an unpaired surrogate, nesting
// deeper than webhookLimits.depth.

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unstorableText = (s: string) => s.includes('\u0000') || loneSurrogate.test(s);

function storable(value: unknown): boolean {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (unstorableText(v)) return false;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= webhookLimits.depth) return false;
    for (const [k, child] of Object.entries(v)) {
      if (!Array.isArray(v) && unstorableText(k)) return false;
      stack.push({ v: child, depth: depth + 1 });
    }
  }
  return true;
}

type Decoded = { ok: true; body: unknown } | { ok: false };

function serverDecode(raw: Buffer, contentType: string): Decoded {
  if (raw.length === 0) return { ok: true, body: null };
  const type = contentType.toLowerCase();
  const text = raw.toString('utf8');
  let body: unknown;
  if (type.includes('json')) {
    try {
      body = JSON.parse(text);
    } catch {
      return { ok: false };
    }
  } else if (type.includes('application/x-www-form-urlencoded')) {
    try {
      body = decodeForm(text);
    } catch (err) {
      if (err instanceof FormLimitError) return { ok: false };
      throw err;
    }
  } else body = text;
  return storable(body) ? { ok: true, body } : { ok: false };
}

// ---------------------------------------------------------------------------------------------
// Text and numbers. A Kit is one flavour of field content: plausible, or hostile.

const plainSpecials = [
  '', ' ', '0', '1', '2', '10', '11', '-1', '1.5', '-0', 'NaN', 'Infinity', '1e309', '-1e309', '1e-400', '4.9e-324', '9999999',
  '1.7976931348623157e308', '99999999999999999999', '0x1f', 'null', 'undefined', 'true', '[object Object]',
  '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'received', 'receiving', 'delivered', 'failed', 'read',
  'whatsapp', 'whatsapp:', 'whatsapp:+15550001111', '+15550001111', 'new', 'create', 'status', 'order', 'subscribe',
  '\uD83D\uDE00', '\uFFFD', '\u202E', '\uFEFF', '%', '%00', '%ZZ', '&', '=', '&=&',
];
const unstorableSpecials = ['\u0000', 'a\u0000b', '\uD800', '\uDFFF', 'x\uD800y', '\uDC00\uD800'];

const nastyChar = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'abcxyzABCXYZ0123456789 -_.:+/\\"\'{}[],&=%?#') },
  { weight: 2, arbitrary: fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uD83D\uDE00', '\uFFFD', 'é', '\u202E', '\n', '\r', '\t', '\uFEFF') },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)) },
);
/** A run of one character, 1,000 to 20,000 long. */
const longRun = (c: fc.Arbitrary<string>) => fc.tuple(c, fc.integer({ min: 1_000, max: 20_000 })).map(([ch, n]) => ch.repeat(n));

/** Any text: hostile characters, special values, rarely a long run. */
const nastyText = fc.oneof(
  { weight: 10, arbitrary: fc.string({ unit: nastyChar, maxLength: 20 }) },
  { weight: 6, arbitrary: fc.constantFrom(...plainSpecials, ...unstorableSpecials) },
  { weight: 1, arbitrary: longRun(nastyChar) },
);
/** Text a sender could mean: printable, sometimes beyond ASCII, sometimes a value that looks like something else. */
const plainText = fc.oneof(
  { weight: 12, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 16 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
  { weight: 4, arbitrary: fc.constantFrom(...plainSpecials) },
);
const digits = fc.stringMatching(/^[0-9]{1,12}$/);

/** JSON text of a string (lone surrogates and NUL come out escaped, as a sender would write them). */
const jStr = (s: string) => JSON.stringify(s);
/** Numbers as JSON text, including literals JavaScript cannot hold (1e309, 1e-400, 30 digits). */
const plainNum = fc.oneof(fc.integer({ min: -1_000, max: 2_000_000_000 }).map(String), fc.constantFrom('0', '1', '1700000000', '50000', '0.5'));
const nastyNum = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.constantFrom('0', '-1', '1e309', '-1e309', '1e-400', '123456789012345678901234567890', '9007199254740993', '1e20', '99999999999999', '-0', '-8640000000001'),
);
const jArray = (items: fc.Arbitrary<string>, size: { minLength?: number; maxLength: number } = { maxLength: 3 }) => fc.array(items, size).map((xs) => `[${xs.join(',')}]`);
const jPairs = (pairs: Array<[string, string]>) => `{${pairs.map(([k, v]) => `${jStr(k)}:${v}`).join(',')}}`;

/** Any JSON value, a few levels deep, with hostile leaves. */
const anyJson: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.oneof({ weight: 4, arbitrary: nastyText.map(jStr) }, { weight: 2, arbitrary: nastyNum }, { weight: 1, arbitrary: fc.constantFrom('true', 'false', 'null') }),
    jArray(tie('v'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.oneof(nastyText, fc.constantFrom('id', 'type', 'entry', 'toString', 'valueOf', '__proto__')), tie('v')), { maxLength: 4 }).map(jPairs),
  ),
})).v;
/** Values that break a naive String(v) or template literal: objects whose toString/valueOf are not functions. */
const hostileObject = fc.constantFrom('{"toString":1}', '{"toString":null,"valueOf":null}', '{"valueOf":{}}', '[{"toString":1}]', '{"__proto__":{"x":1}}');
/** `[[[…]]]` or `{"a":{"a":…}}` nested `n` levels, built as text (not as an object); sometimes unbalanced. */
const deepJson = fc
  .tuple(
    fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 60, max: 70 }) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 200 }) }, { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 5_000 }) }),
    fc.constantFrom('array', 'object', 'unbalanced'),
  )
  .map(([n, kind]) => (kind === 'array' ? '['.repeat(n) + ']'.repeat(n) : kind === 'object' ? '{"a":'.repeat(n) + '1' + '}'.repeat(n) : '['.repeat(n)));

interface Kit {
  /** Text of a field. */
  text: fc.Arbitrary<string>;
  /** An id: digits, a token, or (hostile) anything. */
  id: fc.Arbitrary<string>;
  /** A JSON number literal. */
  num: fc.Arbitrary<string>;
  /** A JSON field value: `arb`, or (hostile) now and then a value of another type. */
  field(arb: fc.Arbitrary<string>): fc.Arbitrary<string>;
  /** How many items a JSON list has. */
  items: { minLength: number; maxLength: number };
  /** Odds that an object's usual field is there: [present, absent]. */
  presence: [number, number];
}
const plain: Kit = {
  text: plainText,
  id: fc.oneof({ weight: 3, arbitrary: digits }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9._-]{1,30}$/) }),
  num: plainNum,
  field: (arb) => arb,
  items: { minLength: 1, maxLength: 2 },
  presence: [15, 1],
};
const nasty: Kit = {
  text: fc.oneof({ weight: 3, arbitrary: plainText }, { weight: 1, arbitrary: nastyText }),
  id: fc.oneof({ weight: 3, arbitrary: digits }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9.=_-]{1,40}$/) }, { weight: 2, arbitrary: nastyText }),
  num: nastyNum,
  field: (arb) => fc.oneof({ weight: 30, arbitrary: arb }, { weight: 3, arbitrary: anyJson }, { weight: 1, arbitrary: hostileObject }, { weight: 1, arbitrary: deepJson }),
  items: { minLength: 0, maxLength: 3 },
  presence: [5, 1],
};
/** The same generator built with each kit: half the requests plausible, half hostile. */
const eitherKit = (build: (k: Kit) => fc.Arbitrary<string>) => fc.oneof(build(plain), build(nasty));

/** A JSON object with these fields, each present most of the time (`rare` ones seldom), plus stray ones. */
function jObject(k: Kit, fields: Record<string, fc.Arbitrary<string>>, rare: Record<string, fc.Arbitrary<string>> = {}): fc.Arbitrary<string> {
  const present = (yes: number, no: number) => ([name, arb]: [string, fc.Arbitrary<string>]) =>
    fc.oneof({ weight: yes, arbitrary: k.field(arb).map((v): [string, string] | null => [name, v]) }, { weight: no, arbitrary: fc.constant(null) });
  const known = [...Object.entries(fields).map(present(...k.presence)), ...Object.entries(rare).map(present(1, 3))];
  const stray = k === plain ? fc.constant<Array<[string, string]>>([]) : fc.array(fc.tuple(nastyText, anyJson), { maxLength: 2 });
  return fc.tuple(fc.tuple(...known), stray, fc.nat({ max: 9 })).map(([ks, extra, dice]) => {
    const pairs = [...ks.filter((p): p is [string, string] => p !== null), ...extra];
    // A repeated name (JSON.parse keeps the last one).
    if (k === nasty && dice === 0 && pairs[0]) pairs.push([pairs[0][0], 'null']);
    return jPairs(pairs);
  });
}
/** A JSON list of a few items (at least one when plausible); with `many` (a small item), rarely that item about webhookLimits.events times. */
function jList(k: Kit, item: fc.Arbitrary<string>, many?: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const few = jArray(item, k.items);
  if (!many) return k.field(few);
  return k.field(fc.oneof({ weight: 40, arbitrary: few }, { weight: 1, arbitrary: fc.tuple(many, fc.integer({ min: 900, max: 1_200 })).map(([x, n]) => `[${Array(n).fill(x).join(',')}]`) }));
}

// ---------------------------------------------------------------------------------------------
// Forms and bytes.

/** Percent-encoded when it can be (encodeURIComponent refuses lone surrogates), else raw. */
function encodeFormText(s: string, raw: boolean): string {
  if (raw) return s;
  try {
    return encodeURIComponent(s);
  } catch {
    return s;
  }
}
const formJunk = fc.constantFrom('%', '%Z', '%ZZ', '%00', '%ED%A0%80', '%C0%80', '%FF', '+', '&&&', '==', '=&=', ';', '%26', '%3D');
/**
 * A form: the `lead` pairs, then generated pairs (a name up to three times over), encoded; hostile forms
 * also leave some pairs raw or bare (a name without `=`) and splice junk in.
 */
function form(k: Kit, pair: fc.Arbitrary<[string, string]>, lead: fc.Arbitrary<Array<[string, string]>> = fc.constant([])): fc.Arbitrary<string> {
  const item = fc.tuple(pair, fc.integer({ min: 1, max: k === plain ? 1 : 3 }), fc.nat({ max: 9 }));
  return fc.tuple(lead, fc.array(item, { maxLength: 12 }), k === plain ? fc.constant(null) : fc.option(formJunk, { freq: 4, nil: null })).map(([first, items, junk]) => {
    const parts: string[] = first.map(([n, v]) => `${encodeFormText(n, false)}=${encodeFormText(v, false)}`);
    for (const [[n, v], times, mode] of items) {
      const hostile = k === nasty ? mode : 9;
      for (let i = 0; i < times; i++) parts.push(hostile === 0 ? n : `${encodeFormText(n, hostile === 1)}=${encodeFormText(v, hostile === 1)}`);
    }
    if (junk !== null) parts.splice(parts.length >> 1, 0, junk);
    return parts.join('&');
  });
}
/** `name=&name=&…` about a thousand times or more (the pair cap is webhookLimits.formPairs). */
const formFlood = (names: string[]) =>
  fc
    .tuple(fc.constantFrom('a', ...names), fc.oneof(fc.constantFrom(999, 1_000, 1_001), fc.integer({ min: 1_002, max: 6_000 })), fc.constantFrom('', '1', 'x'))
    .map(([name, n, value]) => `${name}=${value}&`.repeat(n));
/** Bytes that are no text at all, or invalid UTF-8. */
const garbageBytes = fc.oneof(
  fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)),
  fc.constantFrom(Buffer.from([0xff, 0xfe, 0x00]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xc0, 0x80]), Buffer.from([0x7b, 0x00, 0x7d]), Buffer.from('\uFEFF{}')),
);

// ---------------------------------------------------------------------------------------------
// Requests.

interface Body {
  contentType: string | undefined;
  raw: Buffer;
}
/** A counterexample shows its body as text (cut short), not as a byte array. */
function showBody(this: Body): string {
  const t = this.raw.toString('utf8');
  return `{contentType: ${JSON.stringify(this.contentType)}, raw: ${JSON.stringify(t.length > 400 ? `${t.slice(0, 400)}… (${this.raw.length} bytes)` : t)}}`;
}
type SignMode = 'good' | 'good-variant' | 'none' | 'wrong-secret' | 'garbage';
/** A request before it is signed: the signer adds headers (and, for Twilio's JSON, the body's hash to the URL). */
interface Draft {
  method: string;
  query: Array<[string, string]>;
  headers: Array<[string, string]>;
  body: Body;
  sign: SignMode;
}
const signMode = fc.constantFrom<SignMode>('good', 'good', 'good', 'good', 'good', 'good', 'good-variant', 'none', 'wrong-secret', 'garbage');

const contentTypes = [
  'application/json', 'application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8', 'text/plain', '',
  'application/octet-stream', 'APPLICATION/JSON', 'application/vnd.api+json; charset=utf-8', 'multipart/form-data; boundary=x', 'text/json',
];
/** Mostly the content type that fits the body, sometimes any other (or none). */
const contentType = (fitting: string) =>
  fc.oneof({ weight: 8, arbitrary: fc.constant<string | undefined>(fitting) }, { weight: 2, arbitrary: fc.constantFrom<string | undefined>(...contentTypes, undefined) });
const bodyOf = (raw: fc.Arbitrary<string | Buffer>, fitting: string): fc.Arbitrary<Body> =>
  fc.tuple(raw, contentType(fitting)).map(([r, ct]) => ({ contentType: ct, raw: Buffer.isBuffer(r) ? r : Buffer.from(r, 'utf8'), [fc.toStringMethod]: showBody }));
const oddBody = (fitting: string): fc.Arbitrary<Body> =>
  bodyOf(fc.oneof(fc.constant(''), garbageBytes, deepJson, hostileObject, fc.constantFrom('null', '5', '-1', '1e309', '[]', '"x"', 'true', '[1,2]', '{}', '{', '{"a":1}x')), fitting);

const headerNames = ['idempotency-key', 'authorization', 'cookie', 'user-agent', 'x-forwarded-for', 'x-webhook-secret', 'x-twilio-signature', 'x-hub-signature-256', 'authorization-hmac', 'i-twilio-idempotency-token'];
const headerValue = fc.oneof(fc.stringMatching(/^[\x20-\x7e]{0,40}$/), fc.constantFrom('', ' ', 'sha256=', 'sha256=00', '\u00ff\u00fe'));
const extraHeaders = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...headerNames), fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/)), headerValue), { maxLength: 3 });
const queryOf = (names: string[]) => fc.array(fc.tuple(fc.oneof(fc.constantFrom(...names), nastyText), nastyText), { maxLength: 3 });
const methods = fc.constantFrom('POST', 'POST', 'POST', 'POST', 'POST', 'POST', 'POST', 'POST', 'POST', 'GET');

const draft = (body: fc.Arbitrary<Body>, queryNames: string[]): fc.Arbitrary<Draft> =>
  fc.record({ method: methods, query: queryOf(queryNames), headers: extraHeaders, body, sign: signMode });

/** What the signer hands back: the request's URL, query and headers as the server sees them. */
interface Signed {
  url: string;
  query: Array<[string, string]>;
  headers: Record<string, string>;
}
type Config = Record<string, unknown>;
interface ProviderArbitrary {
  /** Connection configs to test with (secrets included). */
  config: fc.Arbitrary<Config>;
  request: fc.Arbitrary<Draft>;
  /** Adds the provider's signature as the draft's mode says; a provider that signs nothing returns the draft as it is. */
  sign(draft: Draft, config: Config): Signed;
  /** A floor on the share of requests that reach parse and get events back: the generators do their job. */
  minEventShare: number;
}

function urlWith(query: Array<[string, string]>): string {
  if (query.length === 0) return hookUrl;
  const u = new URL(hookUrl);
  for (const [k, v] of query) u.searchParams.append(k, v);
  return u.toString();
}
function unsigned(d: Draft): Signed {
  const headers: Record<string, string> = {};
  for (const [k, v] of d.headers) headers[k] = v;
  if (d.body.contentType !== undefined) headers['content-type'] = d.body.contentType;
  return { url: urlWith(d.query), query: d.query, headers };
}
/** Puts the signature header in as `mode` says: right, right in another spelling, missing, for another secret, or mangled. */
function withSignature(s: Signed, mode: SignMode, name: string, good: string, wrong: string, variant: (sig: string) => string): Signed {
  const headers = { ...s.headers };
  delete headers[name];
  if (mode === 'good') headers[name] = good;
  else if (mode === 'good-variant') headers[name] = variant(good);
  else if (mode === 'wrong-secret') headers[name] = wrong;
  else if (mode === 'garbage') headers[name] = good.slice(0, Math.max(1, good.length - 3)) + 'zz';
  return { ...s, headers };
}

// --- webhook (generic: an optional shared secret header) ----------------------------------------

const genericSecret = { secretHeader: 'X-Webhook-Secret', secret: 'hook-secret-0001' };
const genericArbitrary: ProviderArbitrary = {
  config: fc.constantFrom<Config>({}, genericSecret),
  request: draft(
    fc.oneof(
      { weight: 4, arbitrary: bodyOf(eitherKit((k) => jObject(k, { order: k.id.map(jStr), amount: k.num, note: k.text.map(jStr), items: jList(k, k.num) })), 'application/json') },
      { weight: 1, arbitrary: bodyOf(anyJson, 'application/json') },
      { weight: 2, arbitrary: bodyOf(eitherKit((k) => form(k, fc.tuple(fc.oneof(fc.constantFrom('order', 'a', 'b'), k.text), k.text))), 'application/x-www-form-urlencoded') },
      { weight: 1, arbitrary: bodyOf(formFlood(['order']), 'application/x-www-form-urlencoded') },
      { weight: 1, arbitrary: bodyOf(nastyText, 'text/plain') },
      { weight: 1, arbitrary: oddBody('application/json') },
    ),
    ['a', 'order', 'secret'],
  ),
  sign(d, config) {
    const s = unsigned(d);
    return config.secret ? withSignature(s, d.sign, 'x-webhook-secret', genericSecret.secret, 'hook-secret-0002', (v) => v) : s;
  },
  minEventShare: 0.4,
};

// --- RetailCRM (unsigned: the URL secret is its only key) --------------------------------------

const retailcrmPair = (k: Kit): fc.Arbitrary<[string, string]> =>
  fc.oneof(
    { weight: 2, arbitrary: fc.tuple(fc.constant('id'), k.id) },
    { weight: 2, arbitrary: fc.tuple(fc.constant('status'), fc.oneof(fc.constantFrom('new', 'paid', 'cancel-other', 'complete'), k.text)) },
    { weight: 2, arbitrary: fc.tuple(fc.constant('event'), fc.oneof(fc.constantFrom('new', 'status', 'create', 'created', 'NEW'), k.text)) },
    { weight: 1, arbitrary: fc.tuple(fc.constant('type'), fc.oneof(fc.constant('order'), k.text)) },
    { weight: 1, arbitrary: fc.tuple(k.text, k.text) },
  );
const retailcrmLead = (k: Kit) => fc.option(k.id.map((id): Array<[string, string]> => [['type', 'order'], ['id', id]]), { freq: 4, nil: [] });
const retailcrmArbitrary: ProviderArbitrary = {
  config: fc.constant({ domain: 'myshop.retailcrm.ru', apiKey: 'rcrm-key-0001' }),
  request: draft(
    fc.oneof(
      { weight: 6, arbitrary: bodyOf(eitherKit((k) => form(k, retailcrmPair(k), retailcrmLead(k))), 'application/x-www-form-urlencoded') },
      { weight: 1, arbitrary: bodyOf(formFlood(['id', 'status']), 'application/x-www-form-urlencoded') },
      { weight: 2, arbitrary: bodyOf(eitherKit((k) => jObject(k, { id: fc.oneof(k.id.map(jStr), k.num), status: k.text.map(jStr), event: k.text.map(jStr), type: k.text.map(jStr) })), 'application/json') },
      // A form posted without a form content type: the provider decodes the raw bytes itself.
      { weight: 1, arbitrary: bodyOf(fc.oneof(eitherKit((k) => form(k, retailcrmPair(k), retailcrmLead(k))), formFlood(['id'])), 'text/plain') },
      { weight: 1, arbitrary: oddBody('application/x-www-form-urlencoded') },
    ),
    ['id', 'status', 'event', 'type'],
  ),
  sign: (d) => unsigned(d),
  minEventShare: 0.4,
};

// --- Tokopedia (Authorization-Hmac: hex HMAC-SHA256 of the body) --------------------------------

const tokopediaSecret = 'tkpd-webhook-secret-0001';
const tokopediaNotification = (k: Kit) => {
  const t = k.text.map(jStr);
  const idOrNum = fc.oneof(k.id.map(jStr), k.num);
  return jObject(
    k,
    { msg_id: idOrNum, buyer_id: idOrNum, shop_id: idOrNum, message: t, full_name: t, timestamp: k.num },
    {
      thumbnail: t,
      reply_time: k.num,
      payload: jObject(
        k,
        { attachment_type: fc.oneof(fc.constantFrom('2', '3', '7', '"2"', '0'), k.num) },
        {
          image: jObject(k, { image_url: t }),
          product: jObject(k, { product_id: k.id.map(jStr), name: t, price: fc.oneof(k.num, t) }, { image_url: t, product_url: t }),
          invoice: jObject(k, { invoice_id: k.id.map(jStr), code: t, total_amount: fc.oneof(k.num, t) }, { id: k.num, invoice_code: t, title: t, status: t, invoice_url: t, image_url: t }),
        },
      ),
    },
  );
};
const tokopediaArbitrary: ProviderArbitrary = {
  config: fc.constant({ fsId: '13004', clientId: 'tkpd-client', clientSecret: 'tkpd-client-secret', shopId: '123456', webhookSecret: tokopediaSecret }),
  request: draft(
    fc.oneof(
      { weight: 8, arbitrary: bodyOf(eitherKit(tokopediaNotification), 'application/json') },
      { weight: 1, arbitrary: bodyOf(eitherKit((k) => form(k, fc.tuple(fc.constantFrom('msg_id', 'buyer_id', 'shop_id', 'message', 'payload'), k.id))), 'application/x-www-form-urlencoded') },
      { weight: 1, arbitrary: bodyOf(formFlood(['msg_id']), 'application/x-www-form-urlencoded') },
      { weight: 1, arbitrary: oddBody('application/json') },
    ),
    ['shop_id'],
  ),
  sign(d, config) {
    const secret = config.webhookSecret as string;
    return withSignature(unsigned(d), d.sign, 'authorization-hmac', signTokopediaBody(secret, d.body.raw), signTokopediaBody('another-secret', d.body.raw), (v) => ` ${v.toUpperCase()} `);
  },
  minEventShare: 0.18,
};

// --- Twilio (X-Twilio-Signature over URL + sorted form fields; JSON: bodySHA256 in the URL) -----

const twilioAuth = { accountSid: 'AC' + 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6', authToken: 'f00dcafef00dcafef00dcafef00dcafe' };
const twilioSid = (k: Kit) => fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^(SM|MM)[0-9a-f]{32}$/) }, { weight: 1, arbitrary: k.id });
const twilioCount = (k: Kit) => fc.oneof(fc.constantFrom('0', '1', '2', '10', '11', '1e309', '-1', 'NaN', '9999999', '1.5', '', 'Infinity', '0x3', ' 2'), k.num);
const twilioPair = (k: Kit): fc.Arbitrary<[string, string]> => {
  const address = fc.oneof(fc.constantFrom('+15550001111', '+15550002222', 'whatsapp:+15550001111', 'whatsapp:', ''), k.text);
  const mediaIndex = fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constantFrom(-1, 99, 1e6));
  return fc.oneof(
    fc.tuple(fc.constantFrom('MessageSid', 'SmsSid', 'SmsMessageSid'), twilioSid(k)),
    fc.tuple(fc.constantFrom('From', 'To'), address),
    fc.tuple(fc.constant('Body'), k.text),
    fc.tuple(fc.constant('NumMedia'), twilioCount(k)),
    fc.tuple(mediaIndex, fc.boolean(), fc.oneof(fc.constant('https://api.twilio.com/media/ME1'), k.text)).map(([i, url, v]): [string, string] => [url ? `MediaUrl${i}` : `MediaContentType${i}`, v]),
    fc.tuple(fc.constantFrom('MessageStatus', 'SmsStatus'), fc.oneof(fc.constantFrom('received', 'receiving', 'queued', 'sent', 'delivered', 'undelivered', 'failed', 'read'), k.text)),
    fc.tuple(fc.constantFrom('ErrorCode', 'NumSegments'), fc.oneof(fc.constantFrom('30003', '63016'), twilioCount(k))),
    fc.tuple(fc.constantFrom('ErrorMessage', 'ProfileName', 'WaId', 'ButtonText', 'ButtonPayload', 'MessagingServiceSid', 'AccountSid', 'ChannelPrefix', 'ApiVersion'), k.text),
    fc.tuple(k.text, k.text),
  );
};
const twilioLead = (k: Kit) =>
  fc.option(fc.tuple(twilioSid(k), fc.constantFrom('received', 'delivered')).map(([s, st]): Array<[string, string]> => [['MessageSid', s], ['SmsStatus', st]]), { freq: 5, nil: [] });
const twilioForm = eitherKit((k) => form(k, twilioPair(k), twilioLead(k)));
const twilioArbitrary: ProviderArbitrary = {
  config: fc.constantFrom<Config>(twilioAuth, twilioAuth, twilioAuth, { ...twilioAuth, publicUrl: 'https://public.example.com/twilio/hook?x=1' }),
  request: draft(
    fc.oneof(
      { weight: 8, arbitrary: bodyOf(twilioForm, 'application/x-www-form-urlencoded') },
      { weight: 1, arbitrary: bodyOf(formFlood(['MessageSid', 'MediaUrl0', 'NumMedia']), 'application/x-www-form-urlencoded') },
      // Some Twilio products post JSON, signed over the URL with the body's hash in it.
      { weight: 1, arbitrary: bodyOf(fc.oneof(anyJson, twilioForm, formFlood(['MessageSid']), formFlood(['MessageSid']).map(jStr)), 'application/json') },
      { weight: 1, arbitrary: oddBody('application/x-www-form-urlencoded') },
    ),
    ['bodySHA256', 'a'],
  ),
  sign(d, config) {
    const isJson = (d.body.contentType ?? '').includes('json');
    const query: Array<[string, string]> = isJson ? [...d.query, ['bodySHA256', createHash('sha256').update(d.body.raw).digest('hex')]] : d.query;
    const url = urlWith(query);
    const signedUrl = (config.publicUrl as string | undefined) ?? url;
    // The signature covers every field, however many (the fake signs what Twilio would).
    const params = isJson ? {} : decodeForm(d.body.raw.toString('utf8'), Infinity);
    const good = signTwilioRequest(config.authToken as string, signedUrl, params);
    const wrong = signTwilioRequest('0'.repeat(32), signedUrl, params);
    return withSignature({ ...unsigned(d), url, query }, d.sign, 'x-twilio-signature', good, wrong, (v) => v);
  },
  minEventShare: 0.25,
};

// --- WhatsApp Cloud API (X-Hub-Signature-256; GET hub.challenge) -------------------------------

const whatsappConfig = { accessToken: 'EAAGtoken', appSecret: 'meta-app-secret-0001', verifyToken: 'verify-me', phoneNumberId: '106540352242922', apiVersion: 'v21.0' };
const wamid = fc.stringMatching(/^wamid\.[A-Za-z0-9]{4,20}$/);
const whatsappBody = (k: Kit) => {
  const t = k.text.map(jStr);
  const timestamp = k === plain ? fc.oneof(fc.constant('"1700000000"'), plainNum.map(jStr)) : fc.oneof(fc.constantFrom('"1e20"', '1e20', '"99999999999999"', '"-8640000000001"', '"NaN"', '""'), nastyNum, k.text.map(jStr));
  const media = jObject(k, { id: k.id.map(jStr), mime_type: t }, { caption: t, filename: t });
  const reply = jObject(k, { id: t, title: t });
  const message = jObject(
    k,
    {
      from: k.id.map(jStr),
      id: fc.oneof(wamid, k.id).map(jStr),
      timestamp,
      type: fc.oneof(fc.constantFrom('text', 'image', 'audio', 'video', 'document', 'sticker', 'interactive', 'button', 'location', 'contacts', 'reaction', 'unknown').map(jStr), t),
    },
    {
      text: jObject(k, { body: t }),
      image: media,
      document: media,
      sticker: media,
      interactive: jObject(k, { type: t }, { button_reply: reply, list_reply: reply }),
      button: jObject(k, { text: t, payload: t }),
      location: jObject(k, { latitude: k.num, longitude: k.num }, { name: t, address: t }),
      contacts: jList(k, jObject(k, { name: jObject(k, { formatted_name: t }, { first_name: t, last_name: t }) })),
      reaction: jObject(k, { message_id: t, emoji: t }),
      context: jObject(k, { from: t, id: t }),
    },
  );
  const status = jObject(
    k,
    { id: fc.oneof(wamid, k.id).map(jStr), status: fc.oneof(fc.constantFrom('sent', 'delivered', 'read', 'failed').map(jStr), t), timestamp, recipient_id: k.id.map(jStr) },
    { errors: jList(k, jObject(k, { code: k.num, title: t }, { message: t, error_data: jObject(k, { details: t }) })) },
  );
  const value = jObject(
    k,
    {
      messaging_product: fc.constant(jStr('whatsapp')),
      metadata: jObject(k, { display_phone_number: t, phone_number_id: fc.oneof(fc.constant(whatsappConfig.phoneNumberId), k.id).map(jStr) }),
      contacts: jList(k, jObject(k, { profile: jObject(k, { name: t }), wa_id: k.id.map(jStr) })),
      messages: jList(k, message, fc.nat({ max: 99 }).map((i) => `{"from":"1555","id":"wamid.M${i}","type":"text","text":{"body":"hi"}}`)),
    },
    { statuses: jList(k, status, fc.nat({ max: 99 }).map((i) => `{"id":"wamid.S${i}","status":"read","recipient_id":"1555"}`)) },
  );
  const change = jObject(k, { field: fc.oneof({ weight: 9, arbitrary: fc.constant(jStr('messages')) }, { weight: 1, arbitrary: t }), value });
  return jObject(k, { object: fc.constant(jStr('whatsapp_business_account')), entry: jList(k, jObject(k, { id: k.id.map(jStr), changes: jList(k, change) })) });
};
/** The subscription handshake: GET with hub.* in the query, the verify token right or not. */
const whatsappHandshake: fc.Arbitrary<Draft> = fc
  .record({
    mode: fc.oneof(fc.constant('subscribe'), nastyText),
    token: fc.oneof(fc.constant(whatsappConfig.verifyToken), nastyText),
    challenge: nastyText,
    repeated: fc.boolean(),
    headers: extraHeaders,
    body: oddBody('application/json'),
    sign: signMode,
  })
  .map(({ mode, token, challenge, repeated, headers, body, sign }): Draft => ({
    method: 'GET',
    query: [['hub.mode', mode], ['hub.verify_token', token], ['hub.challenge', challenge], ...(repeated ? ([['hub.verify_token', 'other']] as Array<[string, string]>) : [])],
    headers,
    body,
    sign,
  }));
const whatsappArbitrary: ProviderArbitrary = {
  config: fc.constant(whatsappConfig),
  request: fc.oneof(
    {
      weight: 9,
      arbitrary: draft(
        fc.oneof(
          { weight: 8, arbitrary: bodyOf(eitherKit(whatsappBody), 'application/json') },
          { weight: 1, arbitrary: bodyOf(formFlood(['entry']), 'application/x-www-form-urlencoded') },
          { weight: 1, arbitrary: oddBody('application/json') },
        ),
        ['hub.mode'],
      ),
    },
    { weight: 1, arbitrary: whatsappHandshake },
  ),
  sign(d, config) {
    const secret = config.appSecret as string;
    return withSignature(unsigned(d), d.sign, 'x-hub-signature-256', signWhatsAppBody(secret, d.body.raw), signWhatsAppBody('another-secret', d.body.raw), (v) => v.toUpperCase());
  },
  minEventShare: 0.12,
};

/** Keyed by provider id: a provider with a webhook and no entry here fails the first test below. */
const arbitraries: Record<string, ProviderArbitrary> = {
  webhook: genericArbitrary,
  retailcrm: retailcrmArbitrary,
  tokopedia: tokopediaArbitrary,
  twilio: twilioArbitrary,
  whatsapp: whatsappArbitrary,
};

// ---------------------------------------------------------------------------------------------
// The properties.

/** The query object the server's parser makes: repeated names become arrays. */
function queryObject(pairs: Array<[string, string]>): Record<string, string | string[]> {
  return pairs.length === 0 ? {} : decodeForm(new URL(urlWith(pairs)).search.slice(1), Infinity);
}

function checkAnswer(answer: WebhookAnswer, what: string): void {
  if (!Number.isInteger(answer.status) || answer.status < 200 || answer.status > 499) throw new Error(`${what} answered status ${answer.status}`);
  if (answer.contentType !== undefined && typeof answer.contentType !== 'string') throw new Error(`${what} answered a content type that is no string`);
  if (answer.body !== undefined && typeof answer.body !== 'string') throw new Error(`${what} answered a body that is no string`);
}

function checkEvents(events: unknown): asserts events is ParsedEvent[] {
  if (!Array.isArray(events)) throw new Error(`parse returned ${typeof events}, not an array`);
  // More than webhookLimits.events is allowed here: ingest refuses such a delivery whole (413), a parser does not truncate it.
  for (const e of events as ParsedEvent[]) {
    const at = `event ${JSON.stringify(e?.dedupeKey)?.slice(0, 80)}`;
    if (typeof e.dedupeKey !== 'string' || e.dedupeKey === '') throw new Error(`an event has no string dedupeKey: ${JSON.stringify(e).slice(0, 300)}`);
    if (e.keyKind !== 'id' && e.keyKind !== 'content' && e.keyKind !== 'state') throw new Error(`${at} has keyKind ${String(e.keyKind)}`);
    if (typeof e.type !== 'string' || e.type === '') throw new Error(`${at} has no type`);
    if (typeof e.payload !== 'object' || e.payload === null || Array.isArray(e.payload)) throw new Error(`${at} has a payload that is no object`);
    if (e.subject !== undefined && typeof e.subject !== 'string') throw new Error(`${at} has a subject that is no string`);
  }
}

interface Tally {
  withEvents: number;
}

/** One request through the hook as ingest calls it; throws when a property does not hold. */
function exercise(hook: ProviderWebhook<Config>, arb: ProviderArbitrary, config: Config, d: Draft, tally: Tally): void {
  const s = arb.sign(d, config);
  const connection = testConnection('fuzz', config, hookUrl);
  const started = performance.now();
  const decoded = serverDecode(d.body.raw, s.headers['content-type'] ?? '');
  // As ingest does: challenge and verify see the request even when its body could not be decoded.
  const req: WebhookRequest = { method: d.method, url: s.url, headers: s.headers, query: queryObject(s.query), rawBody: d.body.raw, body: decoded.ok ? decoded.body : null };

  const challenge = hook.challenge?.(req, connection) ?? null;
  if (challenge) checkAnswer(challenge, 'challenge');
  else {
    const verdict = hook.verify(req, connection);
    const wellFormed = verdict?.ok === true || (verdict?.ok === false && typeof verdict.reason === 'string' && verdict.reason !== '');
    if (!wellFormed) throw new Error(`verify returned ${JSON.stringify(verdict)}`);
    if (verdict.ok && decoded.ok) {
      let events: ParsedEvent[] | null = null;
      try {
        events = hook.parse(req, connection);
      } catch (err) {
        if (!(err instanceof WebhookParseError)) throw new Error(`parse threw ${(err as Error)?.name}: ${(err as Error)?.message} (not a WebhookParseError)`, { cause: err });
      }
      if (events !== null) {
        checkEvents(events);
        if (events.length > 0) tally.withEvents++;
        const answer = hook.respond?.(events, req);
        if (answer) checkAnswer(answer, 'respond');
      }
    }
  }
  const ms = performance.now() - started;
  if (ms >= perRequestMs) throw new Error(`the request took ${ms.toFixed(0)} ms (a body of ${d.body.raw.length} bytes)`);
}

const webhookProviders = providers.filter((p) => p.webhook);

describe('the webhook code of every provider, under generated requests', () => {
  it('every provider with a webhook has a request generator, here or in a property test of its own folder, so none is left out', () => {
    expect(webhookProviders.length).toBeGreaterThan(0);
    const ownTest = (id: string) => existsSync(fileURLToPath(new URL(`./${id}/`, import.meta.url))) && readdirSync(fileURLToPath(new URL(`./${id}/`, import.meta.url))).some((f) => f.endsWith('.property.test.ts'));
    expect(webhookProviders.map((p) => p.id).filter((id) => !arbitraries[id] && !ownTest(id))).toEqual([]);
  });

  for (const provider of webhookProviders.filter((p) => arbitraries[p.id])) {
    it(
      `${provider.id}: over ${runs.toLocaleString('en')} requests, challenge/verify/respond never throw, verify answers ok or a reason, parse throws only WebhookParseError or returns well-formed events, each request under ${perRequestMs} ms`,
      () => {
        const arb = arbitraries[provider.id];
        if (!arb) throw new Error(`no request generator for provider "${provider.id}": add one to \`arbitraries\` in this file`);
        const hook = provider.webhook as ProviderWebhook<Config>;
        const tally: Tally = { withEvents: 0 };
        fc.assert(
          fc.property(arb.config, arb.request, (config, d) => exercise(hook, arb, config, d, tally)),
          { numRuns: runs },
        );
        // The generators reach parse, with well-formed requests, often enough to test it.
        expect(tally.withEvents / runs).toBeGreaterThanOrEqual(arb.minEventShare);
      },
      60_000,
    );
  }
});
