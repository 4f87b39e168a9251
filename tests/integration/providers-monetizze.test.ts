// Monetizze postbacks end to end over real HTTP: a boleto issued → a delay → an SMS with the boleto line;
// an abandoned checkout → an SMS with the checkout link; a wrong chave_unica → 401, logged, nothing stored;
// the same postback twice → one run; "Test connection" from the delivery log and through the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import {
  monetizzeAbandonedPostback,
  monetizzeFormBody,
  monetizzeFormHeaders,
  monetizzeSalePostback,
  startFakeMonetizze,
  type FakeMonetizze,
} from '../fakes/monetizze.js';
import {
  createConnection,
  deliveries,
  events,
  listRuns,
  postHook,
  startChainFlow,
  startProviderBundles,
  stepOf,
  stepStates,
  twilioConfig,
  waitForFinishedRuns,
  type ApiConnection,
} from '../support/providers.js';

const chave = '82e98fd17562ae451ba4f9e3b9c2eab6';
let b: TestBundles;
let twilio: FakeTwilio;
let api: FakeMonetizze;
let mz: ApiConnection;
let sms: ApiConnection;
let boletoFlow: string;
let abandonedFlow: string;

const post = (data: Parameters<typeof monetizzeFormBody>[0]) => postHook(mz.webhookUrl!, monetizzeFormHeaders, monetizzeFormBody(data));
const testConnection = async (id: string) => (await b.api('POST', `/api/connections/${id}/test`)).body as { ok: boolean | null; message: string };

beforeAll(async () => {
  [b, twilio, api] = await Promise.all([startProviderBundles(), startFakeTwilio(), startFakeMonetizze()]);
  mz = await createConnection(b, 'monetizze', 'Horta Viva na Monetizze', { chaveUnica: chave });
  sms = await createConnection(b, 'twilio', 'Twilio SMS', twilioConfig(twilio));
  boletoFlow = await startChainFlow(b, 'Boleto reminder', [
    { id: 'trigger', type: 'monetizze.sale_status_changed', connectionId: mz.id, config: { statuses: ['awaiting_payment'], productCodes: ['184512'] } },
    { id: 'wait', type: 'core.delay', config: { seconds: 1 } },
    { id: 'sms', type: 'twilio.send_sms', connectionId: sms.id, config: { from: '+15550002222', to: '{{ trigger.buyer.phone }}', body: 'Oi {{ trigger.buyer.firstName }}, seu boleto: {{ trigger.boletoLine }}' } },
  ]);
  abandonedFlow = await startChainFlow(b, 'Checkout recovery', [
    { id: 'trigger', type: 'monetizze.sale_status_changed', connectionId: mz.id, config: { statuses: ['abandoned'] } },
    { id: 'sms', type: 'twilio.send_sms', connectionId: sms.id, config: { from: '+15550002222', to: '{{ trigger.buyer.phone }}', body: 'Finalize sua compra: {{ trigger.checkoutUrl }}' } },
  ]);
});
afterAll(async () => {
  await b?.close();
  await twilio?.close();
  await api?.close();
});

describe('Monetizze postbacks → delayed SMS', () => {
  it('"Test connection" cannot tell before anything arrived, and says how to send a test', async () => {
    const res = await testConnection(mz.id);
    expect(res.ok).toBeNull();
    expect(res.message).toMatch(/^Nothing has arrived yet/);
    expect(res.message).toContain(mz.webhookUrl!);
  });

  it('a boleto issued sends the boleto line by SMS after the delay', async () => {
    const postedAt = Date.now();
    const res = await post(monetizzeSalePostback({ chaveUnica: chave, saleCode: '30000001', statusCode: 1 }));
    expect(res.status).toBe(200);

    const [run] = await waitForFinishedRuns(b, boletoFlow, 1, 20_000);
    expect(run!.status, JSON.stringify(run!.error)).toBe('succeeded');
    expect(stepStates(run!)).toEqual(['trigger:succeeded', 'wait:succeeded', 'sms:succeeded']);
    expect(stepOf(run!, 'trigger').output).toMatchObject({
      saleCode: '30000001',
      status: 'awaiting_payment',
      statusCode: 1,
      buyer: { firstName: 'Maria', phone: '+5511987654321' },
      boletoLine: '75691.44871 01002.680823 00450.520002 1 97450000019700',
    });
    const sent = twilio.messages.filter((m) => m.body.includes('seu boleto'));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: '+5511987654321', from: '+15550002222', body: 'Oi Maria, seu boleto: 75691.44871 01002.680823 00450.520002 1 97450000019700' });
    expect(sent[0]!.receivedAt - postedAt).toBeGreaterThanOrEqual(950);
    // The other flow does not take a boleto.
    expect(await listRuns(b, abandonedFlow)).toEqual([]);
  });

  it('an abandoned checkout sends the checkout link', async () => {
    const res = await post(monetizzeAbandonedPostback({ chaveUnica: chave }));
    expect(res.status).toBe(200);
    const [run] = await waitForFinishedRuns(b, abandonedFlow, 1, 15_000);
    expect(run!.status, JSON.stringify(run!.error)).toBe('succeeded');
    expect(stepOf(run!, 'trigger').output).toMatchObject({ saleCode: null, status: 'abandoned', abandoned: true });
    const sent = twilio.messages.filter((m) => m.body.startsWith('Finalize sua compra'));
    expect(sent).toEqual([expect.objectContaining({ to: '+5511987650000', body: 'Finalize sua compra: https://app.monetizze.com.br/r/AHX1234567?recuperacao=3f2a9c' })]);
    expect(await listRuns(b, boletoFlow)).toHaveLength(1);
  });

  it('a wrong chave_unica is answered 401 and logged as rejected; nothing is stored', async () => {
    const eventsBefore = (await events(b, mz.id)).length;
    const res = await post(monetizzeSalePostback({ chaveUnica: 'not-the-account-key', saleCode: '30000002', statusCode: 1 }));
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'invalid_signature' } });
    const [last] = await deliveries(b, mz.id);
    expect(last).toMatchObject({ outcome: 'rejected', eventIds: [], body: null });
    expect(last!.reason).toMatch(/^chave_unica does not match/);
    expect(await events(b, mz.id)).toHaveLength(eventsBefore);
    expect((await events(b, mz.id)).map((e) => e.payload.saleCode)).not.toContain('30000002');
    expect(await listRuns(b, boletoFlow)).toHaveLength(1);
  });

  it('the same postback twice starts one run', async () => {
    const postback = monetizzeSalePostback({ chaveUnica: chave, saleCode: '30000003', statusCode: 1 });
    expect((await post(postback)).status).toBe(200);
    expect((await post(postback)).status).toBe(200);
    const runs = await waitForFinishedRuns(b, boletoFlow, 2, 20_000);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    const stored = (await events(b, mz.id)).filter((e) => e.dedupeKey === 'sale:30000003:1');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.duplicates).toBe(1);
    const log = (await deliveries(b, mz.id)).slice(0, 2).map((d) => d.outcome).sort();
    expect(log).toEqual(['accepted', 'duplicate']);
    expect(twilio.messages.filter((m) => m.body.includes('seu boleto'))).toHaveLength(2);
    expect(await listRuns(b, boletoFlow)).toHaveLength(2);
  });

  it('"Test connection": from the delivery log without a consumer key, through the API with one', async () => {
    const byLog = await testConnection(mz.id);
    expect(byLog.ok).toBe(true);
    expect(byLog.message).toMatch(/^Postbacks arrive: the last one was accepted at /);

    const withKey = await createConnection(b, 'monetizze', 'Monetizze API', { chaveUnica: chave, consumerKey: api.consumerKey, baseUrl: api.url });
    expect(await testConnection(withKey.id)).toMatchObject({ ok: true, message: expect.stringMatching(/^Connected: Monetizze accepted the consumer key/) });
    const wrong = await createConnection(b, 'monetizze', 'Monetizze API, wrong key', { chaveUnica: chave, consumerKey: 'wrong', baseUrl: api.url });
    expect(await testConnection(wrong.id)).toMatchObject({ ok: false, message: expect.stringContaining('Monetizze refused the consumer key') });
  });
});
