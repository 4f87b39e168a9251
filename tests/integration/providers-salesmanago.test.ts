// SALESmanago bundles end to end: a paid RetailCRM order becomes a contact and a purchase (sent once however
// often the order is paid), a SALESmanago refusal fails its step at once, and an opt-out callback starts its
// bundle once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { startFakeRetailcrm, type FakeRetailcrm } from '../fakes/retailcrm.js';
import { startFakeSalesmanago, type FakeSalesmanago } from '../fakes/salesmanago.js';
import {
  createConnection,
  deliveries,
  events,
  listRuns,
  postHook,
  retailcrmConfig,
  startChainFlow,
  startProviderBundles,
  stepOf,
  stepStates,
  waitForFinishedRuns,
  type ApiConnection,
} from '../support/providers.js';
import { waitFor } from '../support/wait.js';

const salesmanagoConfig = (fake: FakeSalesmanago) => ({ server: 'app3', clientId: fake.clientId, apiKey: 'bundles-e2e', apiSecret: fake.apiSecret, owner: fake.owner, baseUrl: fake.url });
const form = { 'content-type': 'application/x-www-form-urlencoded' };
const UPSERT = '/api/contact/upsert';
const PURCHASE = '/api/v2/contact/addContactExtEvent';

let b: TestBundles;
let crm: FakeRetailcrm;
let sm: FakeSalesmanago;
let crmConn: ApiConnection;
let smConn: ApiConnection;

beforeAll(async () => {
  [b, crm, sm] = await Promise.all([startProviderBundles(), startFakeRetailcrm(), startFakeSalesmanago()]);
  crmConn = await createConnection(b, 'retailcrm', 'Shop RetailCRM', retailcrmConfig(crm));
  smConn = await createConnection(b, 'salesmanago', 'Shop SALESmanago', salesmanagoConfig(sm));
});
afterAll(async () => {
  await b?.close();
  await crm?.close();
  await sm?.close();
});
beforeEach(() => {
  sm.requests.length = 0;
});

describe('RetailCRM order paid → SALESmanago contact and purchase', () => {
  it('upserts the buyer with tags and e-mail opt-in, adds the purchase once: paid again, the step says duplicate', async () => {
    const customer = crm.addCustomer({ firstName: 'Ana', lastName: 'Souza', email: 'ana.souza@example.com', phones: [{ number: '+5511998765432' }] });
    const order = crm.addOrder({ status: 'paid', firstName: 'Ana', lastName: 'Souza', email: 'ana.souza@example.com', customer, totalSumm: 5290.5, items: [{ offer: { externalId: 'SKU-1' }, quantity: 1, initialPrice: 5290.5 }] });
    const flowId = await startChainFlow(b, 'Paid order to SALESmanago', [
      { id: 'trigger', type: 'retailcrm.order_changed', connectionId: crmConn.id, config: { events: ['status'], statuses: ['paid'], loadOrder: true } },
      {
        id: 'contact',
        type: 'salesmanago.upsert_contact',
        connectionId: smConn.id,
        config: { email: '{{ trigger.order.email }}', name: '{{ trigger.order.firstName }} {{ trigger.order.lastName }}', tags: 'retailcrm, paid order', emailConsent: 'opt_in' },
      },
      {
        id: 'purchase',
        type: 'salesmanago.add_purchase',
        connectionId: smConn.id,
        config: { email: '{{ trigger.order.email }}', externalId: '{{ trigger.order.id }}', value: '{{ trigger.order.totalSumm }}', location: 'myshop', description: 'Order {{ trigger.order.number }}' },
      },
    ]);

    expect((await postHook(crmConn.webhookUrl!, form, `type=order&status=paid&id=${order.id}&event=status`)).status).toBe(200);
    const [run] = await waitForFinishedRuns(b, flowId);
    expect(run!.status, JSON.stringify(run!.error)).toBe('succeeded');
    expect(stepStates(run!)).toEqual(['trigger:succeeded', 'contact:succeeded', 'purchase:succeeded']);

    const contact = sm.contacts.get('ana.souza@example.com')!;
    expect(contact).toMatchObject({ name: 'Ana Souza', tags: ['RETAILCRM', 'PAID_ORDER'], optedOut: false });
    expect(sm.callsTo(UPSERT)[0]!.json).toMatchObject({ contact: { email: 'ana.souza@example.com', name: 'Ana Souza' }, tags: ['RETAILCRM', 'PAID_ORDER'], forceOptIn: true, owner: sm.owner });
    expect(stepOf(run!, 'contact').output).toEqual({ contactId: contact.contactId });
    expect(sm.events).toEqual([expect.objectContaining({ contactExtEventType: 'PURCHASE', externalId: String(order.id), value: 5290.5, location: 'myshop', description: `Order ${order.number}`, email: 'ana.souza@example.com' })]);
    expect(stepOf(run!, 'purchase').output).toEqual({ eventId: sm.events[0]!.eventId, duplicate: false });

    // Paid again after another status: a second run, whose purchase step sends nothing.
    expect((await postHook(crmConn.webhookUrl!, form, `type=order&status=complete&id=${order.id}&event=status`)).status).toBe(200);
    expect((await postHook(crmConn.webhookUrl!, form, `type=order&status=paid&id=${order.id}&event=status`)).status).toBe(200);
    const runs = await waitForFinishedRuns(b, flowId, 2);
    expect(runs[1]!.status, JSON.stringify(runs[1]!.error)).toBe('succeeded');
    expect(stepOf(runs[1]!, 'purchase').output).toEqual({ eventId: sm.events[0]!.eventId, duplicate: true });
    expect(sm.events).toHaveLength(1);
    expect(sm.callsTo(PURCHASE)).toHaveLength(1);
    expect(sm.callsTo(UPSERT)).toHaveLength(2);
  });
});

describe('SALESmanago refusing with HTTP 200', () => {
  it('fails the step with the vendor’s message, without retrying it', async () => {
    const flowId = await startChainFlow(b, 'Opt-in to a tag', [
      { id: 'trigger', type: 'salesmanago.contact_consent_changed', connectionId: smConn.id, config: { kinds: ['opt_in'] } },
      { id: 'contact', type: 'salesmanago.upsert_contact', connectionId: smConn.id, config: { email: '{{ trigger.email }}', tags: 'newsletter' } },
    ]);
    sm.failNext(1, { status: 200, body: { success: false, message: ['Contact with this email address is blacklisted'] } });
    expect((await postHook(`${smConn.webhookUrl!}?kind=opt_in&email=jan.kowalski@example.pl`, {}, '')).status).toBe(200);

    const [run] = await waitForFinishedRuns(b, flowId);
    expect(run!.status).toBe('failed');
    const step = stepOf(run!, 'contact');
    expect(step).toMatchObject({ status: 'failed', attempts: 1, error: { message: 'Contact with this email address is blacklisted', retryable: false, provider: 'salesmanago' } });
    expect(sm.callsTo(UPSERT)).toHaveLength(1);
    expect(sm.contacts.has('jan.kowalski@example.pl')).toBe(false);
  });
});

describe('SALESmanago opt-out callback', () => {
  it('starts its bundle once, however often SALESmanago calls it', async () => {
    const flowId = await startChainFlow(b, 'Opt-out to a tag', [
      { id: 'trigger', type: 'salesmanago.contact_consent_changed', connectionId: smConn.id, config: { kinds: ['opt_out'] } },
      { id: 'contact', type: 'salesmanago.upsert_contact', connectionId: smConn.id, config: { email: '{{ trigger.email }}', tags: 'unsubscribed' } },
    ]);
    // The URL from the setup steps, with SALESmanago's $email$ filled in (a + in the address arrives as is).
    const url = `${smConn.webhookUrl!}?kind=opt_out&email=maria+promo@example.com`;
    expect((await postHook(url, {}, '')).status).toBe(200);
    expect((await postHook(url, {}, '')).status).toBe(200);
    // The second call is counted as a duplicate of the first: one event, one run.
    expect((await deliveries(b, smConn.id)).slice(0, 2).map((d) => d.outcome)).toEqual(['duplicate', 'accepted']);
    const stored = (await events(b, smConn.id)).filter((e) => e.dedupeKey.endsWith(':opt_out'));
    expect(stored.map((e) => `${e.dedupeKey}×${e.duplicates}`)).toEqual(['contact:maria+promo@example.com:opt_out×1']);

    const [run] = await waitForFinishedRuns(b, flowId);
    expect(run!.status, JSON.stringify(run!.error)).toBe('succeeded');
    expect(stepOf(run!, 'trigger').output).toEqual({ email: 'maria+promo@example.com', kind: 'opt_out' });
    expect(await listRuns(b, flowId)).toHaveLength(1);
    expect(sm.callsTo(UPSERT)).toHaveLength(1);
    expect(sm.contacts.get('maria+promo@example.com')).toMatchObject({ tags: ['UNSUBSCRIBED'] });
  });
});

describe('a purchase whose answer was lost', () => {
  it('ends uncertain, and once a person marks it done the purchase counts as exported: paid again sends nothing', async () => {
    const order = crm.addOrder({ status: 'paid', firstName: 'Bia', email: 'bia@example.com', totalSumm: 120 });
    const flowId = await startChainFlow(b, 'Paid order to a purchase', [
      { id: 'trigger', type: 'retailcrm.order_changed', connectionId: crmConn.id, config: { events: ['status'], statuses: ['paid'], loadOrder: true } },
      { id: 'purchase', type: 'salesmanago.add_purchase', connectionId: smConn.id, config: { email: '{{ trigger.order.email }}', externalId: '{{ trigger.order.id }}', value: '{{ trigger.order.totalSumm }}' } },
    ]);
    sm.loseNext(1, PURCHASE);
    expect((await postHook(crmConn.webhookUrl!, form, `type=order&status=paid&id=${order.id}&event=status`)).status).toBe(200);
    const [run] = await waitForFinishedRuns(b, flowId);
    expect(run!.status).toBe('uncertain');
    const held = sm.events.filter((e) => e.externalId === String(order.id));
    expect(held).toHaveLength(1);

    const resolved = await b.api('POST', `/api/runs/${run!.id}/steps/purchase/resolve`, { action: 'mark_done', output: { eventId: held[0]!.eventId, duplicate: false } });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    await waitFor('the run to finish', async () => (await listRuns(b, flowId)).find((r) => r.id === run!.id && r.status === 'succeeded'));

    expect((await postHook(crmConn.webhookUrl!, form, `type=order&status=complete&id=${order.id}&event=status`)).status).toBe(200);
    expect((await postHook(crmConn.webhookUrl!, form, `type=order&status=paid&id=${order.id}&event=status`)).status).toBe(200);
    const runs = await waitForFinishedRuns(b, flowId, 2);
    const again = runs.find((r) => r.id !== run!.id)!;
    expect(again.status, JSON.stringify(again.error)).toBe('succeeded');
    expect(stepOf(again, 'purchase').output).toEqual({ eventId: held[0]!.eventId, duplicate: true });
    expect(sm.events.filter((e) => e.externalId === String(order.id))).toHaveLength(1);
  });
});
