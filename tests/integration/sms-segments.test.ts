// twilio.send_sms with maxSegments through the API and the runtime: a static text that cannot fit is refused
// on save naming the node and the field; a rendered text over the cap fails its step for good, nothing sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { createConnection, postJson, startChainFlow, startProviderBundles, stepOf, twilioConfig, waitForFinishedRuns, type ApiConnection } from '../support/providers.js';

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

const graphWith = (hook: ApiConnection, body: string) => ({
  nodes: [
    { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {}, position: { x: 0, y: 0 } },
    { id: 'sms', type: 'twilio.send_sms', connectionId: sms.id, config: { from: '+15550002222', to: '{{ trigger.body.phone }}', body, maxSegments: 1 }, position: { x: 300, y: 0 } },
  ],
  edges: [{ source: 'trigger', target: 'sms' }],
});

describe('maxSegments of twilio.send_sms', () => {
  it('marks on save (and refuses on start) a static text that needs more segments than the cap, naming node, field and the characters', async () => {
    // A hook of its own: the bundle started here must not run on the other test's events.
    const hook = await createConnection(b, 'webhook', 'Save hook', {});
    const body = 'Seu pedido foi aprovado e já está em separação; você receberá o código de rastreio em breve.';
    const res = await b.api('POST', '/api/flows', { name: 'Too long', graph: graphWith(hook, body) });
    expect(res.status).toBe(201);
    const refused = await b.api('POST', `/api/flows/${res.body.id}/start`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('invalid_flow');
    expect(res.body.problems).toEqual(refused.body.error.details.issues);
    expect(refused.body.error.details.issues).toEqual([
      { nodeId: 'sms', field: 'body', message: 'the message needs 2 segments, the cap is 1; “á”, “ç”, “ã”, “ê”, “ó” force UCS-2 (70 characters a segment)' },
    ]);
    // The same bundle with a text that fits is saved and starts.
    const ok = await b.api('POST', '/api/flows', { name: 'Fits', graph: graphWith(hook, 'Pedido aprovado!') });
    expect(ok.status).toBe(201);
    expect((await b.api('POST', `/api/flows/${ok.body.id}/start`)).status).toBe(200);
    // Edited to a text that cannot fit: a draft with the problem, the running version untouched.
    const put = await b.api('PUT', `/api/flows/${ok.body.id}`, { name: 'Fits', graph: graphWith(hook, 'x'.repeat(161)) });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ status: 'running', activeVersion: { number: 1 }, hasDraftChanges: true });
    expect(put.body.problems).toEqual([{ nodeId: 'sms', field: 'body', message: 'the message needs 2 segments, the cap is 1 (160 characters a segment)' }]);
  });

  it('fails the step with too_many_segments when the rendered text is over the cap; nothing is sent', async () => {
    const hook = await createConnection(b, 'webhook', 'Order hook', {});
    const flowId = await startChainFlow(b, 'Order paid SMS', [
      { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {} },
      { id: 'sms', type: 'twilio.send_sms', connectionId: sms.id, config: { from: '+15550002222', to: '{{ trigger.body.phone }}', body: 'Olá {{ trigger.body.name }}, pedido pago!', maxSegments: 1 } },
    ]);
    expect((await postJson(hook.webhookUrl!, { phone: '+5511990000001', name: 'Maria '.repeat(12) })).status).toBe(200);
    const [failed] = await waitForFinishedRuns(b, flowId, 1);
    expect(failed!.status).toBe('failed');
    const step = stepOf(failed!, 'sms');
    expect(step.error).toMatchObject({ code: 'too_many_segments', retryable: false });
    expect(step.error!.message).toMatch(/^The message as rendered needs 2 segments, the cap is 1; “á” forces UCS-2 \(70 characters a segment\): nothing was sent/);
    expect(step.attempts).toBe(1);
    // A later event's SMS reaches the fake alone: the refused text never left.
    expect((await postJson(hook.webhookUrl!, { phone: '+5511990000002', name: 'Ana' })).status).toBe(200);
    const runs = await waitForFinishedRuns(b, flowId, 2);
    expect(runs.map((r) => r.status).sort()).toEqual(['failed', 'succeeded']);
    expect(twilio.messages.filter((m) => m.to.startsWith('+551199000000')).map((m) => m.body)).toEqual(['Olá Ana, pedido pago!']);
  });
});
