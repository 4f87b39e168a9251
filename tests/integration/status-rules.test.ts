// Status messages end to end: Guru-style rules (an SMS on approved sales through Twilio, a WhatsApp template on
// canceled sales through WhatsApp Cloud) become running bundles; Guru's webhooks then send one message each; an
// updated rule sends its new text; a removed rule runs nothing; bad rules are refused naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { guruFixtureToken, guruTransactionBody, postGuruWebhook } from '../fakes/guru.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { startFakeWhatsApp, type FakeWhatsApp } from '../fakes/whatsapp.js';
import {
  createConnection,
  events,
  listRuns,
  startProviderBundles,
  twilioConfig,
  waitForFinishedRuns,
  whatsappConfig,
  type ApiConnection,
} from '../support/providers.js';

let b: TestBundles;
let tw: FakeTwilio;
let wa: FakeWhatsApp;
let guru: ApiConnection;
let twilio: ApiConnection;
let whatsapp: ApiConnection;

beforeAll(async () => {
  [b, tw, wa] = await Promise.all([startProviderBundles(), startFakeTwilio(), startFakeWhatsApp()]);
  guru = await createConnection(b, 'guru', 'Guru Estúdio', { apiToken: guruFixtureToken });
  twilio = await createConnection(b, 'twilio', 'Twilio', twilioConfig(tw));
  whatsapp = await createConnection(b, 'whatsapp', 'WhatsApp', whatsappConfig(wa));
});
afterAll(async () => {
  await b?.close();
  await Promise.all([tw?.close(), wa?.close()]);
});

const rulesUrl = () => `/api/connections/${guru.id}/status-rules`;
const smsRule = (message: string) => ({
  kind: 'sms',
  scope: 'sales',
  statuses: ['approved'],
  senderConnectionId: twilio.id,
  sender: '+15550002222',
  message,
});
const templateRule = () => ({
  kind: 'whatsapp',
  scope: 'sales',
  statuses: ['canceled'],
  senderConnectionId: whatsapp.id,
  template: 'order_canceled',
  language: 'pt_BR',
  variables: { '1': '{{ trigger.contact.firstName }}', '2': '{{ trigger.product.name }}' },
});
/** A sale of its own (ids are unique per test, so each test stands alone). */
const sale = (id: string, status: string) => guruTransactionBody({ id, status });

describe('status rules: Guru sales → SMS and WhatsApp template', () => {
  it('creates running rule bundles that send one message each; an update sends the new text; a removed rule runs nothing', async () => {
    const sms = await b.api('POST', rulesUrl(), smsRule('Olá {{ trigger.contact.firstName }}, pagamento aprovado!'));
    expect(sms.status, JSON.stringify(sms.body)).toBe(201);
    expect(sms.body).toMatchObject({ kind: 'sms', statuses: ['approved'], status: 'running', active: true, connectionId: guru.id });
    const wt = await b.api('POST', rulesUrl(), templateRule());
    expect(wt.status, JSON.stringify(wt.body)).toBe(201);

    // Listed as the screen shows them; the bundles are marked as managed by the screen.
    const listed = await b.api('GET', rulesUrl());
    expect(listed.body.map((r: { id: string }) => r.id)).toEqual([sms.body.id, wt.body.id]);
    const flow = await b.api('GET', `/api/flows/${sms.body.flowId}`);
    expect(flow.body).toMatchObject({ status: 'running', managedBy: { kind: 'status_rule', ruleId: sms.body.id, connectionId: guru.id } });
    expect(flow.body.graph.nodes.map((n: { type: string }) => n.type)).toEqual(['guru.transaction_status_changed', 'twilio.send_sms']);

    const textsBefore = tw.messages.length;
    const templatesBefore = wa.messages.length;
    expect((await postGuruWebhook(guru.webhookUrl!, sale('11111111-0000-4000-8000-000000000001', 'approved'))).status).toBe(200);
    expect((await postGuruWebhook(guru.webhookUrl!, sale('11111111-0000-4000-8000-000000000002', 'canceled'))).status).toBe(200);
    const [smsRun] = await waitForFinishedRuns(b, sms.body.flowId, 1);
    const [waRun] = await waitForFinishedRuns(b, wt.body.flowId, 1);
    expect(smsRun!.status, JSON.stringify(smsRun!.error)).toBe('succeeded');
    // Its send was journaled when the sale arrived: the run started then, and took as long as the send (not "0 ms").
    expect(Date.parse(smsRun!.finishedAt!) - Date.parse(smsRun!.startedAt!)).toBeGreaterThan(0);
    expect(waRun!.status, JSON.stringify(waRun!.error)).toBe('succeeded');
    expect(tw.messages.slice(textsBefore).map((m) => [m.from, m.to, m.body])).toEqual([['+15550002222', '+5511987654321', 'Olá Ana, pagamento aprovado!']]);
    const sent = wa.messages.slice(templatesBefore);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({
      to: '5511987654321',
      type: 'template',
      template: { name: 'order_canceled', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: 'Curso Fotografia Essencial' }] }] },
    });

    // Updated: the running rule publishes its new text at once.
    const updated = await b.api('PUT', `${rulesUrl()}/${sms.body.id}`, smsRule('Pagamento de {{ trigger.contact.firstName }} confirmado.'));
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body).toMatchObject({ id: sms.body.id, flowId: sms.body.flowId, status: 'running', message: 'Pagamento de {{ trigger.contact.firstName }} confirmado.' });
    expect((await postGuruWebhook(guru.webhookUrl!, sale('11111111-0000-4000-8000-000000000003', 'approved'))).status).toBe(200);
    const two = await waitForFinishedRuns(b, sms.body.flowId, 2);
    expect(two.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(tw.messages.slice(textsBefore).map((m) => m.body)).toEqual(['Olá Ana, pagamento aprovado!', 'Pagamento de Ana confirmado.']);

    // Removed: its bundle goes; an approved sale is stored (its webhook answered) and starts no run.
    expect((await b.api('DELETE', `${rulesUrl()}/${sms.body.id}`)).status).toBe(204);
    expect((await b.api('GET', `/api/flows/${sms.body.flowId}`)).status).toBe(404);
    expect((await b.api('GET', rulesUrl())).body.map((r: { id: string }) => r.id)).toEqual([wt.body.id]);
    const removedSale = '11111111-0000-4000-8000-000000000004';
    expect((await postGuruWebhook(guru.webhookUrl!, sale(removedSale, 'approved'))).status).toBe(200);
    // The signal: a later canceled sale runs through the remaining rule; by then the approved one was stored long ago.
    expect((await postGuruWebhook(guru.webhookUrl!, sale('11111111-0000-4000-8000-000000000005', 'canceled'))).status).toBe(200);
    await waitForFinishedRuns(b, wt.body.flowId, 2);
    const stored = (await events(b, guru.id)).find((e) => e.dedupeKey === `transaction:${removedSale}:approved`);
    expect(stored).toBeDefined();
    // Found the same way, a sale that did run shows its run: the empty answer below means none ran.
    const ranSale = await b.api('GET', '/api/runs?q=11111111-0000-4000-8000-000000000002');
    expect(ranSale.body.items.map((r: { id: string }) => r.id)).toEqual([waRun!.id]);
    const runsOfSale = await b.api('GET', `/api/runs?q=${removedSale}`);
    expect(runsOfSale.status, JSON.stringify(runsOfSale.body)).toBe(200);
    expect(runsOfSale.body).toEqual({ items: [], nextCursor: null });
    expect(tw.messages.slice(textsBefore)).toHaveLength(2);
  });

  it('stops and starts with the rule, and keeps products and delay in its bundle', async () => {
    const created = await b.api('POST', rulesUrl(), { ...smsRule('Boleto: {{ trigger.payment.method }}'), statuses: ['waiting_payment'], productIds: ['1712345678'], delaySeconds: 3600, active: false });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ status: 'draft', active: false, delaySeconds: 3600, productIds: ['1712345678'] });
    const flow = (await b.api('GET', `/api/flows/${created.body.flowId}`)).body;
    expect(flow.graph.nodes.map((n: { id: string; type: string; config: unknown }) => [n.id, n.type, n.config])).toEqual([
      ['trigger', 'guru.transaction_status_changed', { statuses: ['waiting_payment'], productIds: ['1712345678'] }],
      ['wait', 'core.delay', { seconds: 3600 }],
      ['send', 'twilio.send_sms', { to: '{{ trigger.contact.phone }}', from: '+15550002222', body: 'Boleto: {{ trigger.payment.method }}' }],
    ]);
    const on = await b.api('PUT', `${rulesUrl()}/${created.body.id}`, { ...smsRule('Boleto: {{ trigger.payment.method }}'), statuses: ['waiting_payment'], active: true });
    expect(on.body).toMatchObject({ status: 'running', active: true });
    const off = await b.api('PUT', `${rulesUrl()}/${created.body.id}`, { ...smsRule('Boleto: {{ trigger.payment.method }}'), statuses: ['waiting_payment'], active: false });
    expect(off.body).toMatchObject({ status: 'stopped', active: false });
    expect(await listRuns(b, created.body.flowId)).toEqual([]);
    expect((await b.api('DELETE', `${rulesUrl()}/${created.body.id}`)).status).toBe(204);
  });

  it('refuses a bad rule with a 422 naming its field, and creates no bundle', async () => {
    const flowsBefore = (await b.api('GET', '/api/flows')).body.length;
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ ...smsRule('x'), statuses: [] }, 'statuses', /at least one status/],
      [{ ...smsRule('x'), statuses: ['paid_twice'] }, 'statuses', /./],
      [{ ...smsRule('x'), sender: undefined }, 'sender', /number it sends from/],
      [{ ...smsRule('x'), message: undefined }, 'message', /write the message/],
      [{ ...smsRule('x'), senderConnectionId: guru.id }, 'senderConnectionId', /cannot send SMS/],
      [{ ...smsRule('x'), senderConnectionId: '01a23880-0000-7000-8000-000000000000' }, 'senderConnectionId', /no such connection/],
      [{ ...smsRule('x'), scope: 'subscriptions', productIds: ['p1'] }, 'productIds', /no products/],
      [{ ...templateRule(), variables: { '1': 'a', '3': 'c' } }, 'variables', /without gaps/],
      [{ ...templateRule(), maxSegments: 1 }, 'maxSegments', /only an SMS rule/],
      // Monetizze's 160 characters: a static text that cannot fit one segment (ç forces UCS-2, 70 a segment).
      [{ ...smsRule('Seu boleto está pronto, é só pagar até amanhã. Obrigado pela confiança na nossa loja — qualquer dúvida, fale conosco! ção'), maxSegments: 1 }, 'message', /needs 2 segments, the cap is 1/],
    ];
    for (const [body, field, message] of cases) {
      const res = await b.api('POST', rulesUrl(), body);
      expect(res.status, `${field}: ${JSON.stringify(res.body)}`).toBe(422);
      expect(res.body.error.code).toBe('invalid_rule');
      expect(res.body.error.details.issues[0], field).toMatchObject({ field, message: expect.stringMatching(message) });
    }
    expect((await b.api('GET', '/api/flows')).body).toHaveLength(flowsBefore);
    // A connection without statuses has no status messages.
    const none = await b.api('GET', `/api/connections/${twilio.id}/status-rules`);
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('no_status_rules');
  });
});
