// 10,000 generated requests over real HTTP, spread over the webhook URL of one connection per provider
// (plus wrong secrets and ids on the same routes), 16 at a time: no answer is a 5xx, none takes 10 s,
// and what the database holds afterwards is whole: every stored delivery's events exist, every event
// has its delivery, every run its event, every refusal its row in the delivery log, and every stored
// payload and body reads back as JSON. Flows run on the RetailCRM and the generic webhook connections.
import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeForm } from '@bundles/nodes';
import type { TestBundles } from '@bundles/server/testing';
import { signTokopediaBody } from '../fakes/tokopedia.js';
import { signTwilioRequest } from '../fakes/twilio.js';
import { signWhatsAppBody } from '../fakes/whatsapp.js';
import { createConnection, startChainFlow, startProviderBundles, type ApiConnection } from '../support/providers.js';
import { waitFor } from '../support/wait.js';

const total = 10_000;
const concurrency = 16;
const timeoutMs = 10_000;
/** Printed with every failure; set FUZZ_SEED to replay a run. */
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

const secrets = {
  generic: { secretHeader: 'X-Webhook-Secret', secret: 'fuzz-generic-secret-0001' },
  twilio: { accountSid: 'AC' + 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6', authToken: 'f00dcafef00dcafef00dcafef00dcafe' },
  whatsapp: { accessToken: 'EAAGfuzz', appSecret: 'fuzz-meta-app-secret', verifyToken: 'fuzz-verify', phoneNumberId: '106540352242922', baseUrl: 'http://127.0.0.1:9' },
  tokopedia: { fsId: '13004', clientId: 'c', clientSecret: 's', shopId: '123456', webhookSecret: 'fuzz-tkpd-secret', authUrl: 'http://127.0.0.1:9', baseUrl: 'http://127.0.0.1:9' },
  retailcrm: { domain: 'fuzz.retailcrm.ru', apiKey: 'fuzz-rcrm-key', baseUrl: 'http://127.0.0.1:9' },
};
const providerIds = ['webhook', 'retailcrm', 'tokopedia', 'twilio', 'whatsapp'] as const;
type ProviderId = (typeof providerIds)[number];

// ---------------------------------------------------------------------------------------------
// Generators (the unit-level ones, with more variety, are in nodes/src/webhooks.property.test.ts).

const nastyChar = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...'abcxyzABC0123456789 -_.:+/\\"\'{}[],&=%?#') },
  { weight: 2, arbitrary: fc.constantFrom('\u0000', '\uD800', '\uDC00', '\uDFFF', '\uD83D\uDE00', '\uFFFD', 'é', '\u202E', '\n', '\uFEFF') },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)) },
);
const specials = ['', '0', '1', '-1', '10', '11', '1e309', 'NaN', '9999999', '1.5', 'Infinity', 'null', '__proto__', 'toString', 'received', 'delivered', 'whatsapp:+15550001111', 'new', 'status', '\u0000', '\uD800', '\uD83D\uDE00\uD83D\uDE00'];
const nastyText = fc.oneof(
  { weight: 10, arbitrary: fc.string({ unit: nastyChar, maxLength: 16 }) },
  { weight: 5, arbitrary: fc.constantFrom(...specials) },
  { weight: 1, arbitrary: fc.tuple(nastyChar, fc.integer({ min: 500, max: 5_000 })).map(([c, n]) => c.repeat(n)) },
);
const plainText = fc.oneof({ weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 12 }) }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) });
const text = fc.oneof({ weight: 4, arbitrary: plainText }, { weight: 1, arbitrary: nastyText });
/** Small pools of ids, so that repeats (duplicates, content keys seen before) happen. */
const poolId = (prefix: string, size: number) => fc.nat({ max: size - 1 }).map((n) => `${prefix}${n}`);
const num = fc.oneof(fc.integer().map(String), fc.constantFrom('1e309', '-1', '1e20', '99999999999999', '0.5', '123456789012345678901234567890'));
const js = (s: string) => JSON.stringify(s);
const anyJson: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.oneof(text.map(js), num, fc.constantFrom('true', 'false', 'null', '{"toString":1}')),
    fc.array(tie('v'), { maxLength: 3 }).map((xs) => `[${xs.join(',')}]`),
    fc.array(fc.tuple(text, tie('v')), { maxLength: 3 }).map((ps) => `{${ps.map(([k, v]) => `${js(k)}:${v}`).join(',')}}`),
  ),
})).v;
/** Usually `arb`, sometimes any JSON in its place. */
const field = (arb: fc.Arbitrary<string>) => fc.oneof({ weight: 12, arbitrary: arb }, { weight: 1, arbitrary: anyJson });
const obj = (fields: Record<string, fc.Arbitrary<string>>) =>
  fc.tuple(...Object.entries(fields).map(([k, a]) => fc.option(field(a).map((v) => `${js(k)}:${v}`), { freq: 8, nil: null }))).map((ps) => `{${ps.filter((p) => p !== null).join(',')}}`);
const list = (item: fc.Arbitrary<string>) => field(fc.array(item, { minLength: 1, maxLength: 2 }).map((xs) => `[${xs.join(',')}]`));
const deepJson = fc.tuple(fc.oneof(fc.integer({ min: 60, max: 70 }), fc.integer({ min: 1_000, max: 5_000 })), fc.boolean()).map(([n, arr]) => (arr ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n)));
const encode = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return s;
  }
};
const form = (pair: fc.Arbitrary<[string, string]>, lead: Array<[string, fc.Arbitrary<string>]> = []) =>
  fc
    .tuple(fc.tuple(...lead.map(([k, a]) => a.map((v): [string, string] => [k, v]))), fc.array(pair, { maxLength: 10 }), fc.option(fc.constantFrom('%', '%ZZ', '%00', '%ED%A0%80', '&&', '=='), { freq: 5, nil: null }))
    .map(([first, rest, junk]) => [...first, ...rest].map(([k, v]) => `${encode(k)}=${encode(v)}`).concat(junk === null ? [] : [junk]).join('&'));
const flood = fc.tuple(fc.constantFrom('a', 'id', 'MessageSid', 'MediaUrl0'), fc.constantFrom(999, 1_000, 1_001, 3_000)).map(([k, n]) => `${k}=1&`.repeat(n));
const oddBody = fc.oneof(
  fc.constantFrom('', 'null', '5', '[]', '"x"', 'true', '{', '{"a":1}x', '1e309', '{"toString":1}'),
  deepJson,
  fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b).toString('latin1')),
);

const whatsappBody = obj({
  object: fc.constant(js('whatsapp_business_account')),
  entry: list(
    obj({
      id: fc.constant('"1"'),
      changes: list(
        obj({
          field: fc.constant(js('messages')),
          value: obj({
            metadata: obj({ phone_number_id: fc.constant(js(secrets.whatsapp.phoneNumberId)), display_phone_number: text.map(js) }),
            contacts: list(obj({ profile: obj({ name: text.map(js) }), wa_id: poolId('1555', 5).map(js) })),
            messages: list(
              obj({
                from: poolId('1555', 5).map(js),
                id: poolId('wamid.M', 400).map(js),
                timestamp: fc.oneof(fc.constant('"1700000000"'), fc.constantFrom('"1e20"', '"NaN"', '-1')),
                type: fc.constantFrom('text', 'image', 'location', 'contacts', 'reaction', 'button', 'x').map(js),
                text: obj({ body: text.map(js) }),
                location: obj({ latitude: num, longitude: num }),
              }),
            ),
            statuses: list(obj({ id: poolId('wamid.M', 400).map(js), status: fc.constantFrom('sent', 'delivered', 'read', 'failed').map(js), recipient_id: fc.constant('"1555"'), timestamp: num })),
          }),
        }),
      ),
    }),
  ),
});
const tokopediaBody = obj({
  msg_id: fc.oneof(poolId('', 300), text).map(js),
  buyer_id: poolId('', 20).map(js),
  shop_id: fc.constant('123456'),
  message: text.map(js),
  full_name: text.map(js),
  timestamp: num,
  payload: obj({ attachment_type: fc.constantFrom('2', '3', '7', '"x"'), product: obj({ name: text.map(js), price: num }), image: obj({ image_url: text.map(js) }) }),
});
const twilioPair: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(fc.constantFrom('From', 'To'), fc.oneof(fc.constantFrom('+15550001111', 'whatsapp:+15550002222'), text)),
  fc.tuple(fc.constant('Body'), text),
  fc.tuple(fc.constant('NumMedia'), fc.constantFrom('0', '1', '2', '10', '11', '1e309', '-1', 'NaN', '9999999')),
  fc.tuple(fc.constantFrom('MediaUrl0', 'MediaUrl1', 'MediaContentType0'), text),
  fc.tuple(fc.constantFrom('MessageStatus', 'SmsStatus'), fc.constantFrom('received', 'queued', 'sent', 'delivered', 'failed', 'undelivered')),
  fc.tuple(fc.constantFrom('ErrorCode', 'NumSegments', 'ProfileName', 'WaId', 'AccountSid'), fc.oneof(num, text)),
  fc.tuple(text, text),
);
const twilioForm = form(twilioPair, [['MessageSid', fc.oneof({ weight: 5, arbitrary: fc.nat({ max: 499 }).map((n) => `SM${String(n).padStart(32, '0')}`) }, { weight: 1, arbitrary: text })]]);
const retailcrmForm = form(fc.tuple(fc.oneof(fc.constantFrom('status', 'event', 'type', 'id'), text), text), [
  ['type', fc.constant('order')],
  ['id', fc.oneof({ weight: 6, arbitrary: poolId('', 200) }, { weight: 1, arbitrary: text })],
  ['status', fc.constantFrom('new', 'paid', 'cancel', 'complete')],
  ['event', fc.constantFrom('new', 'status')],
]);

interface Draft {
  method: 'GET' | 'POST';
  contentType: string | undefined;
  body: string;
  query: Array<[string, string]>;
  headers: Array<[string, string]>;
  signed: boolean;
  url: 'right' | 'wrong-secret' | 'unknown-id' | 'malformed-id';
}
const contentTypes = ['application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream', 'APPLICATION/JSON; charset=utf-8', 'multipart/form-data', 'foo', 'application/json;;'];
const bodies: Record<ProviderId, fc.Arbitrary<[string, string]>> = {
  webhook: fc.oneof(
    { weight: 5, arbitrary: fc.tuple(obj({ order: poolId('o', 500).map(js), note: text.map(js), items: list(anyJson) }), fc.constant('application/json')) },
    { weight: 2, arbitrary: fc.tuple(form(fc.tuple(text, text)), fc.constant('application/x-www-form-urlencoded')) },
    { weight: 1, arbitrary: fc.tuple(anyJson, fc.constant('application/json')) },
    { weight: 1, arbitrary: fc.tuple(text, fc.constant('text/plain')) },
  ),
  retailcrm: fc.oneof(
    { weight: 6, arbitrary: fc.tuple(retailcrmForm, fc.constant('application/x-www-form-urlencoded')) },
    { weight: 1, arbitrary: fc.tuple(obj({ id: poolId('', 200).map(js), status: text.map(js), event: fc.constant('"new"') }), fc.constant('application/json')) },
    { weight: 1, arbitrary: fc.tuple(retailcrmForm, fc.constant('text/plain')) },
  ),
  tokopedia: fc.tuple(tokopediaBody, fc.constant('application/json')),
  twilio: fc.oneof({ weight: 8, arbitrary: fc.tuple(twilioForm, fc.constant('application/x-www-form-urlencoded')) }, { weight: 1, arbitrary: fc.tuple(anyJson, fc.constant('application/json')) }),
  whatsapp: fc.tuple(whatsappBody, fc.constant('application/json')),
};
const anyBody: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(flood, fc.constantFrom('application/x-www-form-urlencoded', 'text/plain')),
  fc.tuple(oddBody, fc.constantFrom(...contentTypes)),
  fc.tuple(deepJson, fc.constant('application/json')),
);
/** Past the 1 MB the route accepts. */
const tooBig = fc.constant<[string, string]>([JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }), 'application/json']);

function drafts(provider: ProviderId): fc.Arbitrary<Draft> {
  return fc.record({
    method: fc.constantFrom<'GET' | 'POST'>('POST', 'POST', 'POST', 'POST', 'POST', 'POST', 'POST', 'POST', 'POST', 'GET'),
    typed: fc.tuple(fc.oneof({ weight: 300, arbitrary: bodies[provider] }, { weight: 40, arbitrary: anyBody }, { weight: 1, arbitrary: tooBig })),
    otherType: fc.option(fc.constantFrom<string | undefined>(...contentTypes, undefined), { freq: 6, nil: null }),
    query: fc.array(fc.tuple(fc.oneof(fc.constantFrom('id', 'hub.mode', 'hub.verify_token', 'hub.challenge', 'a'), text), text), { maxLength: 2 }),
    headers: fc.array(fc.tuple(fc.constantFrom('idempotency-key', 'x-extra', 'authorization', 'cookie'), fc.oneof(poolId('k', 300), fc.stringMatching(/^[\x21-\x7e]{0,30}$/))), { maxLength: 2 }),
    signed: fc.constantFrom(true, true, true, true, true, true, true, false, false),
    url: fc.constantFrom<Draft['url']>(...Array<Draft['url']>(30).fill('right'), 'wrong-secret', 'wrong-secret', 'unknown-id', 'malformed-id'),
  }).map(({ method, typed: [[body, ct]], otherType, query, headers, signed, url }) => ({
    method,
    contentType: otherType === null ? ct : otherType,
    body: method === 'GET' ? '' : body,
    // The handshake: GET with the verify token, right or not.
    query: provider === 'whatsapp' && method === 'GET' ? [['hub.mode', 'subscribe'], ['hub.verify_token', signed ? secrets.whatsapp.verifyToken : 'nope'], ['hub.challenge', '12345'], ...query] : query,
    headers,
    signed,
    url,
  }));
}

// ---------------------------------------------------------------------------------------------

interface Route {
  provider: ProviderId;
  conn: ApiConnection;
}
interface Sent {
  provider: ProviderId;
  draft: Draft;
  status: number | null;
  error: string | null;
  ms: number;
}

function urlFor(route: Route, d: Draft): URL {
  const right = new URL(route.conn.webhookUrl!);
  const [, , id, secret] = right.pathname.split('/');
  const path =
    d.url === 'right' ? `/hooks/${id}/${secret}`
      : d.url === 'wrong-secret' ? `/hooks/${id}/${secret!.slice(0, -2)}xx`
        : d.url === 'unknown-id' ? `/hooks/${randomUUID()}/${secret}`
          // 36 characters of hex digits and hyphens that are no UUID.
          : `/hooks/${'-'.repeat(4)}${id!.slice(4)}/${secret}`;
  const u = new URL(path, right);
  for (const [k, v] of d.query) u.searchParams.append(k, v);
  return u;
}

function signedHeaders(route: Route, d: Draft, url: URL, raw: Buffer): Record<string, string> {
  const h: Record<string, string> = {};
  for (const [k, v] of d.headers) h[k] = v;
  if (d.contentType !== undefined) h['content-type'] = d.contentType;
  if (!d.signed) return h;
  switch (route.provider) {
    case 'webhook':
      h['x-webhook-secret'] = secrets.generic.secret;
      break;
    case 'tokopedia':
      h['authorization-hmac'] = signTokopediaBody(secrets.tokopedia.webhookSecret, raw);
      break;
    case 'whatsapp':
      h['x-hub-signature-256'] = signWhatsAppBody(secrets.whatsapp.appSecret, raw);
      break;
    case 'twilio':
      // Form bodies are signed over URL + fields; JSON over the URL alone, with the body's hash in it.
      if ((d.contentType ?? '').includes('json')) {
        url.searchParams.append('bodySHA256', createHash('sha256').update(raw).digest('hex'));
        h['x-twilio-signature'] = signTwilioRequest(secrets.twilio.authToken, url.toString(), {});
        // Over every field the server decodes (a null-prototype object keeps a field named __proto__).
      } else h['x-twilio-signature'] = signTwilioRequest(secrets.twilio.authToken, url.toString(), decodeForm(raw.toString('utf8'), Infinity));
      break;
    case 'retailcrm':
      break;
  }
  return h;
}

async function send(route: Route, d: Draft): Promise<Sent> {
  const raw = Buffer.from(d.body, 'utf8');
  const url = urlFor(route, d);
  const headers = signedHeaders(route, d, url, raw);
  const started = performance.now();
  try {
    const res = await fetch(url, { method: d.method, headers, body: d.method === 'GET' ? undefined : raw, signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return { provider: route.provider, draft: d, status: res.status, error: null, ms: performance.now() - started };
  } catch (err) {
    const e = err as Error & { cause?: Error };
    return { provider: route.provider, draft: d, status: null, error: `${e.name}: ${e.message}${e.cause ? ` (${e.cause.message})` : ''}`, ms: performance.now() - started };
  }
}

const show = (s: Sent) =>
  `${s.provider} ${s.draft.method} url=${s.draft.url} signed=${s.draft.signed} type=${JSON.stringify(s.draft.contentType)} query=${JSON.stringify(s.draft.query)} → ${s.status ?? s.error} in ${s.ms.toFixed(0)} ms; body ${JSON.stringify(s.draft.body.slice(0, 300))}${s.draft.body.length > 300 ? `… (${s.draft.body.length} chars)` : ''}`;

let b: TestBundles;
const routes: Route[] = [];
const flows: Record<string, string> = {};

beforeAll(async () => {
  b = await startProviderBundles();
  const configs: Record<ProviderId, Record<string, unknown>> = {
    webhook: secrets.generic,
    retailcrm: secrets.retailcrm,
    tokopedia: secrets.tokopedia,
    twilio: secrets.twilio,
    whatsapp: secrets.whatsapp,
  };
  for (const provider of providerIds) routes.push({ provider, conn: await createConnection(b, provider, `Fuzz ${provider}`, configs[provider]) });
  const conn = (p: ProviderId) => routes.find((r) => r.provider === p)!.conn;
  flows.webhook = await startChainFlow(b, 'Fuzz generic', [
    { id: 'trigger', type: 'core.webhook', connectionId: conn('webhook').id, config: {} },
    { id: 'shape', type: 'core.set', config: { fields: { order: "{{ trigger.body.order | default: '' }}", note: "{{ trigger.body.note | default: '' | slice: 0, 3 }}", idem: "{{ trigger.headers['idempotency-key'] | default: '' }}" } } },
  ]);
  flows.retailcrm = await startChainFlow(b, 'Fuzz orders', [
    { id: 'trigger', type: 'retailcrm.order_changed', connectionId: conn('retailcrm').id, config: { events: [], statuses: [] } },
    { id: 'shape', type: 'core.set', config: { fields: { id: '{{ trigger.id }}', status: '{{ trigger.status | upcase }}' } } },
  ]);
});
afterAll(async () => {
  await b?.close();
});

describe('webhook routes under 10,000 generated requests', () => {
  const sent: Sent[] = [];
  let tookMs = 0;

  it(`answers ${total.toLocaleString('en')} generated requests over HTTP, ${concurrency} at a time and at least 1,500 per provider's route, each within ${timeoutMs / 1000} s and none with a 5xx (seed ${seed})`, async () => {
    const per = Math.ceil(total / routes.length);
    const samples = routes.map((route, i) => fc.sample(drafts(route.provider), { numRuns: per, seed: seed + i }));
    // Interleaved, so that every route is busy all along.
    const plan: Array<{ route: Route; draft: Draft }> = [];
    for (let j = 0; j < per; j++) routes.forEach((route, i) => plan.push({ route, draft: samples[i]![j]! }));
    plan.length = total;
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < plan.length) {
          const { route, draft } = plan[next++]!;
          sent.push(await send(route, draft));
        }
      }),
    );
    tookMs = performance.now() - started;
    console.log(`${sent.length} requests in ${(tookMs / 1000).toFixed(1)} s (seed ${seed}); answers: ${JSON.stringify(countBy(sent, (s) => String(s.status ?? 'none')))}`);

    for (const p of providerIds) expect(sent.filter((s) => s.provider === p).length, p).toBeGreaterThanOrEqual(1_500);
    const bySize = (x: Sent, y: Sent) => x.draft.body.length - y.draft.body.length;
    const noAnswer = sent.filter((s) => s.status === null).sort(bySize);
    expect(noAnswer.length, `requests without an answer (seed ${seed}):\n${noAnswer.slice(0, 5).map(show).join('\n')}`).toBe(0);
    const serverErrors = sent.filter((s) => s.status !== null && s.status >= 500).sort(bySize);
    expect(serverErrors.length, `5xx answers (seed ${seed}):\n${serverErrors.slice(0, 5).map(show).join('\n')}`).toBe(0);
  }, 240_000);

  it('leaves the database whole: every stored delivery has its events, every event its delivery, every run its event, every refusal its delivery row', async () => {
    expect(sent.length).toBe(total);
    const pool = b.database.pool;
    // The runs of both flows finish: nothing is left queued or running.
    await waitFor(
      'the runs of the fuzzed flows to finish',
      async () => {
        const { rows } = await pool.query(`select count(*)::int as n from runs where status in ('queued', 'running')`);
        return rows[0].n === 0;
      },
      60_000,
      200,
    );
    const { rows: runCounts } = await pool.query(`select flow_id, status, count(*)::int as n from runs group by 1, 2 order by 1, 2`);
    for (const flowId of Object.values(flows)) expect(runCounts.filter((r) => r.flow_id === flowId).length, `runs of flow ${flowId}`).toBeGreaterThan(0);

    const { rows: missingEvents } = await pool.query(`
      select d.id, x.id as event_id from webhook_deliveries d, jsonb_array_elements_text(d.event_ids) x(id)
      where d.outcome in ('accepted', 'duplicate') and not exists (select 1 from events e where e.id = x.id::uuid)`);
    expect(missingEvents).toEqual([]);
    // Every event names the delivery that stored it; that delivery has no row of its own (its events log it).
    const { rows: orphanEvents } = await pool.query(`select e.id from events e where e.delivery_id is null`);
    expect(orphanEvents).toEqual([]);
    const { rows: loggedTwice } = await pool.query(`select d.id from webhook_deliveries d join events e on e.delivery_id = d.id`);
    expect(loggedTwice).toEqual([]);
    const { rows: orphanRuns } = await pool.query(`select r.id from runs r left join events e on e.id = r.event_id where e.id is null`);
    expect(orphanRuns).toEqual([]);

    // Refusals: every 4xx on a route with a real connection is logged, except the WhatsApp handshake
    // (a GET answered by challenge, stored nowhere) and 431 (Node's HTTP parser refuses a request line
    // or headers over 16 KB before Bundles sees the request). A wrong secret in the URL is a 404, logged
    // too; a request to an id no connection has is answered 404 and logged nowhere. (A body over 1 MB
    // to a wrong secret is refused 413 before the secret is checked, and not logged.)
    const handshake = (s: Sent) => s.provider === 'whatsapp' && s.draft.method === 'GET';
    const right = sent.filter((s) => s.draft.url === 'right' && !handshake(s));
    const wrongSecret = sent.filter((s) => s.draft.url === 'wrong-secret');
    const refused = [...right.filter((s) => s.status! >= 400 && s.status! < 500 && s.status !== 431), ...wrongSecret.filter((s) => s.status === 404)];
    const stored = right.filter((s) => s.status! < 300);
    const { rows: outcomes } = await pool.query(
      `select outcome, count(*)::int as n from webhook_deliveries group by 1
       union all select 'accepted', count(distinct delivery_id)::int from events`,
    );
    const count = (o: string) => outcomes.filter((r) => r.outcome === o).reduce((n, r) => n + r.n, 0);
    expect(
      { rejected: count('rejected'), acceptedOrDuplicate: count('accepted') + count('duplicate') },
      `refusals by answer: ${JSON.stringify(countBy(refused, (s) => String(s.status)))}; stored by answer: ${JSON.stringify(countBy(stored, (s) => String(s.status)))}`,
    ).toEqual({ rejected: refused.length, acceptedOrDuplicate: stored.length });
    // Nothing gets in through a wrong secret or id.
    expect(sent.filter((s) => s.draft.url !== 'right' && s.status! < 300).map(show)).toEqual([]);

    // Everything stored reads back as JSON.
    const { rows: payloads } = await pool.query(`select id, payload::text as payload from events`);
    const unreadable = payloads.filter((r) => {
      try {
        const v = JSON.parse(r.payload);
        return typeof v !== 'object' || v === null;
      } catch {
        return true;
      }
    });
    expect(unreadable.map((r) => r.id)).toEqual([]);
    const { rows: deliveryBodies } = await pool.query(`select id, body::text as body from webhook_deliveries where body is not null`);
    expect(deliveryBodies.filter((r) => {
      try {
        JSON.parse(r.body);
        return false;
      } catch {
        return true;
      }
    })).toEqual([]);
    console.log(`events ${payloads.length}, deliveries ${JSON.stringify(outcomes)}, runs ${JSON.stringify(runCounts.map((r) => `${r.status}:${r.n}`))}`);
  }, 120_000);
});

function countBy<T>(xs: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}
