// Webhook verification end to end: a bad signature is answered 401 and stores no event and no run, only a
// rejected delivery with its reason; a malformed body with a valid signature is answered 400 and logged too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { signTokopediaBody, signedTokopediaWebhook, tokopediaChatPayload } from '../fakes/tokopedia.js';
import { twilioInboundSms, twilioWebhook } from '../fakes/twilio.js';
import { signWhatsAppBody, whatsappChallengeQuery, whatsappInboundPayload, whatsappTextMessage, whatsappWebhook } from '../fakes/whatsapp.js';
import {
  createConnection,
  deliveries,
  events,
  listRuns,
  messages,
  postHook,
  startChainFlow,
  startProviderBundles,
  tokopediaWebhookSecret,
  whatsappAppSecret,
  type ApiConnection,
} from '../support/providers.js';

let b: TestBundles;
let wa: ApiConnection;
let tw: ApiConnection;
let tk: ApiConnection;
const flows: Record<string, string> = {};
const twilioToken = 'f00dcafef00dcafef00dcafef00dcafe';

beforeAll(async () => {
  b = await startProviderBundles();
  wa = await createConnection(b, 'whatsapp', 'Shop WhatsApp', { accessToken: 'EAAGtoken', appSecret: whatsappAppSecret, verifyToken: 'verify-me', phoneNumberId: '106540352242922' });
  tw = await createConnection(b, 'twilio', 'Twilio SMS', { accountSid: 'AC' + 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6', authToken: twilioToken });
  tk = await createConnection(b, 'tokopedia', 'Toko Budi', { fsId: '13004', clientId: 'c', clientSecret: 's', shopId: '123456', webhookSecret: tokopediaWebhookSecret });
  // Running flows on every connection, so that an accepted delivery would start a run.
  for (const [conn, trigger] of [[wa, 'whatsapp.message_received'], [tw, 'twilio.message_received'], [tk, 'tokopedia.chat_message_received']] as const) {
    flows[conn.id] = await startChainFlow(b, `${conn.provider} listener`, [
      { id: 'trigger', type: trigger, connectionId: conn.id, config: {} },
      { id: 'note', type: 'core.set', config: { fields: { seen: true } } },
    ]);
  }
});
afterAll(async () => {
  await b?.close();
});

async function expectNothingStored(conn: ApiConnection) {
  expect(await events(b, conn.id)).toEqual([]);
  expect(await listRuns(b, flows[conn.id]!)).toEqual([]);
  expect(await messages(b, { connectionId: conn.id })).toEqual([]);
}

describe('a bad signature', () => {
  it('WhatsApp: signed with another app secret → 401, only a rejected delivery', async () => {
    const hook = whatsappWebhook('not-the-app-secret', whatsappInboundPayload([whatsappTextMessage({ text: 'hi' })]));
    const res = await postHook(wa.webhookUrl!, hook.headers, hook.body);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toEqual({
      error: { code: 'invalid_signature', message: 'Webhook rejected: X-Hub-Signature-256 does not match the body (check the app secret).' },
    });
    await expectNothingStored(wa);
    const log = await deliveries(b, wa.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ outcome: 'rejected', reason: 'X-Hub-Signature-256 does not match the body (check the app secret)', eventIds: [], body: null });

    // Without the header at all.
    const unsigned = await postHook(wa.webhookUrl!, { 'content-type': 'application/json' }, hook.body);
    expect(unsigned.status).toBe(401);
    expect((await deliveries(b, wa.id))[0]).toMatchObject({ outcome: 'rejected', reason: 'missing X-Hub-Signature-256 header', body: null });
    await expectNothingStored(wa);
  });

  it('Twilio: signed over another URL → 401 naming the URL it checked', async () => {
    const hook = twilioWebhook(twilioToken, 'https://proxy.example.com/twilio', twilioInboundSms({ body: 'hi' }));
    const res = await postHook(tw.webhookUrl!, hook.headers, hook.body);
    expect(res.status).toBe(401);
    await expectNothingStored(tw);
    const [d] = await deliveries(b, tw.id);
    expect(d).toMatchObject({ outcome: 'rejected', eventIds: [], body: null });
    expect(d!.reason).toBe(`X-Twilio-Signature does not match ${tw.webhookUrl} (behind a proxy? set the public webhook URL)`);
  });

  it('Tokopedia: Authorization-Hmac with another secret → 401', async () => {
    const hook = signedTokopediaWebhook('another-secret', tokopediaChatPayload());
    const res = await postHook(tk.webhookUrl!, hook.headers, hook.rawBody);
    expect(res.status).toBe(401);
    await expectNothingStored(tk);
    expect(await deliveries(b, tk.id)).toEqual([
      expect.objectContaining({ outcome: 'rejected', reason: 'Authorization-Hmac does not match the webhook secret', eventIds: [], body: null }),
    ]);
  });

  it('a wrong secret in the URL → 404, logged as rejected', async () => {
    const url = wa.webhookUrl!.replace(/\/[^/]+$/, '/not-the-secret');
    const hook = whatsappWebhook(whatsappAppSecret, whatsappInboundPayload([whatsappTextMessage({ text: 'hi' })]));
    expect((await postHook(url, hook.headers, hook.body)).status).toBe(404);
    expect((await deliveries(b, wa.id))[0]).toMatchObject({ outcome: 'rejected', reason: 'wrong secret in the webhook URL', body: null });
    await expectNothingStored(wa);
  });
});

describe('a malformed body with a valid signature', () => {
  it('WhatsApp: invalid JSON → 400 and a rejected delivery with the reason', async () => {
    const raw = '{"object":"whatsapp_business_account","entry":[';
    const res = await postHook(wa.webhookUrl!, { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppBody(whatsappAppSecret, raw) }, raw);
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('malformed_webhook');
    expect(body.error.message).toMatch(/^Webhook not understood: the body is not valid JSON \(/);
    await expectNothingStored(wa);
    const [d] = await deliveries(b, wa.id);
    expect(d).toMatchObject({ outcome: 'rejected', eventIds: [], body: null });
    expect(d!.reason).toMatch(/^the body is not valid JSON \(/);
  });

  it('WhatsApp: JSON that is not a WhatsApp webhook → 400', async () => {
    const raw = JSON.stringify({ hello: 'world' });
    const res = await postHook(wa.webhookUrl!, { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppBody(whatsappAppSecret, raw) }, raw);
    expect(res.status).toBe(400);
    expect((await deliveries(b, wa.id))[0]).toMatchObject({ outcome: 'rejected', reason: 'not a WhatsApp webhook: expected {"object":"whatsapp_business_account","entry":[…]}' });
    await expectNothingStored(wa);
  });

  it('Tokopedia: invalid JSON and a notification without msg_id → 400', async () => {
    const raw = '{"msg_id": 1,';
    const res = await postHook(tk.webhookUrl!, { 'content-type': 'application/json', 'authorization-hmac': signTokopediaBody(tokopediaWebhookSecret, raw) }, raw);
    expect(res.status).toBe(400);
    const missing = JSON.stringify({ buyer_id: 654321, shop_id: 123456, message: 'hi' });
    const res2 = await postHook(tk.webhookUrl!, { 'content-type': 'application/json', 'authorization-hmac': signTokopediaBody(tokopediaWebhookSecret, missing) }, missing);
    expect(res2.status).toBe(400);
    const log = await deliveries(b, tk.id);
    expect(log[0]).toMatchObject({ outcome: 'rejected', reason: 'Tokopedia chat notification needs msg_id, buyer_id and shop_id', body: null });
    expect(log[1]).toMatchObject({ outcome: 'rejected', body: null });
    expect(log[1]!.reason).toMatch(/^the body is not valid JSON/);
    await expectNothingStored(tk);
  });
});

describe('the WhatsApp verification handshake', () => {
  it('answers the challenge for the right verify token and 403 otherwise, storing nothing', async () => {
    const query = whatsappChallengeQuery('verify-me', '1158201444');
    const ok = await fetch(`${wa.webhookUrl}?${new URLSearchParams(query)}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toContain('text/plain');
    expect(await ok.text()).toBe('1158201444');
    const wrong = await fetch(`${wa.webhookUrl}?${new URLSearchParams(whatsappChallengeQuery('nope'))}`);
    expect(wrong.status).toBe(403);
    await expectNothingStored(wa);
  });
});
