import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionLedger, ExportContext, ExportProgress } from '../define.js';
import { localLimiter, memoryLedger, testConnection, testProviderContext } from '../testing.js';
import { startFakeRetailcrm, type FakeRetailcrm } from '../../../tests/fakes/retailcrm.js';
import { startFakeSalesmanago, type FakeSalesmanago } from '../../../tests/fakes/salesmanago.js';
import type { SalesmanagoAuth } from './api.js';
import { retailcrmExportOptions, salesmanagoExportRetailcrm, type RetailcrmExportOptions } from './export-retailcrm.js';
import { contactFromCustomer, purchaseFromOrder, retailcrmEmailConsent } from './retailcrm-rows.js';

/** One limiter for every export here, as the server shares its own across jobs. */
const limiter = localLimiter();
let crm: FakeRetailcrm;
let sm: FakeSalesmanago;
beforeAll(async () => {
  [crm, sm] = await Promise.all([startFakeRetailcrm(), startFakeSalesmanago()]);
});
afterAll(async () => {
  await crm.close();
  await sm.close();
});

function resetFakes() {
  crm.customers.length = 0;
  crm.orders.length = 0;
  crm.requests.length = 0;
  sm.contacts.clear();
  sm.events.length = 0;
  sm.requests.length = 0;
}

const day = (i: number) => `2024-0${1 + (i % 6)}-1${i % 10} 10:00:00`;
const paid = (status: string, paidAt: string) => ({ [`p${paidAt}`]: { id: 1, status, type: 'bank-card', amount: 100, paidAt } });

interface Saves {
  progress: ExportProgress[];
  /** Throws from the save with this (1-based) number, once. */
  throwAt?: number;
}

function exportContext(options: Partial<RetailcrmExportOptions>, ledger: ConnectionLedger, saves: Saves, checkpoint: unknown = null): ExportContext<SalesmanagoAuth, RetailcrmExportOptions> {
  const config: SalesmanagoAuth = { server: 'app3', clientId: sm.clientId, apiKey: 'bundles', apiSecret: sm.apiSecret, owner: sm.owner, baseUrl: sm.url };
  return {
    ...testProviderContext('salesmanago', config),
    limiter,
    source: testConnection('retailcrm', { domain: 'myshop.retailcrm.ru', apiKey: crm.apiKey, site: 'myshop', baseUrl: crm.url }),
    options: retailcrmExportOptions.parse(options),
    ledger,
    checkpoint,
    async save(progress) {
      if (saves.throwAt === saves.progress.length + 1) {
        saves.throwAt = undefined;
        throw new Error('the process stopped');
      }
      saves.progress.push(structuredClone(progress));
    },
  };
}

describe('export from RetailCRM, 250 customers and 400 paid orders', () => {
  beforeAll(() => {
    resetFakes();
    for (let i = 0; i < 250; i++) {
      crm.addCustomer({
        firstName: `Buyer${i}`,
        lastName: 'Test',
        email: `buyer${i}@example.com`,
        phones: [{ number: `+4850010${String(i).padStart(4, '0')}` }],
        createdAt: day(i),
        ...(i % 3 === 0 ? { tags: [{ name: 'vip client', color: 'red', attached: true }] } : {}),
        ...(i % 5 === 0 ? { emailMarketingUnsubscribedAt: '2024-02-01 09:00:00' } : {}),
        ...(i % 5 === 1 ? { customerSubscriptions: [{ subscription: { id: 2, channel: 'email', code: 'default_marketing' }, subscribed: true }] } : {}),
      });
    }
    crm.addCustomer({ firstName: 'Phone only', phones: [{ number: '+48500999999' }] });
    for (let i = 0; i < 430; i++) {
      const unpaid = i >= 400;
      crm.addOrder({ status: 'complete', email: `buyer${i % 250}@example.com`, totalSumm: 100 + i, payments: paid(unpaid ? 'not-paid' : i % 7 === 0 ? 'credit-check' : 'paid', day(i)) });
    }
  });

  it('stops after a few pages, resumes from the checkpoint, and holds one contact per customer and one purchase per paid order', async () => {
    const ledger = memoryLedger('export_owner');
    const first: Saves = { progress: [], throwAt: 6 };
    // Saves 1-3: customer pages; 4: on to orders; 5: orders page 1; 6 (throws): orders page 2, already sent.
    await expect(salesmanagoExportRetailcrm.run(exportContext({ tags: 'retailcrm' }, ledger, first))).rejects.toThrow('the process stopped');
    expect(first.progress.map((p) => p.checkpoint)).toMatchObject([
      { phase: 'customers', page: 1 },
      { phase: 'customers', page: 2 },
      { phase: 'customers', page: 3 },
      { phase: 'orders', page: 0 },
      { phase: 'orders', page: 1 },
    ]);
    expect(first.progress[2]).toMatchObject({ done: 251, total: 251, failed: 0 });
    expect(sm.events).toHaveLength(200);

    const second: Saves = { progress: [] };
    const { report } = await salesmanagoExportRetailcrm.run(exportContext({ tags: 'retailcrm' }, ledger, second, first.progress.at(-1)!.checkpoint));
    // The page whose save was lost was sent before: the ledger answers its 100 purchases as duplicates.
    expect(report).toBe('Export from RetailCRM finished: 250 contacts upserted, 300 purchases added, 100 duplicates skipped (sent before), 0 failed, 1 without an e-mail skipped.');
    expect(second.progress.map((p) => p.checkpoint)).toMatchObject([{ phase: 'orders', page: 2 }, { phase: 'orders', page: 3 }, { phase: 'orders', page: 4 }, { phase: 'done' }]);
    expect(second.progress.at(-1)).toMatchObject({ done: 651, total: 651, failed: 0 });

    expect(sm.contacts.size).toBe(250);
    const paidIds = crm.orders.slice(0, 400).map((o) => String(o.id));
    expect(sm.events.map((e) => e.externalId).sort()).toEqual([...paidIds].sort());
    expect(sm.events.every((e) => e.contactExtEventType === 'PURCHASE')).toBe(true);
    expect(sm.contacts.get('buyer0@example.com')).toMatchObject({ name: 'Buyer0 Test', phone: '+48500100000', tags: ['RETAILCRM', 'VIP_CLIENT'], optedOut: true });
    expect(sm.contacts.get('buyer1@example.com')).toMatchObject({ tags: ['RETAILCRM'], optedOut: false });
    expect(sm.contacts.get('buyer2@example.com')).toMatchObject({ optedOut: null });

    // RetailCRM was asked for paid orders only, through the payment statuses marked complete, 100 a page.
    const ordersCall = crm.requests.find((r) => r.path === '/api/v5/orders')!;
    expect(ordersCall.query).toMatchObject({ 'filter[paymentStatuses][0]': 'paid', 'filter[paymentStatuses][1]': 'credit-check', 'filter[sites][0]': 'myshop', limit: '100' });

    // A second export sends no purchase again.
    const third: Saves = { progress: [] };
    const again = await salesmanagoExportRetailcrm.run(exportContext({ tags: 'retailcrm' }, ledger, third));
    expect(again.report).toBe('Export from RetailCRM finished: 250 contacts upserted, 0 purchases added, 400 duplicates skipped (sent before), 0 failed, 1 without an e-mail skipped.');
    expect(sm.events).toHaveLength(400);
    expect(sm.contacts.size).toBe(250);
  }, 60_000);
});

describe('export from RetailCRM, rows that fail', () => {
  beforeEach(() => {
    resetFakes();
    crm.addCustomer({ firstName: 'Ana', email: 'ana@example.com', createdAt: '2024-03-02 10:00:00' });
    crm.addCustomer({ firstName: 'Old', email: 'old@example.com', createdAt: '2023-12-30 10:00:00' });
    crm.addCustomer({ firstName: 'Bad', email: 'bad@', createdAt: '2024-03-03 10:00:00' });
    crm.addOrder({ email: 'ana@example.com', totalSumm: 10, payments: paid('paid', '2024-03-05 10:00:00') });
    crm.addOrder({ email: 'ana@example.com', totalSumm: 20, payments: paid('paid', '2024-03-06 10:00:00') });
    crm.addOrder({ email: 'old@example.com', totalSumm: 30, payments: paid('paid', '2023-12-31 10:00:00') });
  });

  it('counts a permanent failure with a line and goes on; waits out a retryable one; filters by date', async () => {
    const saves: Saves = { progress: [] };
    sm.failNext(1, { status: 429, body: { success: false, message: ['Too many requests'] }, headers: { 'retry-after': '0' } });
    const { report } = await salesmanagoExportRetailcrm.run(exportContext({ from: '2024-03-01' }, memoryLedger('e'), saves));
    expect(report).toBe('Export from RetailCRM finished: 1 contacts upserted, 2 purchases added, 0 duplicates skipped (sent before), 1 failed.');
    expect(saves.progress.flatMap((p) => p.errors ?? [])).toEqual([expect.stringMatching(/^customer \d+: "bad@" is not an e-mail address/)]);
    expect([...sm.contacts.keys()]).toEqual(['ana@example.com']);
    expect(sm.events.map((e) => e.value)).toEqual([10, 20]);
    expect(crm.requests.find((r) => r.path === '/api/v5/customers')!.query).toMatchObject({ 'filter[dateFrom]': '2024-03-01' });
  });

  it('never repeats a purchase whose answer was lost: counted failed, sent once', async () => {
    const saves: Saves = { progress: [] };
    sm.loseNext(1, '/api/v2/contact/addContactExtEvent');
    const { report } = await salesmanagoExportRetailcrm.run(exportContext({ customers: false }, memoryLedger('e'), saves));
    expect(report).toMatch(/2 purchases added, 0 duplicates skipped \(sent before\), 1 failed/);
    expect(saves.progress.flatMap((p) => p.errors ?? [])).toEqual([expect.stringMatching(/^order \d+: .*it may have arrived: it is not sent again by itself/)]);
    expect(sm.events).toHaveLength(3);
    expect(sm.callsTo('/api/contact/upsert')).toHaveLength(0);
  });

  it('fails as a whole when the source is no RetailCRM connection', async () => {
    const ctx = exportContext({}, memoryLedger('e'), { progress: [] });
    await expect(salesmanagoExportRetailcrm.run({ ...ctx, source: testConnection('twilio', {}) })).rejects.toMatchObject({ code: 'wrong_source', retryable: false });
  });
});

describe('RetailCRM rows', () => {
  it('reads consent from the unsubscription date, then the e-mail channel, then subscribed; else unchanged', () => {
    expect(retailcrmEmailConsent({ id: 1, emailMarketingUnsubscribedAt: '2024-01-01 00:00:00', subscribed: true } as never)).toBe('opt_out');
    expect(retailcrmEmailConsent({ id: 1, customerSubscriptions: [{ subscription: { channel: 'waba' }, subscribed: false }, { subscription: { channel: 'email' }, subscribed: true }] } as never)).toBe('opt_in');
    expect(retailcrmEmailConsent({ id: 1, subscribed: false } as never)).toBe('opt_out');
    expect(retailcrmEmailConsent({ id: 1 })).toBe('unchanged');
  });

  it('skips customers and orders without an e-mail; keeps only phones that are numbers', () => {
    expect(contactFromCustomer({ id: 1, phones: [{ number: '+48500100200' }] }, [])).toBeNull();
    expect(contactFromCustomer({ id: 1, email: 'a@example.com', phones: [{ number: '8 922 911-23-22' }] }, ['X'])).toEqual({ email: 'a@example.com', tags: ['X'], emailConsent: 'unchanged', phoneConsent: 'unchanged' });
    expect(purchaseFromOrder({ id: 5 })).toBeNull();
    expect(
      purchaseFromOrder({ id: 5, number: '5A', customer: { email: 'b@example.com' }, totalSumm: 99.5, site: 'shop', items: [{ offer: { externalId: 'SKU-1' } }, { offer: { id: 77 } }, { productName: 'Gift' }], fullPaidAt: '2024-05-14 12:03:11' }),
    ).toEqual({ email: 'b@example.com', externalId: '5', value: 99.5, products: 'SKU-1,77,Gift', location: 'shop', description: 'RetailCRM order 5A', date: Date.UTC(2024, 4, 14, 12, 3, 11) });
  });
});
