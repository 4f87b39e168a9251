// A webhook delivered three times starts one run: Twilio (same MessageSid), WhatsApp (same wamid),
// Tokopedia (same msg_id and content). The duplicates are counted on the event and logged as deliveries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { signedTokopediaWebhook, tokopediaChatPayload } from '../fakes/tokopedia.js';
import { twilioInboundSms, twilioWebhook } from '../fakes/twilio.js';
import { whatsappInboundPayload, whatsappTextMessage, whatsappWebhook } from '../fakes/whatsapp.js';
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
  waitForFinishedRuns,
  whatsappAppSecret,
  type ApiConnection,
} from '../support/providers.js';

let b: TestBundles;

beforeAll(async () => {
  b = await startProviderBundles();
});
afterAll(async () => {
  await b?.close();
});

// No outbound call is needed: each flow only composes a value from the trigger.
async function flowOn(conn: ApiConnection, trigger: string): Promise<string> {
  return startChainFlow(b, `${conn.provider} dedupe`, [
    { id: 'trigger', type: trigger, connectionId: conn.id, config: {} },
    { id: 'note', type: 'core.set', config: { fields: { seen: true } } },
  ]);
}

/** Posts the same request three times, then checks one run, one event with 2 duplicates, and the delivery log. */
async function expectOneRunFromThree(conn: ApiConnection, flowId: string, send: () => Promise<{ status: number }>, dedupeKey: string) {
  for (let i = 0; i < 3; i++) expect((await send()).status).toBe(200);
  const [run] = await waitForFinishedRuns(b, flowId, 1);
  expect(run!.status).toBe('succeeded');
  expect(await listRuns(b, flowId)).toHaveLength(1);

  const received = await events(b, conn.id);
  expect(received).toHaveLength(1);
  expect(received[0]).toMatchObject({ connectionId: conn.id, dedupeKey, duplicates: 2 });
  expect(run!.eventId).toBe(received[0]!.id);

  const log = await deliveries(b, conn.id);
  expect(log.map((d) => d.outcome).sort()).toEqual(['accepted', 'duplicate', 'duplicate']);
  for (const d of log) expect(d.eventIds).toEqual([received[0]!.id]);
  // What was received is stored once, as the event, and shown with the accepted delivery only.
  const accepted = log.find((d) => d.outcome === 'accepted')!;
  expect(accepted.body).toBeNull();
  expect(accepted.events).toEqual([{ id: received[0]!.id, type: received[0]!.type, payload: received[0]!.payload }]);
  for (const d of log.filter((x) => x.outcome === 'duplicate')) expect([d.body, d.events]).toEqual([null, []]);
  // And the message log holds the message once.
  expect(await messages(b, { connectionId: conn.id })).toHaveLength(1);
}

describe('the same webhook three times', () => {
  it('Twilio: same MessageSid, signed over the public URL → one run', async () => {
    const conn = await createConnection(b, 'twilio', 'Twilio SMS', { accountSid: 'AC' + 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6', authToken: 'f00dcafef00dcafef00dcafef00dcafe' });
    const flowId = await flowOn(conn, 'twilio.message_received');
    const params = twilioInboundSms({ messageSid: 'SM0123456789abcdef0123456789abcdef', body: 'STOP?' });
    expect(conn.webhookUrl!.startsWith(`${b.publicUrl}/hooks/${conn.id}/`)).toBe(true);
    await expectOneRunFromThree(
      conn,
      flowId,
      async () => {
        // Twilio signs the public URL; each retry carries a new idempotency token but the same MessageSid.
        const hook = twilioWebhook('f00dcafef00dcafef00dcafef00dcafe', conn.webhookUrl!, params);
        return postHook(hook.url, hook.headers, hook.body);
      },
      'SM0123456789abcdef0123456789abcdef',
    );
  });

  it('WhatsApp: same wamid → one run', async () => {
    const conn = await createConnection(b, 'whatsapp', 'Shop WhatsApp', { accessToken: 'EAAGtoken', appSecret: whatsappAppSecret, verifyToken: 'v', phoneNumberId: '106540352242922' });
    const flowId = await flowOn(conn, 'whatsapp.message_received');
    const message = whatsappTextMessage({ id: 'wamid.HBgNNTUxMTk5ODc2NTQzMhUCABIYFjNFQjBDMEE4RDlCRjQ5RDU2QTdFAA==', text: 'Where is my order A-17?' });
    const hook = whatsappWebhook(whatsappAppSecret, whatsappInboundPayload([message]));
    await expectOneRunFromThree(conn, flowId, () => postHook(conn.webhookUrl!, hook.headers, hook.body), message.id);
  });

  it('Tokopedia: same msg_id and content → one run; another message in the same chat is a new run', async () => {
    const conn = await createConnection(b, 'tokopedia', 'Toko Budi', { fsId: '13004', clientId: 'c', clientSecret: 's', shopId: '123456', webhookSecret: tokopediaWebhookSecret });
    const flowId = await flowOn(conn, 'tokopedia.chat_message_received');
    const hook = signedTokopediaWebhook(tokopediaWebhookSecret, tokopediaChatPayload({ msg_id: 10000, message: 'Hello World' }));
    const send = () => postHook(conn.webhookUrl!, hook.headers, hook.rawBody);
    for (let i = 0; i < 3; i++) expect((await send()).status).toBe(200);
    const [run] = await waitForFinishedRuns(b, flowId, 1);
    expect(run!.status).toBe('succeeded');
    const received = await events(b, conn.id);
    expect(received).toHaveLength(1);
    expect(received[0]!.dedupeKey).toMatch(/^msg:10000:[0-9a-f]{16}$/);
    expect(received[0]!.duplicates).toBe(2);
    expect((await deliveries(b, conn.id)).map((d) => d.outcome).sort()).toEqual(['accepted', 'duplicate', 'duplicate']);

    // msg_id names the conversation: a different text under the same msg_id is a new message.
    const next = signedTokopediaWebhook(tokopediaWebhookSecret, tokopediaChatPayload({ msg_id: 10000, message: 'Are you there?' }));
    expect((await postHook(conn.webhookUrl!, next.headers, next.rawBody)).status).toBe(200);
    const runs = await waitForFinishedRuns(b, flowId, 2);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect((await events(b, conn.id)).map((e) => e.duplicates).sort()).toEqual([0, 2]);
    expect((await messages(b, { connectionId: conn.id })).map((m) => m.text)).toEqual(['Are you there?', 'Hello World']);
  });
});
