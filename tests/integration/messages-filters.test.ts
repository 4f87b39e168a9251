// The message log filtered by bundle (messages carry their run's bundle) and by a text search in the message
// text: case-insensitive, wildcards taken literally, bounded length.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { deliverTwilioWebhook, startFakeTwilio, twilioInboundSms, type FakeTwilio } from '../fakes/twilio.js';
import { waitFor } from '../support/wait.js';
import { createConnection, messages, postJson, startChainFlow, startProviderBundles, twilioConfig, waitForFinishedRuns, type ApiConnection } from '../support/providers.js';

let b: TestBundles;
let twilio: FakeTwilio;
let sms: ApiConnection;

beforeAll(async () => {
  [b, twilio] = await Promise.all([startProviderBundles(), startFakeTwilio()]);
  sms = await createConnection(b, 'twilio', 'Twilio SMS', twilioConfig(twilio));
});
afterAll(async () => {
  await b?.close();
  await twilio?.close();
});

async function smsBundle(name: string, body: string) {
  const hook = await createConnection(b, 'webhook', `${name} hook`, {});
  const flowId = await startChainFlow(b, name, [
    { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {} },
    { id: 'sms', type: 'twilio.send_sms', connectionId: sms.id, config: { from: '+15550002222', to: '{{ trigger.body.phone }}', body } },
  ]);
  return { flowId, hook };
}

describe('message log filters', () => {
  it('lists the messages of one bundle, and searches their text case-insensitively', async () => {
    const paid = await smsBundle('Paid', 'Order {{ trigger.body.order }} is PAID: thank you');
    const shipped = await smsBundle('Shipped', 'Order {{ trigger.body.order }} shipped, 100% on time');
    for (const order of ['A-1', 'A-2']) expect((await postJson(paid.hook.webhookUrl!, { order, phone: '+5511990000101' })).status).toBe(200);
    expect((await postJson(shipped.hook.webhookUrl!, { order: 'B-1', phone: '+5511990000102' })).status).toBe(200);
    await waitForFinishedRuns(b, paid.flowId, 2);
    await waitForFinishedRuns(b, shipped.flowId, 1);
    // A message received: it belongs to no bundle.
    expect((await deliverTwilioWebhook(sms.webhookUrl!, twilio.authToken, twilioInboundSms({ body: 'Was my order paid?' }))).status).toBe(200);
    await waitFor('the inbound message', async () => (await messages(b, { direction: 'inbound' })).length === 1);

    const ofPaid = await messages(b, { flowId: paid.flowId });
    expect(ofPaid.map((m) => m.text).sort()).toEqual(['Order A-1 is PAID: thank you', 'Order A-2 is PAID: thank you']);
    expect(ofPaid.every((m) => m.flowId === paid.flowId && m.direction === 'outbound')).toBe(true);
    expect((await messages(b, { flowId: shipped.flowId })).map((m) => m.text)).toEqual(['Order B-1 shipped, 100% on time']);

    expect((await messages(b, { q: 'paid' })).map((m) => m.text).sort()).toEqual(['Order A-1 is PAID: thank you', 'Order A-2 is PAID: thank you', 'Was my order paid?']);
    expect((await messages(b, { q: 'paid', flowId: paid.flowId, direction: 'outbound' })).map((m) => m.text).sort()).toEqual(['Order A-1 is PAID: thank you', 'Order A-2 is PAID: thank you']);
    expect((await messages(b, { q: 'a-2 is' })).map((m) => m.text)).toEqual(['Order A-2 is PAID: thank you']);
    // LIKE's wildcards are plain characters in a search.
    expect((await messages(b, { q: '100%' })).map((m) => m.text)).toEqual(['Order B-1 shipped, 100% on time']);
    expect(await messages(b, { q: 'A_1' })).toEqual([]);
    expect(await messages(b, { q: 'refund' })).toEqual([]);
    // A bundle with no messages answers an empty list.
    const quiet = await smsBundle('Quiet', 'never sent');
    expect(await messages(b, { flowId: quiet.flowId })).toEqual([]);
  }, 60_000);

  it('refuses a search too short or too long, and a bundle id that is none, naming the field', async () => {
    const short = await b.api('GET', '/api/messages?q=ab');
    expect(short.status).toBe(422);
    expect(short.body.error.details.issues).toEqual([{ field: 'q', message: '3 to 200 characters' }]);
    expect((await b.api('GET', `/api/messages?q=${'x'.repeat(201)}`)).status).toBe(422);
    expect((await b.api('GET', `/api/messages?q=${'x'.repeat(1001)}`)).status).toBe(400);
    const bad = await b.api('GET', '/api/messages?flowId=not-a-uuid');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('flowId');
  });
});

