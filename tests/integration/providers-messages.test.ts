// The message log end to end: inbound and outbound messages with their provider ids, filters, status
// callbacks that never move a status backwards, and replies from the log within WhatsApp's 24-hour window.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { deliverTwilioWebhook, startFakeTwilio, twilioInboundSms, twilioStatusCallback, type FakeTwilio } from '../fakes/twilio.js';
import { deliverWhatsAppWebhook, startFakeWhatsApp, whatsappInboundPayload, whatsappStatusPayload, whatsappTextMessage, type FakeWhatsApp } from '../fakes/whatsapp.js';
import {
  createConnection,
  messages,
  startChainFlow,
  startProviderBundles,
  twilioConfig,
  waitForFinishedRuns,
  whatsappAppSecret,
  whatsappConfig,
  type ApiConnection,
  type ApiMessage,
} from '../support/providers.js';

let b: TestBundles;
let wa: FakeWhatsApp;
let twilio: FakeTwilio;
let waConn: ApiConnection;
let twConn: ApiConnection;
let waFlow: string;
let twFlow: string;

beforeAll(async () => {
  [b, wa, twilio] = await Promise.all([startProviderBundles(), startFakeWhatsApp(), startFakeTwilio()]);
  waConn = await createConnection(b, 'whatsapp', 'Shop WhatsApp', whatsappConfig(wa));
  twConn = await createConnection(b, 'twilio', 'Twilio SMS', twilioConfig(twilio));
  waFlow = await startChainFlow(b, 'WhatsApp auto-reply', [
    { id: 'trigger', type: 'whatsapp.message_received', connectionId: waConn.id, config: {} },
    { id: 'answer', type: 'whatsapp.send_text', connectionId: waConn.id, config: { to: '{{ trigger.from }}', text: 'Thanks {{ trigger.name }}, we will answer soon' } },
  ]);
  twFlow = await startChainFlow(b, 'SMS auto-reply', [
    { id: 'trigger', type: 'twilio.message_received', connectionId: twConn.id, config: {} },
    { id: 'answer', type: 'twilio.send_sms', connectionId: twConn.id, config: { from: '+15550002222', to: '{{ trigger.from }}', body: 'Thanks, we will answer soon' } },
  ]);
});
afterAll(async () => {
  await b?.close();
  await wa?.close();
  await twilio?.close();
});

const customer = '5511998765432';
let inboundWa: ApiMessage;

describe('the message log', () => {
  it('lists inbound and outbound WhatsApp messages with their provider ids, filtered by provider, direction and conversation', async () => {
    const message = whatsappTextMessage({ from: customer, text: 'Where is my order A-17?' });
    expect((await deliverWhatsAppWebhook(waConn.webhookUrl!, whatsappAppSecret, whatsappInboundPayload([message]))).status).toBe(200);
    const [run] = await waitForFinishedRuns(b, waFlow);
    expect(run!.status).toBe('succeeded');
    // A message from someone else, to check the conversation filter.
    expect((await deliverWhatsAppWebhook(waConn.webhookUrl!, whatsappAppSecret, whatsappInboundPayload([whatsappTextMessage({ from: '16505551234', text: 'hi' })]))).status).toBe(200);
    await waitForFinishedRuns(b, waFlow, 2);

    const inbound = await messages(b, { provider: 'whatsapp', direction: 'inbound', conversation: customer });
    expect(inbound).toHaveLength(1);
    inboundWa = inbound[0]!;
    expect(inboundWa).toMatchObject({
      provider: 'whatsapp',
      connectionId: waConn.id,
      direction: 'inbound',
      channel: 'whatsapp',
      from: customer,
      to: '106540352242922',
      text: 'Where is my order A-17?',
      providerMessageId: message.id,
      status: 'received',
      conversationKey: customer,
      runId: null,
    });

    const outbound = await messages(b, { provider: 'whatsapp', direction: 'outbound', conversation: customer });
    expect(outbound).toHaveLength(1);
    const sent = wa.messages.find((m) => m.to === customer)!;
    expect(outbound[0]).toMatchObject({
      direction: 'outbound',
      from: '106540352242922',
      to: customer,
      text: 'Thanks Ana Souza, we will answer soon',
      providerMessageId: sent.id,
      status: 'accepted',
      conversationKey: customer,
      runId: run!.id,
    });

    expect((await messages(b, { conversation: customer })).map((m) => m.direction)).toEqual(['outbound', 'inbound']);
    expect(await messages(b, { provider: 'whatsapp' })).toHaveLength(4);
    expect(await messages(b, { provider: 'twilio' })).toEqual([]);

    // WhatsApp statuses move forward only, also when Meta batches several statuses of one message in one POST.
    const outboundStatus = async () => (await messages(b, { provider: 'whatsapp', direction: 'outbound', conversation: customer }))[0]!.status;
    const batch = whatsappStatusPayload([
      { id: sent.id, status: 'sent', recipientId: customer },
      { id: sent.id, status: 'read', recipientId: customer },
      { id: sent.id, status: 'delivered', recipientId: customer },
    ]);
    expect((await deliverWhatsAppWebhook(waConn.webhookUrl!, whatsappAppSecret, batch)).status).toBe(200);
    expect(await outboundStatus()).toBe('read');
    const late = whatsappStatusPayload([{ id: sent.id, status: 'delivered', recipientId: customer, timestamp: Math.floor(Date.now() / 1000) + 1 }]);
    expect((await deliverWhatsAppWebhook(waConn.webhookUrl!, whatsappAppSecret, late)).status).toBe(200);
    expect(await outboundStatus()).toBe('read');
  });

  it('keeps a Twilio message delivered when a late "sent" callback arrives, and sends the status callback URL', async () => {
    expect((await deliverTwilioWebhook(twConn.webhookUrl!, twilio.authToken, twilioInboundSms({ from: '+5511998765432', body: 'STATUS A-17' }))).status).toBe(200);
    const [run] = await waitForFinishedRuns(b, twFlow);
    expect(run!.status).toBe('succeeded');
    const sid = twilio.messages[0]!.sid;
    expect(twilio.messages[0]!.statusCallback).toBe(twConn.webhookUrl);

    const [out] = await messages(b, { provider: 'twilio', direction: 'outbound' });
    expect(out).toMatchObject({ channel: 'sms', from: '+15550002222', to: '+5511998765432', text: 'Thanks, we will answer soon', providerMessageId: sid, status: 'queued', runId: run!.id });
    const [inb] = await messages(b, { provider: 'twilio', direction: 'inbound' });
    expect(inb).toMatchObject({ channel: 'sms', from: '+5511998765432', to: '+15550002222', text: 'STATUS A-17', status: 'received', conversationKey: '+5511998765432' });

    const status = async (s: string) => {
      const res = await deliverTwilioWebhook(twConn.webhookUrl!, twilio.authToken, twilioStatusCallback({ messageSid: sid, status: s }));
      expect(res.status).toBe(200);
      expect(res.body).toBe('');
      return (await messages(b, { provider: 'twilio', direction: 'outbound' }))[0]!.status;
    };
    expect(await status('sent')).toBe('sent');
    expect(await status('delivered')).toBe('delivered');
    expect(await status('sent')).toBe('delivered');
    expect(await status('queued')).toBe('delivered');
    // Callbacks are events of their own, and start no run of the message flow.
    expect(await messages(b, { provider: 'twilio' })).toHaveLength(2);
    expect((await waitForFinishedRuns(b, twFlow)).length).toBe(1);
  });
});

describe('replies from the message log', () => {
  it('answers a WhatsApp message within 24 hours with a text', async () => {
    const before = wa.messages.length;
    const res = await b.api('POST', `/api/messages/${inboundWa.id}/reply`, { text: 'It ships tomorrow morning' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(wa.messages).toHaveLength(before + 1);
    const sent = wa.messages.at(-1)!;
    expect(sent.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: customer, type: 'text', text: { body: 'It ships tomorrow morning', preview_url: false } });
    expect(wa.requests.at(-1)!.path).toBe('/v21.0/106540352242922/messages');
    expect(res.body).toMatchObject({ direction: 'outbound', channel: 'whatsapp', to: customer, text: 'It ships tomorrow morning', providerMessageId: sent.id, conversationKey: customer, runId: null });
    const log = await messages(b, { conversation: customer, direction: 'outbound' });
    expect(log[0]!.providerMessageId).toBe(sent.id);
  });

  it('refuses a free-form WhatsApp reply when the customer’s last message is older than 24 hours', async () => {
    await b.database.pool.query(`update messages set created_at = now() - interval '25 hours' where connection_id = $1 and conversation_key = $2 and direction = 'inbound'`, [
      waConn.id,
      customer,
    ]);
    const before = wa.requests.length;
    const res = await b.api('POST', `/api/messages/${inboundWa.id}/reply`, { text: 'Are you still there?' });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: {
        code: 'cannot_reply',
        message: 'WhatsApp allows free-form replies only within 24 hours of the customer’s last message; send a template instead',
        details: { providerCode: 131047 },
      },
    });
    expect(wa.requests).toHaveLength(before);
  });

  it('answers 404 for an unknown message', async () => {
    const res = await b.api('POST', '/api/messages/00000000-0000-4000-8000-000000000000/reply', { text: 'hi' });
    expect(res.status).toBe(404);
  });
});
