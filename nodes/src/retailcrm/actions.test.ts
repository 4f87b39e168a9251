import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isControlResult, ProviderError } from '../define.js';
import { testActionContext } from '../testing.js';
import { startFakeRetailcrm, type FakeRetailcrm } from '../../../tests/fakes/retailcrm.js';
import type { RetailcrmConnectionConfig } from './provider.js';
import { retailcrm } from './provider.js';
import { retailcrmFindOrCreateCustomer } from './find-or-create-customer.js';
import { retailcrmCreateOrder } from './create-order.js';
import { retailcrmUpdateOrderStatus } from './update-order-status.js';
import { retailcrmGetOrder } from './get-order.js';
import { retailcrmSendChatMessage } from './send-chat-message.js';
import { testProviderContext } from '../testing.js';

let fake: FakeRetailcrm;
let connection: RetailcrmConnectionConfig;
beforeAll(async () => {
  fake = await startFakeRetailcrm();
});
afterAll(() => fake.close());
beforeEach(() => {
  connection = { domain: 'myshop.retailcrm.ru', apiKey: fake.apiKey, site: 'myshop', baseUrl: fake.url, mgToken: fake.mgToken, mgBaseUrl: fake.url };
});

let runs = 0;
/** A context of a run of its own: orders are created with an externalId per run and node. */
function ctx<C>(config: C) {
  return testActionContext({ provider: 'retailcrm', config: config, connection, runId: `run_${++runs}`, nodeId: 'create_order' });
}

describe('retailcrm.find_or_create_customer', () => {
  const run = async (config: Record<string, unknown>) => {
    const out = await retailcrmFindOrCreateCustomer.execute(ctx(retailcrmFindOrCreateCustomer.config.parse(config)));
    if (isControlResult(out)) throw new Error('find_or_create_customer never answers a control result');
    return out;
  };

  it('finds the customer by a phone written in another format', async () => {
    const existing = fake.addCustomer({ firstName: 'Olga', lastName: 'Smirnova', phones: [{ number: '8 (912) 345-67-89' }] });
    fake.addCustomer({ firstName: 'Decoy', phones: [{ number: '+7 912 345-67-80' }] });
    const out = await run({ phone: '+7 912 345 67 89' });
    expect(out).toMatchObject({ id: existing.id, created: false, customer: { firstName: 'Olga' } });
    const req = fake.requests.at(-1)!;
    expect(req.path).toBe('/api/v5/customers');
    expect(req.query).toEqual({ 'filter[name]': '9123456789', limit: '20', page: '1' });
  });

  it('uses the default country for a national number', async () => {
    const existing = fake.addCustomer({ firstName: 'Budi', phones: [{ number: '+62 812-3456-7890' }] });
    const out = await run({ phone: '0812 3456 7890', defaultCountry: 'ID' });
    expect(out).toMatchObject({ id: existing.id, created: false });
  });

  it('creates the customer when no one has the phone, with the exact form body', async () => {
    const before = fake.customers.length;
    const out = await run({ phone: '+7 (900) 765-43-21', name: 'Ivan  Petrov Sergeevich', email: 'ivan@example.ru', source: 'whatsapp' });
    expect(out.created).toBe(true);
    expect(fake.customers.length).toBe(before + 1);
    expect(out.id).toBe(fake.customers.at(-1)!.id);
    const req = fake.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/api/v5/customers/create');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.keys(req.form!)).toEqual(['customer', 'site']);
    expect(req.form!.site).toBe('myshop');
    expect(JSON.parse(req.form!.customer!)).toEqual({
      firstName: 'Ivan',
      lastName: 'Petrov Sergeevich',
      phones: [{ number: '+79007654321' }],
      email: 'ivan@example.ru',
      source: { source: 'whatsapp' },
    });
    expect(out.customer).toMatchObject({ id: out.id, firstName: 'Ivan', phones: [{ number: '+79007654321' }] });
    // The same phone again is found, not created twice.
    expect(await run({ phone: '89007654321', defaultCountry: 'RU' })).toMatchObject({ id: out.id, created: false });
  });

  it('refuses a text that is no phone number, permanently', async () => {
    const err = await run({ phone: 'call me' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ retryable: false, code: 'invalid_phone' });
  });
});

describe('retailcrm orders', () => {
  it('creates an order: form order=<JSON>&site, 201', async () => {
    const customer = fake.addCustomer({ firstName: 'Anna', phones: [{ number: '+79001112233' }] });
    const config = retailcrmCreateOrder.config.parse({
      firstName: 'Anna',
      lastName: '',
      phone: '+79001112233',
      customerId: String(customer.id),
      status: 'new',
      orderMethod: 'phone',
      items: '[{"productName":"T-shirt","quantity":2,"initialPrice":1500}]',
      customerComment: 'Call after 18:00',
    });
    const out = await retailcrmCreateOrder.execute(ctx(config));
    const stored = fake.orders.at(-1)!;
    expect(out).toMatchObject({ id: stored.id, number: stored.number, status: 'new', order: { customer: { id: customer.id }, totalSumm: 3000 } });
    const req = fake.requests.at(-1)!;
    expect(req.path).toBe('/api/v5/orders/create');
    expect(req.form!.site).toBe('myshop');
    expect(JSON.parse(req.form!.order!)).toEqual({
      externalId: `bundles-run_${runs}-create_order`,
      firstName: 'Anna',
      phone: '+79001112233',
      status: 'new',
      orderMethod: 'phone',
      customerComment: 'Call after 18:00',
      customer: { id: customer.id },
      items: [{ productName: 'T-shirt', quantity: 2, initialPrice: 1500 }],
    });
  });

  it('create refuses items that are not a JSON list', async () => {
    const err = await retailcrmCreateOrder.execute(ctx(retailcrmCreateOrder.config.parse({ firstName: 'A', items: '{oops' }))).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: false, code: 'invalid_items' });
  });

  it('a validation error from RetailCRM is permanent with its errors', async () => {
    const err = await retailcrmCreateOrder.execute(ctx(retailcrmCreateOrder.config.parse({ firstName: 'A', status: 'no-such' }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ retryable: false, status: 400, message: 'Order is not created (status: Status "no-such" does not exist.)' });
  });

  it('updates the status with by=id', async () => {
    const order = fake.addOrder({ status: 'new', externalId: 'web-5' });
    const out = await retailcrmUpdateOrderStatus.execute(ctx(retailcrmUpdateOrderStatus.config.parse({ orderId: String(order.id), status: 'paid' })));
    expect(out).toMatchObject({ id: order.id, status: 'paid' });
    expect(order.status).toBe('paid');
    const req = fake.requests.at(-1)!;
    expect(req.path).toBe(`/api/v5/orders/${order.id}/edit`);
    expect(req.form).toEqual({ by: 'id', order: '{"status":"paid"}', site: 'myshop' });
  });

  it('gets an order by id', async () => {
    const order = fake.addOrder({ status: 'paid', firstName: 'Ivan', phone: '+79001234567', totalSumm: 5290 });
    const out = await retailcrmGetOrder.execute(ctx({ orderId: order.id }));
    expect(out).toMatchObject({ id: order.id, number: order.number, status: 'paid', order: { firstName: 'Ivan', totalSumm: 5290 } });
    expect(fake.requests.at(-1)!.query).toEqual({ by: 'id', site: 'myshop' });
  });
});

describe('retailcrm.send_chat_message', () => {
  it('posts a text through the Message Gateway and logs it', async () => {
    const c = ctx(retailcrmSendChatMessage.config.parse({ chatId: '42', text: 'Your order 1042A is paid' }));
    const out = await retailcrmSendChatMessage.execute(c);
    const sent = fake.chatMessages.at(-1)!;
    expect(out).toMatchObject({ messageId: String(sent.message_id), chatId: 42 });
    const req = fake.requests.at(-1)!;
    expect(req.path).toBe('/api/bot/v1/messages');
    expect(req.headers['x-bot-token']).toBe(fake.mgToken);
    expect(req.json).toEqual({ chat_id: 42, scope: 'public', type: 'text', content: 'Your order 1042A is paid' });
    expect(c.messages).toEqual([
      { direction: 'outbound', channel: 'retailcrm_chat', to: '42', text: 'Your order 1042A is paid', providerMessageId: String(sent.message_id), status: 'sent', conversationKey: '42' },
    ]);
  });

  it('Message Gateway errors: permanent on 4xx with its errors, retryable on 5xx', async () => {
    const c = () => ctx(retailcrmSendChatMessage.config.parse({ chatId: 42, text: 'hi' }));
    fake.failNext(1, { status: 400, body: { errors: ['Chat not found'] } });
    expect(await retailcrmSendChatMessage.execute(c()).catch((e: unknown) => e)).toMatchObject({ retryable: false, message: 'Message Gateway: Chat not found' });
    fake.failNext(1, { status: 502, body: { errors: ['Bad gateway'] } });
    expect(await retailcrmSendChatMessage.execute(c()).catch((e: unknown) => e)).toMatchObject({ retryable: true });
    connection.mgToken = 'wrong';
    expect(await retailcrmSendChatMessage.execute(c()).catch((e: unknown) => e)).toMatchObject({ retryable: false, message: expect.stringContaining('bot token') });
  });

  it('says so when the connection has no Message Gateway', async () => {
    connection = { domain: 'myshop.retailcrm.ru', apiKey: fake.apiKey, baseUrl: fake.url };
    const err = await retailcrmSendChatMessage.execute(ctx({ chatId: 1, text: 'x' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: false, code: 'mg_not_configured' });
  });

  it('the reply hook answers a logged chat message', async () => {
    const record = await retailcrm.definition.reply!(testProviderContext('retailcrm', connection), {
      id: 'msg_1', direction: 'outbound', channel: 'retailcrm_chat', to: '7', conversationKey: '7', status: 'sent', createdAt: new Date(), lastInboundAt: null,
    }, 'Thanks!');
    expect(record).toMatchObject({ direction: 'outbound', channel: 'retailcrm_chat', conversationKey: '7', text: 'Thanks!' });
    expect(fake.chatMessages.at(-1)).toMatchObject({ chat_id: 7, content: 'Thanks!' });
  });
});
