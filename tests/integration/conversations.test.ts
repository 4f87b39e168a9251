// Conversations keep their order: runs started by messages from one customer run one at a time, in
// arrival order, and a retry wait of the first holds the second. Other customers are not held.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { deliverTwilioWebhook, startFakeTwilio, twilioInboundSms, type FakeTwilio } from '../fakes/twilio.js';
import { deliverWhatsAppWebhook, startFakeWhatsApp, whatsappInboundPayload, whatsappTextMessage, type FakeWhatsApp } from '../fakes/whatsapp.js';
import { createConnection, startChainFlow, startProviderBundles, twilioConfig, waitForFinishedRuns, whatsappConfig } from '../support/providers.js';
import { waitFor } from '../support/wait.js';

let b: TestBundles;
let twilio: FakeTwilio;
let whatsapp: FakeWhatsApp;

beforeAll(async () => {
  [b, twilio, whatsapp] = await Promise.all([startProviderBundles(), startFakeTwilio(), startFakeWhatsApp()]);
});
afterAll(async () => {
  await b?.close();
  await Promise.all([twilio?.close(), whatsapp?.close()]);
});
beforeEach(() => twilio.reset());

describe('messages from one customer', () => {
  it('are answered in arrival order when the first answer waits for a retry; another customer is not held', async () => {
    const conn = await createConnection(b, 'twilio', 'Twilio SMS', twilioConfig(twilio));
    const flowId = await startChainFlow(b, 'SMS auto-reply', [
      { id: 'trigger', type: 'twilio.message_received', connectionId: conn.id, config: { channel: 'sms' } },
      { id: 'reply', type: 'twilio.send_sms', connectionId: conn.id, config: { from: '+15550002222', to: '{{ trigger.from }}', body: 'Re: {{ trigger.body }}' } },
    ]);
    const ana = '+5511998765432';
    const budi = '+6281234567890';
    twilio.failNext(1, { status: 429, retryAfter: 1 });
    expect((await deliverTwilioWebhook(conn.webhookUrl!, twilio.authToken, twilioInboundSms({ from: ana, body: 'first' }))).status).toBe(200);
    await waitFor('the first answer to be refused', async () => twilio.requests.some((r) => r.method === 'POST'));
    expect((await deliverTwilioWebhook(conn.webhookUrl!, twilio.authToken, twilioInboundSms({ from: ana, body: 'second' }))).status).toBe(200);
    expect((await deliverTwilioWebhook(conn.webhookUrl!, twilio.authToken, twilioInboundSms({ from: budi, body: 'hello' }))).status).toBe(200);

    const runs = await waitForFinishedRuns(b, flowId, 3);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // Budi's answer did not wait for Ana's retry; Ana's second answer did.
    expect(twilio.messages.map((m) => `${m.to} ${m.body}`)).toEqual([`${budi} Re: hello`, `${ana} Re: first`, `${ana} Re: second`]);
  });

  it('two messages in one WhatsApp delivery are answered in their order', async () => {
    const conn = await createConnection(b, 'whatsapp', 'Shop WhatsApp', whatsappConfig(whatsapp));
    const flowId = await startChainFlow(b, 'WhatsApp auto-reply', [
      { id: 'trigger', type: 'whatsapp.message_received', connectionId: conn.id, config: {} },
      { id: 'reply', type: 'whatsapp.send_text', connectionId: conn.id, config: { to: '{{ trigger.from }}', text: 'Re: {{ trigger.text }}' } },
    ]);
    whatsapp.failNext(1, { code: 130429, retryAfter: 1 });
    const from = '5511998765432';
    const messages = [whatsappTextMessage({ from, text: 'one' }), whatsappTextMessage({ from, text: 'two' })];
    expect((await deliverWhatsAppWebhook(conn.webhookUrl!, 'meta-app-secret-0001', whatsappInboundPayload(messages))).status).toBe(200);
    const runs = await waitForFinishedRuns(b, flowId, 2);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    const texts = whatsapp.messages.filter((m) => m.to === from).map((m) => (m.body as { text?: { body?: string } }).text?.body);
    expect(texts).toEqual(['Re: one', 'Re: two']);
  });
});
