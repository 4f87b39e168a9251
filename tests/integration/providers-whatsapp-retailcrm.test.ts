// WhatsApp ⇄ RetailCRM bundles end to end: a WhatsApp message becomes a customer, an order and a chat
// message in RetailCRM; an order paid in RetailCRM becomes a WhatsApp template to the buyer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { startFakeRetailcrm, type FakeRetailcrm } from '../fakes/retailcrm.js';
import { deliverWhatsAppWebhook, startFakeWhatsApp, whatsappInboundPayload, whatsappTextMessage, type FakeWhatsApp } from '../fakes/whatsapp.js';
import {
  createConnection,
  events,
  listRuns,
  postHook,
  retailcrmConfig,
  startChainFlow,
  startProviderBundles,
  stepOf,
  stepStates,
  waitForFinishedRuns,
  whatsappAppSecret,
  whatsappConfig,
  type ApiConnection,
} from '../support/providers.js';

let b: TestBundles;
let wa: FakeWhatsApp;
let crm: FakeRetailcrm;
let waConn: ApiConnection;
let crmConn: ApiConnection;

beforeAll(async () => {
  [b, wa, crm] = await Promise.all([startProviderBundles(), startFakeWhatsApp({ templates: { order_paid: 1 } }), startFakeRetailcrm()]);
  waConn = await createConnection(b, 'whatsapp', 'Shop WhatsApp', whatsappConfig(wa));
  crmConn = await createConnection(b, 'retailcrm', 'Shop RetailCRM', retailcrmConfig(crm));
});
afterAll(async () => {
  await b?.close();
  await wa?.close();
  await crm?.close();
});

describe('WhatsApp message → RetailCRM customer, order and chat message', () => {
  it('creates the customer by the sender id, an order for them, and posts the text into the chat', async () => {
    const flowId = await startChainFlow(b, 'WhatsApp to RetailCRM', [
      { id: 'trigger', type: 'whatsapp.message_received', connectionId: waConn.id, config: {} },
      {
        id: 'customer',
        type: 'retailcrm.find_or_create_customer',
        connectionId: crmConn.id,
        config: { phone: '{{ trigger.from }}', name: '{{ trigger.name }}', source: 'whatsapp' },
      },
      {
        id: 'order',
        type: 'retailcrm.create_order',
        connectionId: crmConn.id,
        config: { customerId: '{{ steps.customer.id }}', phone: '+{{ trigger.from }}', orderMethod: 'messenger', customerComment: '{{ trigger.text }}' },
      },
      { id: 'chat', type: 'retailcrm.send_chat_message', connectionId: crmConn.id, config: { chatId: 77, text: 'Order {{ steps.order.number }}: {{ trigger.text }}' } },
    ]);

    const message = whatsappTextMessage({ from: '5511998765432', text: 'I want two blue T-shirts' });
    const hook = await deliverWhatsAppWebhook(waConn.webhookUrl!, whatsappAppSecret, whatsappInboundPayload([message], { contacts: [{ waId: '5511998765432', name: 'Ana Souza' }] }));
    expect(hook.status).toBe(200);

    const [run] = await waitForFinishedRuns(b, flowId);
    expect(run!.status, JSON.stringify(run!.error)).toBe('succeeded');
    expect(stepStates(run!)).toEqual(['trigger:succeeded', 'customer:succeeded', 'order:succeeded', 'chat:succeeded']);

    // RetailCRM: searched by the national number, then created the customer with the number in E.164.
    const search = crm.requests.find((r) => r.method === 'GET' && r.path === '/api/v5/customers')!;
    expect(search.query['filter[name]']).toBe('11998765432');
    expect(search.headers['x-api-key']).toBe(crm.apiKey);
    expect(crm.customers).toHaveLength(1);
    expect(crm.customers[0]).toMatchObject({ firstName: 'Ana', lastName: 'Souza', phones: [{ number: '+5511998765432' }], site: 'myshop', source: { source: 'whatsapp' } });
    const customerId = crm.customers[0]!.id;
    expect(stepOf(run!, 'customer').output).toMatchObject({ id: customerId, created: true });

    const create = crm.requests.find((r) => r.path === '/api/v5/orders/create')!;
    expect(create.form!.site).toBe('myshop');
    // The externalId names the run and node, so that a run recovered after a crash finds the order it created.
    expect(JSON.parse(create.form!.order!)).toEqual({
      externalId: `bundles-${run!.id}-order`,
      phone: '+5511998765432',
      orderMethod: 'messenger',
      customerComment: 'I want two blue T-shirts',
      customer: { id: customerId },
    });
    expect(crm.orders).toHaveLength(1);
    const order = crm.orders[0]!;
    expect(order.customer?.id).toBe(customerId);
    expect(stepOf(run!, 'order').output).toMatchObject({ id: order.id, number: order.number, status: 'new' });

    // Message Gateway: the text, into the configured chat, with the bot token.
    expect(crm.chatMessages).toEqual([{ message_id: expect.any(Number), chat_id: 77, scope: 'public', type: 'text', content: `Order ${order.number}: I want two blue T-shirts` }]);
    const mg = crm.requests.find((r) => r.path === '/api/bot/v1/messages')!;
    expect(mg.headers['x-bot-token']).toBe(crm.mgToken);
    expect(stepOf(run!, 'chat').output).toMatchObject({ messageId: String(crm.chatMessages[0]!.message_id), chatId: 77 });
    // No call went to WhatsApp.
    expect(wa.requests).toHaveLength(0);

    // A second message from the same number finds the customer instead of creating another one.
    const again = whatsappTextMessage({ from: '5511998765432', text: 'And a red one' });
    expect((await deliverWhatsAppWebhook(waConn.webhookUrl!, whatsappAppSecret, whatsappInboundPayload([again]))).status).toBe(200);
    const runs = await waitForFinishedRuns(b, flowId, 2);
    expect(runs[1]!.status).toBe('succeeded');
    expect(stepOf(runs[1]!, 'customer').output).toMatchObject({ id: customerId, created: false });
    expect(crm.customers).toHaveLength(1);
    expect(crm.orders).toHaveLength(2);
    expect(crm.orders[1]!.customer?.id).toBe(customerId);
  });
});

describe('RetailCRM order paid → WhatsApp template', () => {
  it('sends the template to the order’s phone with the customer’s first name; a status=new delivery starts no run', async () => {
    const customer = crm.addCustomer({ firstName: 'Budi', lastName: 'Santoso', phones: [{ number: '+62 812-3456-7890' }] });
    const order = crm.addOrder({ status: 'paid', firstName: 'Budi', lastName: 'Santoso', phone: '+62 812-3456-7890', customer, totalSumm: 150000 });
    const flowId = await startChainFlow(b, 'Paid order to WhatsApp', [
      { id: 'trigger', type: 'retailcrm.order_changed', connectionId: crmConn.id, config: { events: ['status'], statuses: ['paid'], loadOrder: true } },
      {
        id: 'notify',
        type: 'whatsapp.send_template',
        connectionId: waConn.id,
        config: { to: '{{ trigger.order.phone }}', template: 'order_paid', language: 'id', parameters: ['{{ trigger.order.customer.firstName }}'] },
      },
    ]);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    // A new order (status "new") is stored as an event but matches no trigger.
    const ignored = await postHook(crmConn.webhookUrl!, form, `type=order&status=new&id=${order.id}&event=status`);
    expect(ignored.status).toBe(200);
    expect(await listRuns(b, flowId)).toEqual([]);

    const hook = await postHook(crmConn.webhookUrl!, form, `type=order&status=paid&id=${order.id}&event=status`);
    expect(hook.status).toBe(200);
    const [run] = await waitForFinishedRuns(b, flowId);
    expect(run!.status, JSON.stringify(run!.error)).toBe('succeeded');
    expect(stepStates(run!)).toEqual(['trigger:succeeded', 'notify:succeeded']);
    expect(stepOf(run!, 'trigger').output).toMatchObject({ id: String(order.id), status: 'paid', event: 'status', type: 'order', order: { id: order.id, phone: '+62 812-3456-7890' } });

    // The full order was loaded by id.
    const load = crm.requests.find((r) => r.method === 'GET' && r.path === `/api/v5/orders/${order.id}`)!;
    expect(load.query).toMatchObject({ by: 'id', site: 'myshop' });

    // WhatsApp got exactly one template, to the digits of the order's phone, with the first name.
    expect(wa.messages).toHaveLength(1);
    expect(wa.messages[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '6281234567890',
      type: 'template',
      template: { name: 'order_paid', language: { code: 'id' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Budi' }] }] },
    });
    expect(wa.requests.at(-1)!.headers.authorization).toBe(`Bearer ${wa.accessToken}`);
    expect(stepOf(run!, 'notify').output).toEqual({ messageId: wa.messages[0]!.id, to: '6281234567890', waId: '6281234567890', status: 'accepted' });

    // Both deliveries are events; only the paid one ran.
    const received = await events(b, crmConn.id);
    expect(received.map((e) => e.dedupeKey).sort()).toEqual([`order:${order.id}:status:new`, `order:${order.id}:status:paid`]);
    expect(await listRuns(b, flowId)).toHaveLength(1);
  });
});
