import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../define.js';
import { testActionContext } from '../testing.js';
import { startFakeRetailcrm, type FakeRetailcrm } from '../../../tests/fakes/retailcrm.js';
import { retailcrmOrderChanged } from './order-changed.js';
import { retailcrmOrderJson } from './fixtures/order-changed.js';
import type { RetailcrmConnectionConfig } from './provider.js';

const config = (c: Partial<{ events: Array<'new' | 'status'>; statuses: string[]; loadOrder: boolean }>) => retailcrmOrderChanged.config.parse(c);

describe('retailcrm.order_changed match', () => {
  const paid = { id: '1042', status: 'paid', event: 'status' };
  const created = { id: '1043', status: 'new', event: 'new' };

  it('defaults to every event and status', () => {
    expect(retailcrmOrderChanged.match!(paid, config({}))).toBe(true);
    expect(retailcrmOrderChanged.match!(created, config({}))).toBe(true);
  });

  it('filters by event kind', () => {
    expect(retailcrmOrderChanged.match!(paid, config({ events: ['new'] }))).toBe(false);
    expect(retailcrmOrderChanged.match!(created, config({ events: ['new'] }))).toBe(true);
    expect(retailcrmOrderChanged.match!(paid, config({ events: [] }))).toBe(true);
  });

  it('filters by status code', () => {
    expect(retailcrmOrderChanged.match!(paid, config({ events: ['status'], statuses: ['paid'] }))).toBe(true);
    expect(retailcrmOrderChanged.match!({ ...paid, status: 'complete' }, config({ statuses: ['paid'] }))).toBe(false);
    expect(retailcrmOrderChanged.match!(created, config({ events: ['status'], statuses: ['new'] }))).toBe(false);
  });
});

describe('retailcrm.order_changed load', () => {
  let fake: FakeRetailcrm;
  let connection: RetailcrmConnectionConfig;
  beforeAll(async () => {
    fake = await startFakeRetailcrm();
    connection = { domain: 'myshop.retailcrm.ru', apiKey: fake.apiKey, site: 'myshop', baseUrl: fake.url };
    fake.addOrder({ ...retailcrmOrderJson });
  });
  afterAll(() => fake.close());

  const load = (cfg: ReturnType<typeof config>, payload: Record<string, unknown>) =>
    retailcrmOrderChanged.load!({ ...testActionContext({ provider: 'retailcrm', config: cfg, connection }), payload });

  it('passes the payload through without a call when loadOrder is off', async () => {
    const before = fake.requests.length;
    const out = await load(config({}), { id: '1042', status: 'paid', event: 'status', type: 'order' });
    expect(out).toEqual({ id: '1042', status: 'paid', event: 'status', type: 'order' });
    expect(fake.requests.length).toBe(before);
  });

  it('loads the full order by id so the customer’s name and phone can be mapped', async () => {
    const out = await load(config({ loadOrder: true }), { id: '1042', status: 'paid', event: 'status' });
    expect(out.order).toMatchObject({ id: 1042, number: '1042A', firstName: 'Ivan', phone: '+79001234567', customer: { id: 311, phones: [{ number: '+79001234567' }] } });
    expect(out.order!.delivery).toEqual(retailcrmOrderJson.delivery);
    expect(retailcrmOrderChanged.output.safeParse(out).success).toBe(true);
    const req = fake.requests.at(-1)!;
    expect(req.path).toBe('/api/v5/orders/1042');
    expect(req.query).toEqual({ by: 'id', site: 'myshop' });
  });

  it('a deleted order fails permanently', async () => {
    const err = await load(config({ loadOrder: true }), { id: '77777', status: 'paid', event: 'status' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ retryable: false, status: 404 });
  });
});
