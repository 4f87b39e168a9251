// Each gallery template, used through the API with connections to the fakes, started, and run once by its
// provider's webhook (shaped as the provider sends it): the target fake sees the call the template promises.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { waitFor } from '../support/wait.js';
import { guruFixtureToken, guruSubscriptionBody, guruTransactionBody, postGuruWebhook } from '../fakes/guru.js';
import { startSink } from '../support/sink.js';
import { monetizzeAbandonedPostback, monetizzeFormBody, monetizzeFormHeaders, monetizzeSalePostback } from '../fakes/monetizze.js';
import { startFakeRetailcrm, type FakeRetailcrm } from '../fakes/retailcrm.js';
import { startFakeSalesmanago, type FakeSalesmanago } from '../fakes/salesmanago.js';
import { signedTokopediaWebhook, startFakeTokopedia, tokopediaChatPayload, type FakeTokopedia } from '../fakes/tokopedia.js';
import { deliverTwilioWebhook, startFakeTwilio, twilioInboundSms, type FakeTwilio } from '../fakes/twilio.js';
import { deliverWhatsAppWebhook, startFakeWhatsApp, whatsappInboundPayload, whatsappTextMessage, type FakeWhatsApp } from '../fakes/whatsapp.js';
import {
  createConnection,
  listRuns,
  postHook,
  retailcrmConfig,
  startChainFlow,
  startProviderBundles,
  stepStates,
  tokopediaConfig,
  tokopediaWebhookSecret,
  twilioConfig,
  waitForFinishedRuns,
  whatsappAppSecret,
  whatsappConfig,
  type ApiConnection,
  type ApiRunDetail,
} from '../support/providers.js';

const chave = '82e98fd17562ae451ba4f9e3b9c2eab6';
const form = { 'content-type': 'application/x-www-form-urlencoded' };
let b: TestBundles;
let crm: FakeRetailcrm;
let wa: FakeWhatsApp;
let tkpd: FakeTokopedia;
let tw: FakeTwilio;
let sm: FakeSalesmanago;
const c: Record<string, ApiConnection> = {};

beforeAll(async () => {
  [b, crm, wa, tkpd, tw, sm] = await Promise.all([
    startProviderBundles(),
    startFakeRetailcrm({ rateLimit: false }),
    startFakeWhatsApp({ templates: { order_paid: 2, subscription_status: 3, bundle_failed: 3 } }),
    startFakeTokopedia(),
    startFakeTwilio(),
    startFakeSalesmanago(),
  ]);
  c.crm = await createConnection(b, 'retailcrm', 'Shop RetailCRM', retailcrmConfig(crm));
  c.whatsapp = await createConnection(b, 'whatsapp', 'Shop WhatsApp', whatsappConfig(wa));
  c.tokopedia = await createConnection(b, 'tokopedia', 'Toko Budi', tokopediaConfig(tkpd));
  c.twilio = await createConnection(b, 'twilio', 'Twilio SMS', twilioConfig(tw));
  c.guru = await createConnection(b, 'guru', 'Guru Estúdio Luz Natural', { apiToken: guruFixtureToken });
  c.monetizze = await createConnection(b, 'monetizze', 'Horta Viva na Monetizze', { chaveUnica: chave });
  c.salesmanago = await createConnection(b, 'salesmanago', 'Shop SALESmanago', {
    server: 'app3', clientId: sm.clientId, apiKey: 'bundles-e2e', apiSecret: sm.apiSecret, owner: sm.owner, baseUrl: sm.url,
  });
});
afterAll(async () => {
  await b?.close();
  await Promise.all([crm?.close(), wa?.close(), tkpd?.close(), tw?.close(), sm?.close()]);
});

type Graph = { nodes: Array<{ id: string; type: string; config: Record<string, unknown> }>; edges: unknown[] };

/** Uses the template with the connections its roles name; `edit` changes the graph through the API before start. */
async function startTemplate(id: string, opts: { inputs?: Record<string, string>; edit?: (g: Graph) => void } = {}): Promise<string> {
  const list = (await b.api('GET', '/api/templates')).body as Array<{ id: string; roles: Array<{ role: string; provider: string }> }>;
  const t = list.find((x) => x.id === id)!;
  const connections = Object.fromEntries(t.roles.map((r) => [r.role, c[r.provider === 'retailcrm' ? 'crm' : r.provider]!.id]));
  const used = await b.api('POST', `/api/templates/${id}/use`, { name: id, connections, inputs: opts.inputs ?? {} });
  expect(used.status, JSON.stringify(used.body)).toBe(201);
  if (opts.edit) {
    const graph = used.body.graph as Graph;
    opts.edit(graph);
    const saved = await b.api('PUT', `/api/flows/${used.body.id}`, { graph });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  }
  const started = await b.api('POST', `/api/flows/${used.body.id}/start`);
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  return used.body.id as string;
}

async function oneSucceededRun(flowId: string): Promise<ApiRunDetail> {
  const [run] = await waitForFinishedRuns(b, flowId, 1, 20_000);
  expect(run!.status, JSON.stringify({ error: run!.error, steps: stepStates(run!) })).toBe('succeeded');
  return run!;
}

describe('gallery templates run once against the fakes', () => {
  it('RetailCRM order paid → WhatsApp template', async () => {
    const flowId = await startTemplate('retailcrm-order-paid-whatsapp-template');
    const order = crm.addOrder({ status: 'paid', firstName: 'Budi', lastName: 'Santoso', phone: '+62 812-3456-7890', totalSumm: 150000 });
    expect((await postHook(c.crm!.webhookUrl!, form, `type=order&status=paid&id=${order.id}&event=status`)).status).toBe(200);
    await oneSucceededRun(flowId);
    const sent = wa.messages.filter((m) => m.type === 'template' && (m.body.template as { name: string }).name === 'order_paid');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toBe('6281234567890');
    expect(sent[0]!.body.template).toEqual({
      name: 'order_paid',
      language: { code: 'en_US' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Budi' }, { type: 'text', text: order.number }] }],
    });
  });

  it('RetailCRM new order → confirm by SMS reply: a YES confirms the order', async () => {
    const flowId = await startTemplate('retailcrm-order-confirm-by-sms', { inputs: { confirmed_status: 'availability-confirmed' } });
    const order = crm.addOrder({ status: 'new', firstName: 'Rita', lastName: 'Lima', phone: '+55 21 98765-1111', totalSumm: 89 });
    expect((await postHook(c.crm!.webhookUrl!, form, `type=order&status=new&id=${order.id}&event=new`)).status).toBe(200);
    const ask = `Order ${order.number}: reply YES to confirm it.`;
    await waitFor('the question', async () => tw.messages.some((m) => m.body === ask && m.to === '+5521987651111'));
    await waitFor('the run to wait for the reply', async () => ((await listRuns(b, flowId))[0]?.status === 'waiting' ? true : null));
    const reply = twilioInboundSms({ from: '+5521987651111', to: tw.numbers[0]!.phoneNumber, body: 'YES' });
    expect((await deliverTwilioWebhook(c.twilio!.webhookUrl!, tw.authToken, reply)).status).toBe(200);
    const run = await oneSucceededRun(flowId);
    expect(stepStates(run)).toEqual(['trigger:succeeded', 'ask:succeeded', 'wait:succeeded', 'yes:succeeded', 'confirm:succeeded']);
    expect(crm.orders.find((o) => o.id === order.id)!.status).toBe('availability-confirmed');
  });

  it('WhatsApp message → RetailCRM customer, order and chat message', async () => {
    const flowId = await startTemplate('whatsapp-message-retailcrm-order', { inputs: { chat_id: '77' } });
    const message = whatsappTextMessage({ from: '5511998765432', text: 'I want two blue T-shirts' });
    const hook = await deliverWhatsAppWebhook(c.whatsapp!.webhookUrl!, whatsappAppSecret, whatsappInboundPayload([message], { contacts: [{ waId: '5511998765432', name: 'Ana Souza' }] }));
    expect(hook.status).toBe(200);
    await oneSucceededRun(flowId);
    const customer = crm.customers.find((x) => x.phones.some((p) => p.number === '+5511998765432'))!;
    expect(customer).toMatchObject({ firstName: 'Ana', lastName: 'Souza', source: { source: 'whatsapp' } });
    const order = crm.orders.find((o) => o.customer?.id === customer.id)!;
    expect(order).toMatchObject({ source: { source: 'WhatsApp' }, customerComment: 'I want two blue T-shirts', phone: '+5511998765432' });
    expect(crm.chatMessages.filter((m) => m.chat_id === 77).map((m) => m.content)).toEqual([`New order ${order.number} from Ana Souza on WhatsApp: I want two blue T-shirts`]);
  });

  it('Tokopedia chat → RetailCRM lead and a reply', async () => {
    const flowId = await startTemplate('tokopedia-chat-retailcrm-lead');
    const hook = signedTokopediaWebhook(tokopediaWebhookSecret, tokopediaChatPayload({ msg_id: 40001, buyer_id: 777001, full_name: 'Sari', message: 'Ada warna merah?' }));
    expect((await postHook(c.tokopedia!.webhookUrl!, hook.headers, hook.rawBody)).status).toBe(200);
    await oneSucceededRun(flowId);
    const customer = crm.customers.find((x) => x.externalId === 'tokopedia:777001')!;
    expect(customer).toMatchObject({ firstName: 'Sari', phones: [] });
    expect(crm.orders.filter((o) => o.customer?.id === customer.id).map((o) => [o.source, o.managerComment])).toEqual([[{ source: 'Tokopedia' }, 'Ada warna merah?']]);
    expect(tkpd.replies.filter((r) => r.msgId === '40001').map((r) => r.message)).toEqual(['Terima kasih, Sari! Pesan Anda sudah kami terima, tim kami segera membalas.']);
  });

  it('Guru sale approved → SMS from the first Twilio number', async () => {
    const flowId = await startTemplate('guru-sale-sms');
    expect((await postGuruWebhook(c.guru!.webhookUrl!, guruTransactionBody({ id: 'gallery-sale-1' }))).status).toBe(200);
    await oneSucceededRun(flowId);
    const sent = tw.messages.filter((m) => m.body.includes('foi aprovada'));
    expect(sent.map((m) => [m.from, m.to])).toEqual([[tw.numbers[0]!.phoneNumber, '+5511987654321']]);
    expect(sent[0]!.body).toMatch(/^Olá Ana, sua compra de .+ foi aprovada\. Obrigado!$/);
  });

  it('Guru subscription cancelled → WhatsApp template', async () => {
    const flowId = await startTemplate('guru-subscription-whatsapp-template');
    expect((await postGuruWebhook(c.guru!.webhookUrl!, guruSubscriptionBody())).status).toBe(200);
    await oneSucceededRun(flowId);
    const sent = wa.messages.filter((m) => m.type === 'template' && (m.body.template as { name: string }).name === 'subscription_status');
    expect(sent.map((m) => m.to)).toEqual(['5562981886368']);
    expect(sent[0]!.body.template).toMatchObject({
      language: { code: 'pt_BR' },
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'Marcos' }, { type: 'text', text: 'Clube do Fotógrafo' }, { type: 'text', text: 'canceled' }] }],
    });
  });

  it('Monetizze boleto issued → delayed SMS with the boleto line (the delay shortened on the canvas first)', async () => {
    const flowId = await startTemplate('monetizze-boleto-delayed-sms', {
      edit: (g) => {
        const wait = g.nodes.find((n) => n.type === 'core.delay')!;
        expect(wait.config).toEqual({ seconds: 3600 });
        wait.config = { seconds: 1 };
      },
    });
    const postback = monetizzeSalePostback({ chaveUnica: chave, saleCode: '30000101', statusCode: 1 });
    expect((await postHook(c.monetizze!.webhookUrl!, monetizzeFormHeaders, monetizzeFormBody(postback))).status).toBe(200);
    const run = await oneSucceededRun(flowId);
    expect(stepStates(run)).toEqual(['trigger:succeeded', 'wait:succeeded', 'sms:succeeded']);
    const line = (run.steps[0]!.output as { boletoLine: string }).boletoLine;
    expect(line).toMatch(/\d{5}/);
    const sent = tw.messages.filter((m) => m.body.includes('seu boleto'));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.endsWith(line)).toBe(true);
    expect(sent[0]!.from).toBe(tw.numbers[0]!.phoneNumber);
  });

  it('Monetizze abandoned checkout → SMS with the link', async () => {
    const flowId = await startTemplate('monetizze-abandoned-checkout-sms');
    expect((await postHook(c.monetizze!.webhookUrl!, monetizzeFormHeaders, monetizzeFormBody(monetizzeAbandonedPostback({ chaveUnica: chave })))).status).toBe(200);
    const run = await oneSucceededRun(flowId);
    const link = (run.steps[0]!.output as { checkoutUrl: string }).checkoutUrl;
    expect(link).toMatch(/^https:\/\//);
    const sent = tw.messages.filter((m) => m.body.includes('Finalize sua compra'));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.endsWith(link)).toBe(true);
  });

  it('RetailCRM order paid → SALESmanago contact and purchase', async () => {
    const flowId = await startTemplate('retailcrm-order-paid-salesmanago');
    const order = crm.addOrder({ status: 'paid', firstName: 'Ana', lastName: 'Lima', email: 'ana.lima@example.com', totalSumm: 5290.5 });
    expect((await postHook(c.crm!.webhookUrl!, form, `type=order&status=paid&id=${order.id}&event=status`)).status).toBe(200);
    // The WhatsApp template bundle listens to paid orders too: both run; this one is the SALESmanago bundle's.
    await oneSucceededRun(flowId);
    expect(sm.contacts.get('ana.lima@example.com')).toMatchObject({ name: 'Ana Lima', tags: ['RETAILCRM'] });
    expect(sm.events.filter((e) => e.externalId === String(order.id))).toEqual([
      expect.objectContaining({ contactExtEventType: 'PURCHASE', value: 5290.5, location: 'myshop', description: `Order ${order.number}` }),
    ]);
  });

  it('A bundle failed → WhatsApp me', async () => {
    const flowId = await startTemplate('bundle-failed-whatsapp', { inputs: { my_number: '+55 11 99876-5432' } });
    const hook = await createConnection(b, 'webhook', 'Shop hook', {});
    const failing = await startChainFlow(b, 'Stock check', [
      { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {} },
      { id: 'check', type: 'core.code', config: { input: {}, code: "throw new Error('out of stock')" } },
    ]);
    expect((await postHook(hook.webhookUrl!, { 'content-type': 'application/json' }, '{"sku":"A1"}')).status).toBe(200);
    const [failed] = await waitForFinishedRuns(b, failing, 1);
    expect(failed!.status).toBe('failed');
    await oneSucceededRun(flowId);
    const sent = wa.messages.filter((m) => m.type === 'template' && (m.body.template as { name: string }).name === 'bundle_failed');
    expect(sent.map((m) => m.to)).toEqual(['5511998765432']);
    const texts = ((sent[0]!.body.template as { components: Array<{ parameters: Array<{ text: string }> }> }).components[0]!.parameters).map((p) => p.text);
    expect(texts[0]).toBe('Stock check');
    expect(texts[1]).toContain('check: code_error Error: out of stock');
    expect(texts[2]).toMatch(new RegExp(`/bundles/${failing}\\?run=${failed!.id}$`));
  });

  it('Every morning: remind abandoned checkouts (fired now from a test sent for real)', async () => {
    const shop = await startSink();
    try {
      const checkouts = [
        { name: 'Ana', phone: '+5511998760001', url: 'https://shop.example/cart/1' },
        { name: 'Bia', phone: '+5511998760002', url: 'https://shop.example/cart/2' },
        { name: 'Caio', phone: '+5511998760003', url: 'https://shop.example/cart/3' },
      ];
      shop.script.push({ status: 200, body: JSON.stringify({ checkouts }) });
      const flowId = await startTemplate('every-morning-abandoned-checkouts-sms', { inputs: { checkouts_url: `${shop.url}/abandoned` } });
      const sample = (await b.api('GET', `/api/flows/${flowId}/test-sample`)).body.payload;
      const test = await b.api('POST', `/api/flows/${flowId}/test`, { payload: sample, live: true });
      expect(test.status, JSON.stringify(test.body)).toBe(200);
      expect(test.body.status, JSON.stringify(test.body.steps)).toBe('succeeded');
      expect(shop.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /abandoned']);
      const sent = tw.messages.filter((m) => m.body.includes('seu carrinho'));
      expect(sent.map((m) => [m.to, m.body]).sort()).toEqual(checkouts.map((c) => [c.phone, `Oi ${c.name}, seu carrinho ainda está esperando: ${c.url}`]).sort());
    } finally {
      await shop.close();
    }
  });
});
