// A lead from a messenger without a phone: the customer found or created by external id, the order with a source and a manager comment.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isControlResult, ProviderError } from '../define.js';
import { testActionContext } from '../testing.js';
import { startFakeRetailcrm, type FakeRetailcrm } from '../../../tests/fakes/retailcrm.js';
import type { RetailcrmConnectionConfig } from './provider.js';
import { retailcrmFindOrCreateCustomer } from './find-or-create-customer.js';
import { retailcrmCreateOrder } from './create-order.js';

let fake: FakeRetailcrm;
let connection: RetailcrmConnectionConfig;
beforeAll(async () => {
  // The 10/s limit is the limiter's business (provider.test.ts); these tests make many calls in a moment.
  fake = await startFakeRetailcrm({ rateLimit: false });
});
afterAll(() => fake.close());
beforeEach(() => {
  connection = { domain: 'myshop.retailcrm.ru', apiKey: fake.apiKey, site: 'myshop', baseUrl: fake.url };
});

let runs = 0;
const ctx = <C>(config: C, nodeId = 'customer') => testActionContext({ provider: 'retailcrm', config, connection, runId: `lead_${++runs}`, nodeId });

async function findOrCreate(config: Record<string, unknown>) {
  const out = await retailcrmFindOrCreateCustomer.execute(ctx(retailcrmFindOrCreateCustomer.config.parse(config)));
  if (isControlResult(out)) throw new Error('find_or_create_customer never answers a control result');
  return out;
}

describe('retailcrm.find_or_create_customer by external id', () => {
  it('creates a customer without a phone by externalId, then finds the same one by GET /customers/{externalId}?by=externalId', async () => {
    const before = fake.customers.length;
    const first = await findOrCreate({ externalId: 'tokopedia:654321', name: 'Budi Santoso' });
    expect(first.created).toBe(true);
    expect(fake.customers).toHaveLength(before + 1);
    const create = fake.requests.at(-1)!;
    expect(create.path).toBe('/api/v5/customers/create');
    expect(JSON.parse(create.form!.customer!)).toEqual({ externalId: 'tokopedia:654321', firstName: 'Budi', lastName: 'Santoso' });
    expect(create.form!.site).toBe('myshop');
    const lookup = fake.requests.at(-2)!;
    expect(lookup.method).toBe('GET');
    expect(lookup.path).toBe('/api/v5/customers/tokopedia%3A654321');
    expect(lookup.query).toEqual({ by: 'externalId', site: 'myshop' });

    const second = await findOrCreate({ externalId: 'tokopedia:654321', name: 'Budi S.' });
    expect(second).toMatchObject({ id: first.id, created: false, customer: { externalId: 'tokopedia:654321', firstName: 'Budi' } });
    expect(fake.customers).toHaveLength(before + 1);
    expect(fake.requests.at(-1)!.path).toBe('/api/v5/customers/tokopedia%3A654321');
  });

  it('two messages of one buyer at once make one customer: the create that loses the race finds the winner', async () => {
    const before = fake.customers.length;
    const sent = fake.requests.length;
    const [a, b] = await Promise.all([findOrCreate({ externalId: 'tokopedia:race', name: 'Budi' }), findOrCreate({ externalId: 'tokopedia:race', name: 'Budi' })]);
    expect(a.id).toBe(b.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(fake.customers).toHaveLength(before + 1);
    // Both looked up before either created: the second create was refused and its run looked again.
    expect(fake.requests.slice(sent).map((r) => r.path.replace('/api/v5/customers', ''))).toEqual(['/tokopedia%3Arace', '/tokopedia%3Arace', '/create', '/create', '/tokopedia%3Arace']);
  });

  it('an external id wins over the phone search; the phone goes onto a new customer', async () => {
    fake.addCustomer({ firstName: 'Same phone', phones: [{ number: '+6281234567001' }] });
    const sent = fake.requests.length;
    const out = await findOrCreate({ externalId: 'shop:77', phone: '+62 812-3456-7001', name: 'Sari' });
    expect(out.created).toBe(true);
    expect(fake.customers.at(-1)).toMatchObject({ externalId: 'shop:77', firstName: 'Sari', phones: [{ number: '+6281234567001' }] });
    expect(fake.requests.slice(sent).map((r) => r.path)).toEqual(['/api/v5/customers/shop%3A77', '/api/v5/customers/create']);
  });

  it('an external id of another shop is not found there', async () => {
    fake.addCustomer({ externalId: 'tokopedia:1', firstName: 'Elsewhere', site: 'othershop' });
    const out = await findOrCreate({ externalId: 'tokopedia:1', name: 'Here' });
    expect(out.created).toBe(true);
    expect(fake.customers.filter((c) => c.externalId === 'tokopedia:1').map((c) => c.site)).toEqual(['othershop', 'myshop']);
  });

  it('a RetailCRM error on the lookup other than 404 is not taken for "none": nothing is created', async () => {
    const before = fake.customers.length;
    fake.failNext(1, { status: 502, body: { success: false, errorMsg: 'Bad gateway' } });
    const err = await findOrCreate({ externalId: 'tokopedia:99', name: 'X' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ retryable: true, status: 502 });
    expect(fake.customers).toHaveLength(before);
  });

  it('neither phone nor external id: refused when saved (check) and when run', async () => {
    expect(retailcrmFindOrCreateCustomer.check!({ name: 'x' })).toEqual([{ field: 'phone', message: 'give a phone or an external id' }]);
    expect(retailcrmFindOrCreateCustomer.check!({ externalId: '{{ trigger.buyerId }}' })).toEqual([]);
    expect(retailcrmFindOrCreateCustomer.check!({ phone: '+79001234567' })).toEqual([]);
    const err = await findOrCreate({ phone: ' ', externalId: '' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ retryable: false, code: 'no_customer_key' });
  });
});

describe('retailcrm.create_order with a source and a manager comment', () => {
  it('sends order[source][source] and managerComment', async () => {
    const customer = fake.addCustomer({ externalId: 'tokopedia:5', firstName: 'Budi' });
    const config = retailcrmCreateOrder.config.parse({ customerId: String(customer.id), source: ' Tokopedia ', managerComment: 'Is it in stock?', firstName: 'Budi' });
    const out = await retailcrmCreateOrder.execute(ctx(config, 'lead'));
    const req = fake.requests.at(-1)!;
    expect(JSON.parse(req.form!.order!)).toEqual({
      externalId: `bundles-lead_${runs}-lead`,
      firstName: 'Budi',
      managerComment: 'Is it in stock?',
      source: { source: 'Tokopedia' },
      customer: { id: customer.id },
    });
    expect(out).toMatchObject({ order: { source: { source: 'Tokopedia' }, managerComment: 'Is it in stock?', customer: { id: customer.id } } });
    expect(fake.orders.at(-1)).toMatchObject({ source: { source: 'Tokopedia' }, managerComment: 'Is it in stock?' });
  });

  it('empty source and comment are left out', async () => {
    await retailcrmCreateOrder.execute(ctx(retailcrmCreateOrder.config.parse({ firstName: 'A', source: '', managerComment: '  ' }), 'lead'));
    expect(Object.keys(JSON.parse(fake.requests.at(-1)!.form!.order!))).toEqual(['externalId', 'firstName']);
  });
});
