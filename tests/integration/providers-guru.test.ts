// Digital Manager Guru end to end: sales and subscription webhooks (api_token in the body) → Twilio SMS and a
// WhatsApp Content template, through a real server. A status posted again runs nothing; a filtered status runs
// nothing; a wrong token is refused and logged; "Test connection" reads the delivery log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { guruFixtureToken, guruSubscriptionBody, guruTransactionBody, postGuruWebhook } from '../fakes/guru.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import {
  createConnection,
  deliveries,
  events,
  listRuns,
  startChainFlow,
  startProviderBundles,
  stepOf,
  stepStates,
  twilioConfig,
  waitForFinishedRuns,
  type ApiConnection,
} from '../support/providers.js';

let b: TestBundles;
let tw: FakeTwilio;
let guruConn: ApiConnection;
let twConn: ApiConnection;

const saleId = '9c3f4e2a-6b1d-4f7e-9a52-3d8e1f0b7c41';
const contentSid = 'HX' + 'b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0';

beforeAll(async () => {
  [b, tw] = await Promise.all([startProviderBundles(), startFakeTwilio()]);
  guruConn = await createConnection(b, 'guru', 'Guru Estúdio Luz Natural', { apiToken: guruFixtureToken });
  twConn = await createConnection(b, 'twilio', 'Twilio', twilioConfig(tw));
});
afterAll(async () => {
  await b?.close();
  await tw?.close();
});

const testConnection = async () => {
  const res = await b.api('POST', `/api/connections/${guruConn.id}/test`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { ok: boolean | null; message: string };
};
const connectionStatus = async () => (await b.api('GET', `/api/connections/${guruConn.id}`)).body.status as string;

describe('Guru connection: webhook token and "Test connection"', () => {
  it('says nothing has arrived before any delivery, refuses a wrong api_token, then is ok after an accepted one', async () => {
    const before = await testConnection();
    expect(before.ok).toBeNull();
    expect(before.message).toMatch(/^Nothing has arrived yet\. Make Guru send one: place a test purchase/);
    expect(await connectionStatus()).toBe('untested');

    // Signed with another account's token: 401 (Guru does not resend it), logged as refused, nothing stored.
    const wrong = await postGuruWebhook(guruConn.webhookUrl!, guruTransactionBody({ id: 'tx-wrong-token' }, 'Z'.repeat(40)));
    expect(wrong.status).toBe(401);
    const [refused] = await deliveries(b, guruConn.id);
    expect(refused).toMatchObject({ outcome: 'rejected', eventIds: [], body: null });
    expect(refused!.reason).toMatch(/^api_token does not match this connection's account token/);
    expect(await events(b, guruConn.id)).toEqual([]);
    const afterRefusal = await testConnection();
    expect(afterRefusal.ok).toBe(false);
    expect(afterRefusal.message).toMatch(/^Guru posted at .+ UTC but it was refused: api_token does not match .+ Copy the API token again/);

    // A delivery without a body token at all is refused the same way.
    const missing = await postGuruWebhook(guruConn.webhookUrl!, guruTransactionBody({ id: 'tx-no-token', api_token: undefined }));
    expect(missing.status).toBe(401);
    expect((await deliveries(b, guruConn.id))[0]!.reason).toMatch(/^the body has no api_token/);

    // An eticket is accepted with no event: a 200, so Guru stops; the delivery log has it.
    const eticket = await postGuruWebhook(guruConn.webhookUrl!, { api_token: guruFixtureToken, webhook_type: 'eticket', id: 'et-1' });
    expect(eticket.status).toBe(200);
    expect((await deliveries(b, guruConn.id))[0]).toMatchObject({ outcome: 'accepted', eventIds: [] });
    expect(await events(b, guruConn.id)).toEqual([]);
    const after = await testConnection();
    expect(after).toEqual({ ok: true, message: expect.stringMatching(/^Last delivery from Guru arrived \d{4}-\d\d-\d\d \d\d:\d\d UTC$/) });
    expect(await connectionStatus()).toBe('ok');
  });
});

describe('Guru sale approved → Twilio SMS', () => {
  it('texts the buyer by first name once; a repeat and a filtered status run nothing; approved again after a refund runs again', async () => {
    const flowId = await startChainFlow(b, 'Guru approved sale → SMS', [
      { id: 'trigger', type: 'guru.transaction_status_changed', connectionId: guruConn.id, config: { statuses: ['approved'] } },
      {
        id: 'sms',
        type: 'twilio.send_sms',
        connectionId: twConn.id,
        config: { from: '+15550002222', to: '{{ trigger.contact.phone }}', body: 'Olá {{ trigger.contact.firstName }}, seu acesso ao {{ trigger.product.name }} está liberado!' },
      },
    ]);

    const approved = guruTransactionBody();
    expect((await postGuruWebhook(guruConn.webhookUrl!, approved)).status).toBe(200);
    const [run] = await waitForFinishedRuns(b, flowId, 1);
    expect(run!.status, JSON.stringify(run!.error)).toBe('succeeded');
    expect(stepStates(run!)).toEqual(['trigger:succeeded', 'sms:succeeded']);
    expect(stepOf(run!, 'trigger').output).toMatchObject({
      id: saleId,
      status: 'approved',
      contact: { name: 'Ana Beatriz Souza', firstName: 'Ana', phone: '+5511987654321', email: 'ana.souza@example.com.br' },
      product: { id: '1712345678', name: 'Curso Fotografia Essencial' },
      payment: { method: 'credit_card', currency: 'BRL', total: 497 },
    });
    expect(tw.messages.map((m) => [m.to, m.from, m.body])).toEqual([['+5511987654321', '+15550002222', 'Olá Ana, seu acesso ao Curso Fotografia Essencial está liberado!']]);

    // Guru posts the same approved sale again (a new X-Request-ID): a duplicate delivery.
    expect((await postGuruWebhook(guruConn.webhookUrl!, approved)).status).toBe(200);
    expect((await deliveries(b, guruConn.id))[0]).toMatchObject({ outcome: 'duplicate' });
    // Refunded: stored, but the trigger wants approved only.
    expect((await postGuruWebhook(guruConn.webhookUrl!, guruTransactionBody({ status: 'refunded' }))).status).toBe(200);
    expect((await deliveries(b, guruConn.id))[0]).toMatchObject({ outcome: 'accepted' });

    // The signal: another sale, whose buyer's phone has no country code. Its run is the second one, so the
    // repeat and the refund started none; and the fake Twilio got exactly two texts.
    const other = guruTransactionBody({ id: 'a7d2c9e0-1b3f-4e5a-8c7d-6f5e4d3c2b1a', contact: { name: 'Bruno Carvalho', phone_local_code: '', phone_number: '(21) 99876-5432' } });
    expect((await postGuruWebhook(guruConn.webhookUrl!, other)).status).toBe(200);
    const runs = await waitForFinishedRuns(b, flowId, 2);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(await listRuns(b, flowId)).toHaveLength(2);
    expect(tw.messages.map((m) => [m.to, m.body])).toEqual([
      ['+5511987654321', 'Olá Ana, seu acesso ao Curso Fotografia Essencial está liberado!'],
      ['+5521998765432', 'Olá Bruno, seu acesso ao Curso Fotografia Essencial está liberado!'],
    ]);
    const stored = await events(b, guruConn.id);
    expect(stored.map((e) => [e.dedupeKey, e.duplicates]).sort()).toEqual([
      [`transaction:${saleId}:approved`, 1],
      [`transaction:${saleId}:refunded`, 0],
      ['transaction:a7d2c9e0-1b3f-4e5a-8c7d-6f5e4d3c2b1a:approved', 0],
    ]);

    // Approved again after the refund is a new state of the sale: it runs again.
    expect((await postGuruWebhook(guruConn.webhookUrl!, approved)).status).toBe(200);
    const three = await waitForFinishedRuns(b, flowId, 3);
    expect(three.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(tw.messages).toHaveLength(3);
    expect(tw.messages[2]!.to).toBe('+5511987654321');
  });
});

describe('Guru subscription canceled → Twilio WhatsApp template', () => {
  it('sends the Content template with its variables as Twilio expects them', async () => {
    const flowId = await startChainFlow(b, 'Guru canceled subscription → WhatsApp', [
      { id: 'trigger', type: 'guru.subscription_status_changed', connectionId: guruConn.id, config: { statuses: ['canceled'] } },
      {
        id: 'whatsapp',
        type: 'twilio.send_whatsapp',
        connectionId: twConn.id,
        config: { from: '+14155238886', to: '{{ trigger.subscriber.phone }}', contentSid, contentVariables: { '1': '{{ trigger.subscriber.firstName }}', '2': '{{ trigger.product.name }}' } },
      },
    ]);
    const sent = tw.messages.length;

    expect((await postGuruWebhook(guruConn.webhookUrl!, guruSubscriptionBody())).status).toBe(200);
    const [run] = await waitForFinishedRuns(b, flowId, 1);
    expect(run!.status, JSON.stringify(run!.error)).toBe('succeeded');
    expect(stepOf(run!, 'trigger').output).toMatchObject({
      subscriptionCode: 'sub_K2m9Qx7Lw4Rt8Vz1',
      status: 'canceled',
      subscriber: { name: 'Marcos Lima', firstName: 'Marcos', phone: '+5562981886368' },
      product: { name: 'Clube do Fotógrafo' },
    });

    expect(tw.messages).toHaveLength(sent + 1);
    const message = tw.messages.at(-1)!;
    expect(message).toMatchObject({ to: 'whatsapp:+5562981886368', from: 'whatsapp:+14155238886', contentSid, body: '' });
    expect(message.contentVariablesParsed).toEqual({ '1': 'Marcos', '2': 'Clube do Fotógrafo' });
    // On the wire: form fields ContentSid and ContentVariables (a JSON string), no Body.
    const request = tw.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json')).at(-1)!;
    expect(request.form.ContentSid).toBe(contentSid);
    expect(typeof request.form.ContentVariables).toBe('string');
    expect(JSON.parse(request.form.ContentVariables as string)).toEqual({ '1': 'Marcos', '2': 'Clube do Fotógrafo' });
    expect(request.form.Body).toBeUndefined();
  });
});
