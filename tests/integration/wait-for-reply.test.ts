// core.wait_for_reply against the fake Twilio: an order asks "Reply YES to confirm" and waits (no worker
// held); the customer's SMS continues it on `reply` and starts no run of the auto-reply bundle on the same
// number; without a reply it goes on on `timeout`, and a reply after that goes to the auto-reply bundle.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { deliverTwilioWebhook, startFakeTwilio, twilioInboundSms, type FakeTwilio } from '../fakes/twilio.js';
import {
  createConnection,
  jobsOf,
  listRuns,
  messages,
  postJson,
  runDetail,
  startChainFlow,
  startProviderBundles,
  stepOf,
  twilioConfig,
  waitForFinishedRuns,
  type ApiConnection,
  type ApiRun,
} from '../support/providers.js';
import { waitFor } from '../support/wait.js';

let b: TestBundles;
let twilio: FakeTwilio;
let sms: ApiConnection;
let orders: ApiConnection;
let confirmFlow: string;
let autoReplyFlow: string;

const shopNumber = '+15550002222';

/** The graph of "Confirm order": ask, wait, then thank on `reply` or remind on `timeout`. */
function confirmGraph(smsId: string, ordersId: string) {
  const send = (id: string, body: string, x: number, y = 0) => ({
    id,
    type: 'twilio.send_sms',
    connectionId: smsId,
    config: { from: shopNumber, to: '{{ trigger.body.phone }}', body },
    position: { x, y },
  });
  return {
    nodes: [
      { id: 'trigger', type: 'core.webhook', connectionId: ordersId, config: {}, position: { x: 0, y: 0 } },
      send('ask', 'Order {{ trigger.body.order }}: reply YES to confirm', 300),
      // Written as the shop's CRM writes it: the wait keys it as Twilio's From (E.164).
      { id: 'wait', type: 'core.wait_for_reply', connectionId: smsId, config: { conversation: '{{ trigger.body.phone }}', timeoutSeconds: 3600 }, position: { x: 600, y: 0 } },
      send('thanks', 'Thanks, we got "{{ steps.wait.message.text }}"', 900, -100),
      send('remind', 'We did not hear back about order {{ trigger.body.order }}', 900, 100),
    ],
    edges: [
      { source: 'trigger', target: 'ask' },
      { source: 'ask', target: 'wait' },
      { source: 'wait', target: 'thanks', sourceHandle: 'reply' },
      { source: 'wait', target: 'remind', sourceHandle: 'timeout' },
    ],
  };
}

beforeAll(async () => {
  [b, twilio] = await Promise.all([startProviderBundles(), startFakeTwilio()]);
  sms = await createConnection(b, 'twilio', 'Shop SMS', twilioConfig(twilio));
  orders = await createConnection(b, 'webhook', 'Shop orders', {});
  const flow = await b.api('POST', '/api/flows', { name: 'Confirm order', graph: confirmGraph(sms.id, orders.id) });
  expect(flow.status, JSON.stringify(flow.body)).toBe(201);
  expect((await b.api('POST', `/api/flows/${flow.body.id}/start`)).status).toBe(200);
  confirmFlow = flow.body.id as string;
  autoReplyFlow = await startChainFlow(b, 'SMS auto-reply', [
    { id: 'trigger', type: 'twilio.message_received', connectionId: sms.id, config: { channel: 'sms' } },
    { id: 'answer', type: 'twilio.send_sms', connectionId: sms.id, config: { from: shopNumber, to: '{{ trigger.from }}', body: 'Auto: {{ trigger.body }}' } },
  ]);
});
afterAll(async () => {
  await b?.close();
  await twilio?.close();
});
beforeEach(() => twilio.reset());

const seen = new Set<string>();

/** Posts an order and waits until its run waits for the reply; answers the run. */
async function orderWaiting(order: string, phone: string): Promise<ApiRun> {
  expect((await postJson(orders.webhookUrl!, { order, phone })).status).toBe(200);
  const run = await waitFor(`order ${order} to wait for a reply`, async () => (await listRuns(b, confirmFlow)).find((r) => r.status === 'waiting' && !seen.has(r.id)) ?? null);
  seen.add(run.id);
  return run;
}

const sendSms = (from: string, body: string) => deliverTwilioWebhook(sms.webhookUrl!, twilio.authToken, twilioInboundSms({ from, to: shopNumber, body }));

describe('core.wait_for_reply', () => {
  it('a reply within the timeout continues the waiting run on `reply`, and starts no auto-reply run', async () => {
    const ana = '+5511998765432';
    const waiting = await orderWaiting('A-17', '+55 (11) 99876-5432');
    expect(twilio.messages.map((m) => `${m.to} ${m.body}`)).toEqual([`${ana} Order A-17: reply YES to confirm`]);
    // No worker holds it: its one job is due at the timeout.
    const jobs = await jobsOf(b, waiting.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.locked).toBe(false);
    expect(jobs[0]!.runAt.getTime()).toBeGreaterThan(Date.now() + 3000_000);

    expect((await sendSms(ana, 'YES')).status).toBe(200);
    const run = await waitFor('the confirmation to finish', async () => {
      const r = await runDetail(b, waiting.id);
      return r.status === 'succeeded' ? r : null;
    });
    expect(stepOf(run, 'wait')).toMatchObject({ status: 'succeeded', handle: 'reply', output: { conversation: ana, timedOut: false, message: { text: 'YES', from: ana, provider: 'twilio', channel: 'sms' } } });
    expect((stepOf(run, 'wait').output as { message: { at: string } }).message.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(run.steps.some((s) => s.nodeId === 'remind')).toBe(false);
    await waitFor('the thanks', async () => twilio.messages.some((m) => m.body === 'Thanks, we got "YES"'));

    // The auto-reply bundle did not answer the reply: the next message of Ana, unrelated, is its first run.
    expect((await sendSms(ana, 'Where is my parcel?')).status).toBe(200);
    const auto = await waitForFinishedRuns(b, autoReplyFlow, 1);
    expect(auto).toHaveLength(1);
    expect(stepOf(auto[0]!, 'answer').output).toMatchObject({ to: ana });
    await waitFor('the auto-reply', async () => twilio.messages.some((m) => m.body === 'Auto: Where is my parcel?'));
    expect(twilio.messages.filter((m) => m.body.startsWith('Auto:')).map((m) => m.body)).toEqual(['Auto: Where is my parcel?']);

    // The message log says which bundle took the reply.
    const log = await messages(b, { connectionId: sms.id });
    const yes = log.find((m) => m.direction === 'inbound' && m.text === 'YES');
    expect(yes).toMatchObject({ runId: waiting.id, flowId: confirmFlow, conversationKey: ana });
    expect(log.find((m) => m.direction === 'inbound' && m.text === 'Where is my parcel?')).toMatchObject({ runId: null });
  });

  it('without a reply the run goes on on `timeout`, and a later reply goes to the auto-reply bundle', async () => {
    const budi = '+6281234567890';
    const before = (await listRuns(b, autoReplyFlow)).length;
    const waiting = await orderWaiting('B-42', budi);
    // The hour passes: the wait and its job are due now.
    await b.database.pool.query(`update reply_waits set expires_at = now() - interval '1 second' where run_id = $1`, [waiting.id]);
    await b.database.pool.query(`update graphile_worker._private_jobs set run_at = now() where key like 'reply:' || $1 || ':%'`, [waiting.id]);
    const run = await waitFor('the reminder', async () => {
      const r = await runDetail(b, waiting.id);
      return r.status === 'succeeded' ? r : null;
    });
    expect(stepOf(run, 'wait')).toMatchObject({ status: 'succeeded', handle: 'timeout', output: { conversation: budi, timedOut: true, message: null } });
    expect(run.steps.some((s) => s.nodeId === 'thanks')).toBe(false);
    await waitFor('the reminder SMS', async () => twilio.messages.some((m) => m.body === 'We did not hear back about order B-42'));

    expect((await sendSms(budi, 'YES')).status).toBe(200);
    const auto = await waitForFinishedRuns(b, autoReplyFlow, before + 1);
    expect(auto).toHaveLength(before + 1);
    await waitFor('the auto-reply to the late YES', async () => twilio.messages.some((m) => m.to === budi && m.body === 'Auto: YES'));
    const late = (await messages(b, { connectionId: sms.id })).find((m) => m.direction === 'inbound' && m.from === budi && m.text === 'YES');
    expect(late).toMatchObject({ runId: null });
    // The timed-out run took nothing.
    expect((await runDetail(b, waiting.id)).steps.find((s) => s.nodeId === 'wait')?.handle).toBe('timeout');
  });

  it('a reply just after the timeout, before the run resumed, goes to the auto-reply bundle; the run goes on on `timeout`', async () => {
    const cara = '+5521987654321';
    const before = (await listRuns(b, autoReplyFlow)).length;
    const waiting = await orderWaiting('C-7', cara);
    // Its time is up, and its job has not run yet.
    await b.database.pool.query(`update reply_waits set expires_at = now() - interval '1 second' where run_id = $1`, [waiting.id]);
    expect((await sendSms(cara, 'YES')).status).toBe(200);
    await waitForFinishedRuns(b, autoReplyFlow, before + 1);
    await waitFor('the auto-reply to the late YES', async () => twilio.messages.some((m) => m.to === cara && m.body === 'Auto: YES'));
    expect((await runDetail(b, waiting.id)).status).toBe('waiting');
    await b.database.pool.query(`update graphile_worker._private_jobs set run_at = now() where key like 'reply:' || $1 || ':%'`, [waiting.id]);
    const run = await waitFor('the reminder', async () => {
      const r = await runDetail(b, waiting.id);
      return r.status === 'succeeded' ? r : null;
    });
    expect(stepOf(run, 'wait')).toMatchObject({ handle: 'timeout', output: { timedOut: true } });
  });

  it('a bundle started by a customer’s SMS takes their next one as the reply, not as a new run of its own', async () => {
    const line = await createConnection(b, 'twilio', 'Subscriptions line', twilioConfig(twilio));
    const nodes = [
      { id: 'trigger', type: 'twilio.message_received', connectionId: line.id, config: { channel: 'sms' } },
      { id: 'ask', type: 'twilio.send_sms', connectionId: line.id, config: { from: shopNumber, to: '{{ trigger.from }}', body: 'Reply YES to subscribe' } },
      { id: 'wait', type: 'core.wait_for_reply', connectionId: line.id, config: { conversation: '{{ trigger.from }}', timeoutSeconds: 600 } },
      { id: 'done', type: 'twilio.send_sms', connectionId: line.id, config: { from: shopNumber, to: '{{ trigger.from }}', body: 'You said {{ steps.wait.message.text }} to {{ trigger.body }}' } },
    ];
    const graph = {
      nodes: nodes.map((n, i) => ({ ...n, position: { x: i * 300, y: 0 } })),
      edges: [
        { source: 'trigger', target: 'ask' },
        { source: 'ask', target: 'wait' },
        { source: 'wait', target: 'done', sourceHandle: 'reply' },
      ],
    };
    const flow = await b.api('POST', '/api/flows', { name: 'SMS subscribe', graph });
    expect((await b.api('POST', `/api/flows/${flow.body.id}/start`)).status).toBe(200);
    const flowId = flow.body.id as string;
    const dewi = '+6281298765432';
    const post = (body: string) => deliverTwilioWebhook(line.webhookUrl!, twilio.authToken, twilioInboundSms({ from: dewi, to: shopNumber, body }));
    expect((await post('JOIN')).status).toBe(200);
    const first = await waitFor('the subscription run to wait', async () => (await listRuns(b, flowId)).find((r) => r.status === 'waiting') ?? null);
    expect((await post('YES')).status).toBe(200);
    await waitFor('the subscription', async () => twilio.messages.some((m) => m.to === dewi && m.body === 'You said YES to JOIN'));
    const runs = await waitForFinishedRuns(b, flowId, 1);
    expect(runs.map((r) => r.id)).toEqual([first.id]);
    // The next message, with no wait open, starts the bundle again.
    expect((await post('JOIN again')).status).toBe(200);
    await waitFor('a second run', async () => ((await listRuns(b, flowId)).length === 2 ? true : null));
  });

  it('a test of the draft answers the wait from the request, or goes on on `timeout`', async () => {
    const flow = await b.api('POST', '/api/flows', { name: 'Confirm order (draft)', graph: confirmGraph(sms.id, orders.id) });
    expect(flow.status).toBe(201);
    const payload = { body: { order: 'T-1', phone: '+55 11 99876 5432' } };
    const answered = await b.api('POST', `/api/flows/${flow.body.id}/test`, { payload, replies: { wait: { text: 'YES' } } });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    const steps = answered.body.steps as Array<{ nodeId: string; handle: string | null; output: unknown; skippedWait: string | null; stubbed: boolean }>;
    expect(steps.find((s) => s.nodeId === 'wait')).toMatchObject({ handle: 'reply', output: { conversation: '+5511998765432', message: { text: 'YES' } } });
    expect(steps.find((s) => s.nodeId === 'wait')?.skippedWait).toBeTruthy();
    expect(steps.map((s) => s.nodeId)).toEqual(['trigger', 'ask', 'wait', 'thanks']);
    expect(steps.find((s) => s.nodeId === 'thanks')?.stubbed).toBe(true);

    const unanswered = await b.api('POST', `/api/flows/${flow.body.id}/test`, { payload });
    const unansweredSteps = unanswered.body.steps as Array<{ nodeId: string; handle: string | null; output: unknown; skippedWait: string | null }>;
    expect(unansweredSteps.find((s) => s.nodeId === 'wait')).toMatchObject({ handle: 'timeout', output: { timedOut: true, message: null } });
    expect(unansweredSteps.find((s) => s.nodeId === 'wait')?.skippedWait).toBeTruthy();
    expect(unansweredSteps.map((s) => s.nodeId)).toEqual(['trigger', 'ask', 'wait', 'remind']);
    // A test waits for nothing: no wait is stored.
    const { rows } = await b.database.pool.query(`select count(*)::int as n from reply_waits where flow_id = $1`, [flow.body.id]);
    expect(rows[0].n).toBe(0);
  });

  it('a wait needs a connection that receives messages', async () => {
    const graph = confirmGraph(sms.id, orders.id);
    graph.nodes.find((n) => n.id === 'wait')!.connectionId = orders.id;
    const flow = await b.api('POST', '/api/flows', { name: 'Wrong channel', graph });
    const started = await b.api('POST', `/api/flows/${flow.body.id}/start`);
    expect(started.status).toBe(422);
    expect(JSON.stringify(started.body)).toContain('needs a tokopedia or twilio or whatsapp connection, not webhook');
  });
});
