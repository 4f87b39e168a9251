// Tokopedia chat → a RetailCRM lead: the buyer (no phone) found or created by external id, an order per message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { startFakeRetailcrm, type FakeRetailcrm } from '../fakes/retailcrm.js';
import { signedTokopediaWebhook, startFakeTokopedia, tokopediaChatPayload, type FakeTokopedia } from '../fakes/tokopedia.js';
import {
  createConnection,
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

describe('Tokopedia chat → RetailCRM lead', () => {
  it('two messages of one buyer: one customer by externalId tokopedia:<buyer_id>, two orders from Tokopedia with the texts', async () => {
    const flowId = await startChainFlow(b, 'Tokopedia leads', [
      { id: 'trigger', type: 'tokopedia.chat_message_received', connectionId: tkpdConn.id, config: {} },
      {
        id: 'customer',
        type: 'retailcrm.find_or_create_customer',
        connectionId: crmConn.id,
        config: { externalId: 'tokopedia:{{ trigger.buyerId }}', name: '{{ trigger.name }}' },
      },
      {
        id: 'lead',
        type: 'retailcrm.create_order',
        connectionId: crmConn.id,
        config: { customerId: '{{ steps.customer.id }}', firstName: '{{ trigger.name }}', source: 'Tokopedia', managerComment: '{{ trigger.text }}' },
      },
    ]);
    const send = async (msgId: number, message: string) => {
      const hook = signedTokopediaWebhook(tokopediaWebhookSecret, tokopediaChatPayload({ msg_id: msgId, buyer_id: 654321, full_name: 'Budi Santoso', message }));
      expect((await postHook(tkpdConn.webhookUrl!, hook.headers, hook.rawBody)).status).toBe(200);
    };

    await send(30001, 'Is the Kaos Polos in stock?');
    const [first] = await waitForFinishedRuns(b, flowId, 1);
    expect(first!.status, JSON.stringify(first!.error)).toBe('succeeded');
    expect(stepOf(first!, 'customer').output).toMatchObject({ created: true });

    await send(30002, 'And in size L?');
    const runs = await waitForFinishedRuns(b, flowId, 2);
    const second = runs.find((r) => r.id !== first!.id)!;
    expect(second.status, JSON.stringify(second.error)).toBe('succeeded');
    expect(stepStates(second)).toEqual(['trigger:succeeded', 'customer:succeeded', 'lead:succeeded']);
    expect(stepOf(second, 'customer').output).toMatchObject({ created: false, id: (stepOf(first!, 'customer').output as { id: number }).id });

    // One customer, named after the buyer, without a phone, keyed by the buyer's id.
    expect(crm.customers).toHaveLength(1);
    const customer = crm.customers[0]!;
    expect(customer).toMatchObject({ externalId: 'tokopedia:654321', firstName: 'Budi', lastName: 'Santoso', site: 'myshop', phones: [] });
    // Two leads of that customer, from Tokopedia, the chat text as the manager's comment.
    expect(crm.orders.map((o) => [o.customer?.id, o.source, o.managerComment])).toEqual([
      [customer.id, { source: 'Tokopedia' }, 'Is the Kaos Polos in stock?'],
      [customer.id, { source: 'Tokopedia' }, 'And in size L?'],
    ]);
    const lookups = crm.requests.filter((r) => r.method === 'GET' && r.path === '/api/v5/customers/tokopedia%3A654321');
    expect(lookups.map((r) => r.query)).toEqual([
      { by: 'externalId', site: 'myshop' },
      { by: 'externalId', site: 'myshop' },
    ]);
    expect(crm.requests.filter((r) => r.path === '/api/v5/customers/create')).toHaveLength(1);
  });
});
