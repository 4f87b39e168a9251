// Bad input never hurts anyone else: bodies are decoded only once the connection is known, linearly and
// within bounds; what cannot be stored as it came (NUL, unpaired surrogates, absurd nesting, too many
// fields, too big) is answered 4xx with its reason, in the delivery log, and never a 500; provider parsers
// bound the counts they read; a sender trickling its body is cut off.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '@bundles/server/testing';
import { signTokopediaBody } from '../fakes/tokopedia.js';
import { deliverTwilioWebhook, twilioInboundSms, twilioWebhook } from '../fakes/twilio.js';
import { signWhatsAppBody } from '../fakes/whatsapp.js';
import { createConnection, deliveries, events, postHook, startProviderBundles, tokopediaWebhookSecret, whatsappAppSecret, type ApiConnection } from '../support/providers.js';

let b: TestBundles;
const twilioAuth = { accountSid: 'AC' + 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6', authToken: 'f00dcafef00dcafef00dcafef00dcafe' };
const conns: Record<string, ApiConnection> = {};

beforeAll(async () => {
  b = await startProviderBundles();
  conns.webhook = await createConnection(b, 'webhook', 'Generic', {});
  conns.retailcrm = await createConnection(b, 'retailcrm', 'Shop orders', { domain: 'myshop.retailcrm.ru', apiKey: 'rcrm-key-0001' });
  conns.twilio = await createConnection(b, 'twilio', 'Twilio SMS', twilioAuth);
  conns.whatsapp = await createConnection(b, 'whatsapp', 'Shop WhatsApp', { accessToken: 'EAAGtoken', appSecret: whatsappAppSecret, verifyToken: 'v', phoneNumberId: '106540352242922' });
  conns.tokopedia = await createConnection(b, 'tokopedia', 'Toko Budi', { fsId: '13004', clientId: 'c', clientSecret: 's', shopId: '123456', webhookSecret: tokopediaWebhookSecret });
});
afterAll(async () => {
  await b?.close();
});

const json = { 'content-type': 'application/json' };
const form = { 'content-type': 'application/x-www-form-urlencoded' };
/** `[[[…]]]` nested `depth` levels, as text (building it as an object would test V8, not us). */
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/** A JSON body as each provider's route takes it: signed where the provider signs. */
function signedJson(provider: string, raw: string): Record<string, string> {
  if (provider === 'whatsapp') return { ...json, 'x-hub-signature-256': signWhatsAppBody(whatsappAppSecret, raw) };
  if (provider === 'tokopedia') return { ...json, 'authorization-hmac': signTokopediaBody(tokopediaWebhookSecret, raw) };
  return json;
}

describe('form bodies', () => {
  const flood = 'a=&'.repeat(20_000); // 60 KB, 20,000 fields of one name

  it('a 60 KB flood of repeated fields to a URL that does not exist is answered 404 at once, without decoding it', async () => {
    const res = await postHook(`${b.publicUrl}/hooks/00000000-0000-4000-8000-000000000000/nothing`, form, flood);
    expect(res.status).toBe(404);
  });

  it('the same flood to a real connection is refused 413 with its reason, and logged', async () => {
    const res = await postHook(conns.retailcrm!.webhookUrl!, form, flood);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.message).toContain('more than 1000 fields');
    const log = await deliveries(b, conns.retailcrm!.id);
    expect(log[0]).toMatchObject({ outcome: 'rejected', reason: 'the form has more than 1000 fields' });
  });

  it('a megabyte of fields is refused as fast as a small body: decoding is linear', async () => {
    const started = performance.now();
    const res = await postHook(conns.retailcrm!.webhookUrl!, form, 'a=&'.repeat(340_000));
    expect(res.status).toBe(413);
    // A bound against a hang, not a speed figure: quadratic decoding took over 7 s for 60 KB.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a body over 1 MB is refused 413 and logged for its connection', async () => {
    const res = await postHook(conns.webhook!.webhookUrl!, json, JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }));
    expect(res.status).toBe(413);
    expect((await deliveries(b, conns.webhook!.id))[0]).toMatchObject({ outcome: 'rejected', reason: 'the body is larger than 1048576 bytes' });
  });
});

describe('counts read from a request', () => {
  it('a signed WhatsApp delivery of 1,001 statuses is refused 413 as a whole, and logged', async () => {
    const statuses = Array.from({ length: 1001 }, (_, i) => ({ id: `wamid.${i}`, status: 'delivered', timestamp: '1739321024', recipient_id: '5511998765432' }));
    const raw = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', statuses } }] }] });
    const res = await postHook(conns.whatsapp!.webhookUrl!, signedJson('whatsapp', raw), raw);
    expect(res.status).toBe(413);
    expect((await deliveries(b, conns.whatsapp!.id))[0]).toMatchObject({ outcome: 'rejected', reason: 'the delivery carries 1001 events, more than 1000' });
  });

  it('a signed Twilio message with NumMedia=1e309 is stored with no media instead of hanging the process', async () => {
    const params = { ...twilioInboundSms({ body: 'Hello' }), NumMedia: '1e309', MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME' };
    const res = await deliverTwilioWebhook(conns.twilio!.webhookUrl!, twilioAuth.authToken, params);
    expect(res.status).toBe(200);
    const [event] = await events(b, conns.twilio!.id);
    expect(event!.payload).toMatchObject({ body: 'Hello', media: [] });
  });
});

describe('bodies that cannot be stored as they came', () => {
  const providers = ['webhook', 'retailcrm', 'whatsapp', 'tokopedia'];
  const cases: Array<[string, string, RegExp]> = [
    ['an unpaired surrogate', '{"entry":[],"msg_id":1,"buyer_id":2,"shop_id":3,"id":"5001","message":"\\ud800"}', /unpaired UTF-16 surrogate/],
    ['a NUL in a field name', '{"entry":[],"msg_id":1,"buyer_id":2,"shop_id":3,"id":"5001","a\\u0000b":1}', /NUL character/],
    ['5,000 levels of nesting', `{"entry":[],"id":"5001","deep":${nested(5_000)}}`, /nested deeper than 64 levels/],
  ];
  for (const provider of providers) {
    it.each(cases)(`${provider}: a JSON body with %s is answered 422 with the reason and logged, never 5xx`, async (_what, raw, reason) => {
      const conn = conns[provider]!;
      const res = await postHook(conn.webhookUrl!, signedJson(provider, raw), raw);
      expect(res.status).toBe(422);
      expect(JSON.parse(res.body).error).toMatchObject({ code: 'unstorable_body', message: expect.stringMatching(reason) });
      const [last] = await deliveries(b, conn.id);
      expect(last).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(reason) });
    });
  }

  it('twilio: a signed form with a NUL character is answered 422 and logged', async () => {
    const hook = twilioWebhook(twilioAuth.authToken, conns.twilio!.webhookUrl!, twilioInboundSms({ body: 'bad \u0000 byte' }));
    const res = await postHook(hook.url, hook.headers, hook.body);
    expect(res.status).toBe(422);
    expect((await deliveries(b, conns.twilio!.id))[0]).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('NUL character') });
  });
});

describe('a sender that trickles its body', () => {
  it('is cut off once the request takes longer than allowed', async () => {
    const slow = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), { requestTimeoutMs: 1_000 });
    try {
      const conn = await createConnection(slow, 'webhook', 'Slow sender', {});
      const url = new URL(conn.webhookUrl!);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(url.port), url.hostname);
        let got = '';
        socket.on('data', (c) => (got += String(c)));
        socket.on('close', () => resolve(got));
        socket.on('error', reject);
        socket.write(`POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":`);
        // One byte a second, far slower than the bound: the server must end it.
        const drip = setInterval(() => socket.writable && socket.write(' '), 1_000);
        socket.on('close', () => clearInterval(drip));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await slow.close();
    }
  });
});
