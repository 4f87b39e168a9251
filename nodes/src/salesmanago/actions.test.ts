import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../define.js';
import { memoryLedger, testActionContext } from '../testing.js';
import { startFakeSalesmanago, type FakeSalesmanago } from '../../../tests/fakes/salesmanago.js';
import { salesmanagoSha } from './api.js';
import { consentFlags, normalizeSalesmanagoTags, upsertContactBody } from './contact.js';
import { addSalesmanagoPurchase, purchaseKey } from './purchase.js';
import { salesmanagoUpsertContact } from './upsert-contact.js';
import { salesmanagoAddPurchase } from './add-purchase.js';
import type { SalesmanagoConnectionConfig } from './provider.js';

let fake: FakeSalesmanago;
beforeAll(async () => {
  fake = await startFakeSalesmanago();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.events.length = 0;
  fake.contacts.clear();
});

const connection = (): SalesmanagoConnectionConfig => ({ server: 'app3', clientId: fake.clientId, apiKey: 'bundles-key', apiSecret: fake.apiSecret, owner: fake.owner, baseUrl: fake.url });
const authFields = () => ({ clientId: fake.clientId, apiKey: 'bundles-key', requestTime: expect.any(Number), sha: salesmanagoSha('bundles-key', fake.clientId, fake.apiSecret), owner: fake.owner });

async function upsert(config: Record<string, unknown>) {
  const parsed = salesmanagoUpsertContact.config.parse(config);
  return salesmanagoUpsertContact.execute(testActionContext({ provider: 'salesmanago', config: parsed, connection: connection() }));
}

function purchaseCtx(config: Record<string, unknown>, ledger = memoryLedger('run_1:purchase'), runId = 'run_1') {
  return testActionContext({ provider: 'salesmanago', config: salesmanagoAddPurchase.config.parse(config), connection: connection(), ledger, runId, nodeId: 'purchase' });
}
const order = { email: 'ana.souza@example.com', externalId: 1042, value: '5290.50', products: ['SKU-1', 77], location: 'myshop', description: 'RetailCRM order 1042A', date: '2024-05-14 12:03:11' };

describe('tags and consent', () => {
  it('normalises tags as SALESmanago stores them: split on commas, trimmed, spaces as _, upper case, once each', () => {
    expect(normalizeSalesmanagoTags('vip, new customer ,VIP')).toEqual(['VIP', 'NEW_CUSTOMER']);
    expect(normalizeSalesmanagoTags(['Black  Friday', 'a,b'])).toEqual(['BLACK_FRIDAY', 'A', 'B']);
    expect(normalizeSalesmanagoTags('постоянный клиент')).toEqual(['ПОСТОЯННЫЙ_КЛИЕНТ']);
    expect(normalizeSalesmanagoTags('')).toEqual([]);
    expect(normalizeSalesmanagoTags(undefined)).toEqual([]);
  });

  it('refuses an empty tag among others', () => {
    expect(() => normalizeSalesmanagoTags('vip,,new')).toThrow(/tag 2 of 3 is empty/);
    expect(() => normalizeSalesmanagoTags(['vip', ' '])).toThrow(ProviderError);
    expect(salesmanagoUpsertContact.check!({ email: 'a@example.com', tags: 'vip,' })).toEqual([{ field: 'tags', message: expect.stringMatching(/is empty/) }]);
    expect(salesmanagoUpsertContact.check!({ email: 'a@example.com', tags: '{{ trigger.tags }}', removeTags: 'OLD' })).toEqual([]);
  });

  it('maps consent to the force flags; unchanged sends none', () => {
    expect(consentFlags('opt_in', 'opt_out')).toEqual({ forceOptIn: true, forcePhoneOptOut: true });
    expect(consentFlags('opt_out', 'opt_in')).toEqual({ forceOptOut: true, forcePhoneOptIn: true });
    expect(consentFlags('unchanged', 'unchanged')).toEqual({});
    expect(consentFlags()).toEqual({});
  });

  it('refuses an address that is none and a phone without a country', () => {
    expect(() => upsertContactBody({ email: 'ana@' })).toThrow(/not an e-mail address/);
    expect(() => upsertContactBody({ email: 'ana@example.com', phone: '500 100 200' })).toThrow(/country code/);
    expect(upsertContactBody({ email: ' Ana@Example.COM ', phone: '+48 500 100 200' })).toEqual({ contact: { email: 'ana@example.com', phone: '+48500100200' } });
  });
});

describe('salesmanago.upsert_contact', () => {
  it('posts contact, tags, removeTags, consent and properties, and answers the contactId', async () => {
    const out = await upsert({
      email: 'Ana.Souza@example.com',
      name: 'Ana Souza',
      phone: '+55 11 99876-5432',
      company: 'Loja Ana',
      tags: 'vip, black friday',
      removeTags: ['prospect'],
      emailConsent: 'opt_in',
      phoneConsent: 'opt_out',
      properties: { retailcrmId: 311, loyal: true },
    });
    const call = fake.callsTo('/api/contact/upsert')[0]!;
    expect(call.json).toEqual({
      ...authFields(),
      contact: { email: 'ana.souza@example.com', name: 'Ana Souza', phone: '+5511998765432', company: 'Loja Ana' },
      tags: ['VIP', 'BLACK_FRIDAY'],
      removeTags: ['PROSPECT'],
      forceOptIn: true,
      forcePhoneOptOut: true,
      properties: { retailcrmId: '311', loyal: 'true' },
    });
    const stored = fake.contacts.get('ana.souza@example.com')!;
    expect(out).toEqual({ contactId: stored.contactId });
    expect(stored).toMatchObject({ tags: ['VIP', 'BLACK_FRIDAY'], optedOut: false, phoneOptedOut: true });
  });

  it('is an upsert: the same e-mail again updates the one contact', async () => {
    const first = await upsert({ email: 'ana@example.com', tags: 'vip' });
    const second = await upsert({ email: 'ana@example.com', tags: 'new', removeTags: 'vip', emailConsent: 'opt_out' });
    expect(second).toEqual(first);
    expect(fake.contacts.size).toBe(1);
    expect(fake.contacts.get('ana@example.com')).toMatchObject({ tags: ['NEW'], optedOut: true });
    expect(fake.callsTo('/api/contact/upsert')[1]!.json).not.toHaveProperty('forceOptIn');
  });

  it('fails permanently with the vendor’s message on HTTP 200 success: false', async () => {
    fake.failNext(1, { status: 200, body: { success: false, message: ['Contact is blocked'] } });
    await expect(upsert({ email: 'ana@example.com' })).rejects.toMatchObject({ message: 'Contact is blocked', retryable: false });
  });
});

describe('salesmanago.add_purchase', () => {
  it('claimed: posts the PURCHASE event and records its id in the ledger', async () => {
    const ledger = memoryLedger('run_1:purchase');
    const out = await salesmanagoAddPurchase.execute(purchaseCtx(order, ledger));
    const call = fake.callsTo('/api/v2/contact/addContactExtEvent')[0]!;
    expect(call.json).toEqual({
      ...authFields(),
      email: 'ana.souza@example.com',
      contactEvent: { date: Date.UTC(2024, 4, 14, 12, 3, 11), contactExtEventType: 'PURCHASE', value: 5290.5, externalId: '1042', products: 'SKU-1,77', location: 'myshop', description: 'RetailCRM order 1042A' },
    });
    expect(out).toEqual({ eventId: fake.events[0]!.eventId, duplicate: false });
    expect(ledger.rows.get('purchase:1042')).toEqual({ owner: 'run_1:purchase', done: true, value: { eventId: fake.events[0]!.eventId } });
  });

  it('done: answers the recorded event as a duplicate without a call', async () => {
    const ledger = memoryLedger('run_1:purchase');
    await ledger.claim(purchaseKey('1042'), 'run_0:purchase');
    await ledger.complete(purchaseKey('1042'), { eventId: 'ev-earlier' });
    expect(await salesmanagoAddPurchase.execute(purchaseCtx(order, ledger))).toEqual({ eventId: 'ev-earlier', duplicate: true });
    expect(fake.requests).toHaveLength(0);
  });

  it('held: retryable, naming who holds it, without a call', async () => {
    const ledger = memoryLedger('run_1:purchase');
    await ledger.claim(purchaseKey('1042'), 'export:conn_1:abc');
    const err = await salesmanagoAddPurchase.execute(purchaseCtx(order, ledger)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'purchase_held', retryable: true, retryAfterMs: 2000 });
    expect((err as Error).message).toMatch(/export:conn_1:abc/);
    expect(fake.requests).toHaveLength(0);
  });

  it('a permanent refusal releases the claim, so the purchase can be sent again later', async () => {
    const ledger = memoryLedger('run_1:purchase');
    fake.failNext(1, { status: 200, body: { success: false, message: ['Contact not found'] } });
    await expect(salesmanagoAddPurchase.execute(purchaseCtx(order, ledger))).rejects.toMatchObject({ message: 'Contact not found', retryable: false });
    expect(ledger.rows.has('purchase:1042')).toBe(false);
    await salesmanagoAddPurchase.execute(purchaseCtx(order, ledger));
    expect(fake.events).toHaveLength(1);
  });

  it('an ambiguous failure keeps the claim: another owner then finds it held, nothing is sent twice', async () => {
    const ledger = memoryLedger('run_1:purchase');
    fake.loseNext(1, '/api/v2/contact/addContactExtEvent');
    await expect(salesmanagoAddPurchase.execute(purchaseCtx(order, ledger))).rejects.toMatchObject({ ambiguous: true });
    expect(ledger.rows.get('purchase:1042')).toMatchObject({ done: false, owner: 'run_1:purchase' });
    expect(fake.events).toHaveLength(1);
    await expect(addSalesmanagoPurchase({ connection: { config: connection() }, http: purchaseCtx(order).http, ledger }, { email: 'ana.souza@example.com', externalId: '1042', value: 1 }, 'export:x')).rejects.toMatchObject({ code: 'purchase_held' });
    expect(fake.events).toHaveLength(1);
  });

  it('a retryable refusal that surely had no effect gives the claim up for the retry', async () => {
    const ledger = memoryLedger('run_1:purchase');
    fake.failNext(1, { status: 429, body: { success: false, message: ['Too many requests'] } });
    await expect(salesmanagoAddPurchase.execute(purchaseCtx(order, ledger))).rejects.toMatchObject({ retryable: true, ambiguous: false });
    expect(ledger.rows.has('purchase:1042')).toBe(false);
  });

  it('reconcile: done in the ledger → the recorded output; else it cannot tell (permanent)', async () => {
    const ledger = memoryLedger('run_1:purchase');
    const ctx = { ...purchaseCtx(order, ledger), attemptStartedAt: new Date(), knownMessageIds: async () => new Set<string>() };
    await expect(salesmanagoAddPurchase.reconcile!(ctx)).rejects.toMatchObject({ message: expect.stringMatching(/^SALESmanago cannot be asked whether the purchase arrived/), retryable: false });
    await ledger.claim('purchase:1042');
    await ledger.complete('purchase:1042', { eventId: 'ev-1' });
    expect(await salesmanagoAddPurchase.reconcile!(ctx)).toEqual({ done: true, output: { eventId: 'ev-1', duplicate: false } });
  });

  it('refuses a value or date that is none before claiming anything', async () => {
    const ledger = memoryLedger('run_1:purchase');
    expect(() => salesmanagoAddPurchase.config.parse({ ...order, value: 'a lot' })).toThrow();
    await expect(salesmanagoAddPurchase.execute(purchaseCtx({ ...order, date: 'yesterday' }, ledger))).rejects.toMatchObject({ code: 'invalid_date' });
    expect(ledger.rows.size).toBe(0);
  });
});
