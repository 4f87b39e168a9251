// Tokopedia chat → RetailCRM customer and order → Tokopedia reply, end to end through the signed webhook.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { startFakeRetailcrm, type FakeRetailcrm } from '../fakes/retailcrm.js';
import { signedTokopediaWebhook, startFakeTokopedia, tokopediaChatPayload, type FakeTokopedia } from '../fakes/tokopedia.js';
import {
  createConnection,
  messages,
  postHook,
  retailcrmConfig,
  startChainFlow,
  startProviderBundles,
  stepOf,
  stepStates,
  tokopediaConfig,
  tokopediaWebhookSecret,
  waitForFinishedRuns,
  type ApiConnection,
} from '../support/providers.js';

let b: TestBundles;
let tkpd: FakeTokopedia;
let crm: FakeRetailcrm;
let tkpdConn: ApiConnection;
let crmConn: ApiConnection;

beforeAll(async () => {
  [b, tkpd, crm] = await Promise.all([startProviderBundles(), startFakeTokopedia(), startFakeRetailcrm()]);
  tkpdConn = await createConnection(b, 'tokopedia', 'Toko Budi', tokopediaConfig(tkpd));
  crmConn = await createConnection(b, 'retailcrm', 'Shop RetailCRM', retailcrmConfig(crm));
});
afterAll(async () => {
  await b?.close();
  await tkpd?.close();
  await crm?.close();
});

describe('Tokopedia chat → RetailCRM order → Tokopedia reply', () => {
  it('creates the customer and the order from the chat and thanks the buyer in the same chat', async () => {
    const flowId = await startChainFlow(b, 'Tokopedia to RetailCRM', [
      { id: 'trigger', type: 'tokopedia.chat_message_received', connectionId: tkpdConn.id, config: {} },
      {
        id: 'order',
        type: 'retailcrm.create_order',
        connectionId: crmConn.id,
        config: { firstName: '{{ trigger.name }}', orderMethod: 'tokopedia', customerComment: 'Tokopedia buyer {{ trigger.buyerId }}: {{ trigger.text }}' },
      },
      {
        id: 'reply',
        type: 'tokopedia.reply',
        connectionId: tkpdConn.id,
        // No msg_id given: the reply answers the chat message that started the run (its template default).
        config: { text: 'Thanks, we got your message' },
      },
    ]);

    const hook = signedTokopediaWebhook(tokopediaWebhookSecret, tokopediaChatPayload({ msg_id: 20001, buyer_id: 654321, full_name: 'Budi', message: 'Is the Kaos Polos in stock?' }));
    const res = await postHook(tkpdConn.webhookUrl!, hook.headers, hook.rawBody);
    expect(res.status).toBe(200);

    const [run] = await waitForFinishedRuns(b, flowId);
    expect(run!.status, JSON.stringify(run!.error)).toBe('succeeded');
    expect(stepStates(run!)).toEqual(['trigger:succeeded', 'order:succeeded', 'reply:succeeded']);
    expect(stepOf(run!, 'trigger').output).toMatchObject({ msgId: '20001', buyerId: '654321', name: 'Budi', text: 'Is the Kaos Polos in stock?', shopId: '123456' });

    // RetailCRM: one order, with a new customer named after the buyer.
    const create = crm.requests.find((r) => r.path === '/api/v5/orders/create')!;
    expect(JSON.parse(create.form!.order!)).toEqual({
      externalId: expect.stringMatching(/^bundles-[0-9a-f-]{36}-[a-z_]+$/),
      firstName: 'Budi',
      orderMethod: 'tokopedia',
      customerComment: 'Tokopedia buyer 654321: Is the Kaos Polos in stock?',
    });
    expect(crm.orders).toHaveLength(1);
    expect(crm.customers).toHaveLength(1);
    expect(crm.customers[0]).toMatchObject({ firstName: 'Budi', site: 'myshop' });
    expect(crm.orders[0]!.customer?.id).toBe(crm.customers[0]!.id);
    expect(stepOf(run!, 'order').output).toMatchObject({ id: crm.orders[0]!.id, number: crm.orders[0]!.number });

    // Tokopedia: a token by client credentials, then the reply with the Bearer token into the buyer's msg_id.
    expect(tkpd.tokensIssued).toHaveLength(1);
    expect(tkpd.replies).toEqual([{ msgId: '20001', shopId: 123456, message: 'Thanks, we got your message', replyTime: expect.any(Number) }]);
    const reply = tkpd.requests.find((r) => r.path === `/v1/chat/fs/${tkpd.fsId}/messages/20001/reply`)!;
    expect(reply.headers.authorization).toBe(`Bearer ${tkpd.tokensIssued[0]}`);
    expect(reply.json).toEqual({ shop_id: 123456, message: 'Thanks, we got your message' });

    // The message log has the buyer's message and the reply, in one conversation keyed by the buyer.
    const log = await messages(b, { provider: 'tokopedia', conversation: '654321' });
    expect(log.map((m) => [m.direction, m.text, m.providerMessageId])).toEqual([
      ['outbound', 'Thanks, we got your message', '20001'],
      ['inbound', 'Is the Kaos Polos in stock?', '20001'],
    ]);
    expect(log[0]).toMatchObject({ channel: 'tokopedia_chat', from: '123456', to: '654321', status: 'sent', runId: run!.id });
    expect(log[1]).toMatchObject({ channel: 'tokopedia_chat', from: '654321', to: '123456', status: 'received', runId: null });

    // An operator answers the buyer from the message log, in the same chat, with the cached token.
    const answer = await b.api('POST', `/api/messages/${log[1]!.id}/reply`, { text: 'Yes, sizes M and L are in stock' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(tkpd.replies.at(-1)).toMatchObject({ msgId: '20001', shopId: 123456, message: 'Yes, sizes M and L are in stock' });
    expect(tkpd.tokensIssued).toHaveLength(1);
    expect(answer.body).toMatchObject({ direction: 'outbound', channel: 'tokopedia_chat', from: '123456', to: '654321', providerMessageId: '20001', conversationKey: '654321', status: 'sent' });
    expect((await messages(b, { provider: 'tokopedia', direction: 'outbound' })).map((m) => m.text)).toEqual(['Yes, sizes M and L are in stock', 'Thanks, we got your message']);
  });
});
