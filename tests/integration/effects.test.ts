// Side effects happen at most once, and exactly once where the provider can be asked: a write whose answer
// is lost is looked up (Twilio by its messages, RetailCRM by the order's externalId) instead of sent again;
// one that cannot be looked up (WhatsApp Cloud API, a plain POST) ends uncertain until a person settles it.
// Errors that can never pass fail at once; a Retry-After of centuries becomes a retry in an hour.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { startFakeWhatsApp, type FakeWhatsApp } from '../fakes/whatsapp.js';
import { startFakeRetailcrm, type FakeRetailcrm } from '../fakes/retailcrm.js';
import { startSink, type Sink } from '../support/sink.js';
import {
  createConnection,
  jobsOf,
  messages,
  postJson,
  retailcrmConfig,
  runDetail,
  startChainFlow,
  startProviderBundles,
  stepOf,
  stepStates,
  twilioConfig,
  waitForFinishedRuns,
  whatsappConfig,
  type ApiConnection,
  type FlowNode,
} from '../support/providers.js';
import { waitFor } from '../support/wait.js';

let b: TestBundles;
let twilio: FakeTwilio;
let whatsapp: FakeWhatsApp;
let crm: FakeRetailcrm;
let sink: Sink;
let twilioConn: ApiConnection;
let waConn: ApiConnection;
let crmConn: ApiConnection;

beforeAll(async () => {
  [b, twilio, whatsapp, crm, sink] = await Promise.all([startProviderBundles(), startFakeTwilio(), startFakeWhatsApp(), startFakeRetailcrm(), startSink()]);
  twilioConn = await createConnection(b, 'twilio', 'Twilio SMS', twilioConfig(twilio));
  waConn = await createConnection(b, 'whatsapp', 'Shop WhatsApp', whatsappConfig(whatsapp));
  crmConn = await createConnection(b, 'retailcrm', 'Shop CRM', retailcrmConfig(crm));
});
afterAll(async () => {
  await b?.close();
  await Promise.all([twilio?.close(), whatsapp?.close(), crm?.close(), sink?.close()]);
});
beforeEach(() => {
  twilio.reset();
  sink.requests.length = 0;
  sink.script.length = 0;
});

let flows = 0;
/** A bundle started by the generic webhook: each test posts its own order id to its own connection. */
async function hookFlow(nodes: FlowNode[]): Promise<{ flowId: string; url: string }> {
  const conn = await createConnection(b, 'webhook', `Hook ${++flows}`, {});
  const flowId = await startChainFlow(b, `Effects ${flows}`, [{ id: 'trigger', type: 'core.webhook', connectionId: conn.id, config: {} }, ...nodes]);
  return { flowId, url: conn.webhookUrl! };
}

async function runOnce(nodes: FlowNode[], body: unknown) {
  const { flowId, url } = await hookFlow(nodes);
  expect((await postJson(url, body)).status).toBe(200);
  const [run] = await waitForFinishedRuns(b, flowId, 1);
  return run!;
}

const sms = (): FlowNode => ({ id: 'sms', type: 'twilio.send_sms', connectionId: twilioConn.id, config: { from: '+15550002222', to: '+5511998765432', body: 'Order {{ trigger.body.order }} is paid' } });
const smsTo = (body: string) => twilio.messages.filter((m) => m.body === body);

describe('Twilio: an unknown outcome is looked up, not sent again', () => {
  it('a message whose answer was lost is found in Twilio’s list and counted as sent, once', async () => {
    twilio.failNext(1, { lostAnswer: true });
    const run = await runOnce([sms()], { order: 'T-1' });
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(smsTo('Order T-1 is paid')).toHaveLength(1);
    const step = stepOf(run, 'sms');
    // One attempt: the lookup found what it had done.
    expect(step.attempts).toBe(1);
    expect(step.output).toMatchObject({ sid: smsTo('Order T-1 is paid')[0]!.sid, to: '+5511998765432' });
    // Looked up by the two addresses, not by DateSent (empty while a message is queued).
    const lookups = twilio.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Messages.json'));
    expect(lookups.length).toBeGreaterThan(0);
    const log = await messages(b, { connectionId: twilioConn.id });
    expect(log.filter((m) => m.runId === run.id).map((m) => m.providerMessageId)).toEqual([step.output && (step.output as { sid: string }).sid]);
  });

  it('a message that never reached Twilio (the connection dropped first) is looked up, not found, and sent', async () => {
    twilio.failNext(1, { drop: true });
    const run = await runOnce([sms()], { order: 'T-2' });
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(smsTo('Order T-2 is paid')).toHaveLength(1);
    expect(stepOf(run, 'sms').attempts).toBe(2);
  });
});

describe('RetailCRM: an order whose answer was lost is found by its externalId', () => {
  it('creates the order once', async () => {
    crm.loseNext(1, '/api/v5/orders/create');
    const before = crm.orders.length;
    const run = await runOnce([{ id: 'order', type: 'retailcrm.create_order', connectionId: crmConn.id, config: { firstName: 'Ana', phone: '+5511998765432' } }], { order: 'R-1' });
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(crm.orders.length - before).toBe(1);
    const order = crm.orders.at(-1)!;
    expect(order.externalId).toBe(`bundles-${run.id}-order`);
    expect(stepOf(run, 'order').output).toMatchObject({ id: order.id });
    expect(crm.requests.some((r) => r.method === 'GET' && r.query.by === 'externalId')).toBe(true);
  });
});

describe('a write nobody can be asked about ends uncertain', () => {
  const wa = (): FlowNode => ({ id: 'wa', type: 'whatsapp.send_text', connectionId: waConn.id, config: { to: '5511998765432', text: 'Hi {{ trigger.body.order }}' } });
  const after = (): FlowNode => ({ id: 'after', type: 'core.set', config: { fields: { next: 'went on' } } });

  async function uncertainRun(order: string) {
    whatsapp.failNext(1, { lostAnswer: true });
    const run = await runOnce([wa(), after()], { order });
    expect(run.status).toBe('uncertain');
    expect(stepStates(run)).toEqual(['trigger:succeeded', 'wa:uncertain']);
    expect(stepOf(run, 'wa').error).toMatchObject({ code: 'outcome_unknown', ambiguous: true, provider: 'whatsapp' });
    // Nothing sends it again by itself: no job waits to continue the run.
    expect((await jobsOf(b, run.id)).filter((j) => !j.locked)).toEqual([]);
    return run;
  }
  const sent = (order: string) => whatsapp.messages.filter((m) => JSON.stringify(m.body).includes(`Hi ${order}`));

  it('mark_done settles it as sent and the bundle goes on, without sending again', async () => {
    const run = await uncertainRun('W-1');
    expect(sent('W-1')).toHaveLength(1);
    // Listed apart while it waits for a person, and counted by the gauge from that list.
    const listed = async () => (await b.database.pool.query(`select 1 from uncertain_runs where run_id = $1`, [run.id])).rowCount;
    const gauge = async () => Number(/^bundles_runs\{status="uncertain"\} (\d+)$/m.exec((await b.app!.inject({ method: 'GET', url: '/metrics' })).body)?.[1]);
    expect(await listed()).toBe(1);
    const before = await gauge();
    expect(before).toBeGreaterThanOrEqual(1);
    const res = await b.api('POST', `/api/runs/${run.id}/steps/wa/resolve`, { action: 'mark_done', output: { messageId: 'wamid.checked-by-hand' } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await listed()).toBe(0);
    expect(await gauge()).toBe(before - 1);
    const done = await waitFor('the run to go on', async () => {
      const r = await runDetail(b, run.id);
      return r.status === 'succeeded' ? r : null;
    });
    expect(stepStates(done)).toEqual(['trigger:succeeded', 'wa:succeeded', 'after:succeeded']);
    expect(stepOf(done, 'wa')).toMatchObject({ resolution: 'marked_done', output: { messageId: 'wamid.checked-by-hand' } });
    expect(sent('W-1')).toHaveLength(1);
  });

  it('send_again sends it a second time, on request, and a settled step cannot be settled again', async () => {
    const run = await uncertainRun('W-2');
    expect((await b.api('POST', `/api/runs/${run.id}/steps/wa/resolve`, { action: 'send_again' })).status).toBe(200);
    const done = await waitFor('the run to go on', async () => {
      const r = await runDetail(b, run.id);
      return r.status === 'succeeded' ? r : null;
    });
    expect(stepOf(done, 'wa')).toMatchObject({ status: 'succeeded', resolution: 'sent_again' });
    expect(sent('W-2')).toHaveLength(2);
    const again = await b.api('POST', `/api/runs/${run.id}/steps/wa/resolve`, { action: 'mark_done' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('not_uncertain');
  });

  it('a POST answered 500 is not sent again unless the API honours Idempotency-Key', async () => {
    sink.script.push({ status: 500, body: '{"error":"db timeout"}' });
    const post = (idempotent: boolean): FlowNode => ({ id: 'erp', type: 'core.http_request', config: { url: `${sink.url}/orders`, body: { order: '{{ trigger.body.order }}' }, idempotent } });
    const plain = await runOnce([post(false)], { order: 'H-1' });
    expect(plain.status).toBe('uncertain');
    expect(stepOf(plain, 'erp').error).toMatchObject({ code: 'outcome_unknown', ambiguous: true });
    expect(sink.requests.filter((r) => r.body.includes('H-1'))).toHaveLength(1);

    sink.script.push({ status: 500, body: '{"error":"db timeout"}' });
    const safe = await runOnce([post(true)], { order: 'H-2' });
    expect(safe.status, JSON.stringify(safe.error)).toBe('succeeded');
    const calls = sink.requests.filter((r) => r.body.includes('H-2'));
    expect(calls).toHaveLength(2);
    expect(new Set(calls.map((r) => r.headers['idempotency-key']))).toEqual(new Set([`${safe.id}:erp`]));
  });
});

describe('a failure of our own database inside a step', () => {
  it('sends the run back to the queue instead of failing it, and the message goes out once', async () => {
    const store = b.runtime.connections;
    const get = store.get.bind(store);
    let failed = 0;
    store.get = (id: string) => {
      if (id === twilioConn.id && failed++ === 0) return Promise.reject(new Error('Connection terminated unexpectedly'));
      return get(id);
    };
    try {
      const run = await runOnce([sms()], { order: 'DB-1' });
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
      expect(failed).toBeGreaterThan(1);
      expect(smsTo('Order DB-1 is paid')).toHaveLength(1);
    } finally {
      store.get = get;
    }
  });
});

describe('what can never pass', () => {
  it.each([
    ['an unpaired surrogate in a text', '{"name":"\\ud800 broken"}', 'unpaired UTF-16 surrogate'],
    ['a NUL character in a field name', '{"a\\u0000b":1}', 'NUL character'],
  ])('an answer with %s fails the step once, with the reason, and is not called again', async (_what, answer, reason) => {
    sink.script.push({ status: 200, body: answer });
    const run = await runOnce([{ id: 'lookup', type: 'core.http_request', config: { method: 'GET', url: `${sink.url}/customer` } }], { order: 'U' });
    expect(run.status).toBe('failed');
    const step = stepOf(run, 'lookup');
    expect(step.error).toMatchObject({ code: 'unstorable_output', retryable: false });
    expect(step.error!.message).toContain(reason);
    expect(sink.requests).toHaveLength(1);
    expect((await jobsOf(b, run.id)).filter((j) => !j.locked)).toEqual([]);
  });

  it('a Retry-After of 10000000000000 seconds becomes a retry in an hour, not a crash and not a storm of calls', async () => {
    sink.script.push({ status: 429, headers: { 'retry-after': '10000000000000' }, body: '{"error":"slow down"}' });
    const { flowId, url } = await hookFlow([{ id: 'erp', type: 'core.http_request', config: { url: `${sink.url}/orders`, body: { order: 'RA' } } }]);
    expect((await postJson(url, { order: 'RA' })).status).toBe(200);
    const run = await waitFor('the retry to be scheduled', async () => {
      const [r] = (await b.api('GET', `/api/runs?flowId=${flowId}`)).body.items as Array<{ id: string; status: string }>;
      return r?.status === 'waiting' ? r : null;
    });
    const detail = await runDetail(b, run.id);
    expect(stepOf(detail, 'erp')).toMatchObject({ status: 'waiting', error: { code: 429, retryable: true } });
    const [job] = await jobsOf(b, run.id);
    const inMs = job!.runAt.getTime() - Date.now();
    expect(inMs).toBeGreaterThan(55 * 60_000);
    expect(inMs).toBeLessThanOrEqual(60 * 60_000);
    expect(sink.requests).toHaveLength(1);
  });
});

describe('every finished step is durable before a later write calls out, whatever the shape', () => {
  it('fan-out: while the second branch’s call is in flight, the first branch’s result and the attempt are written', async () => {
    // A sink of its own: its held answer is dropped when it closes, whatever the other tests do.
    const held = await startSink();
    try {
      held.script.push({ status: 201, body: '{"id":"a-ok"}' }, { status: 200, hang: true });
      const conn = await createConnection(b, 'webhook', 'Fan-out hook', {});
      const graph = {
        // trigger → a and trigger → b: two edges from the trigger.
        nodes: [
          { id: 'trigger', type: 'core.webhook', connectionId: conn.id, config: {} },
          { id: 'a', type: 'core.http_request', config: { url: `${held.url}/a`, body: { order: 'F' } } },
          { id: 'b', type: 'core.http_request', config: { url: `${held.url}/b`, body: { order: 'F' } } },
        ],
        edges: [
          { source: 'trigger', target: 'a' },
          { source: 'trigger', target: 'b' },
        ],
      };
      const flow = await b.api('POST', '/api/flows', { name: 'Fan-out', graph });
      expect((await b.api('POST', `/api/flows/${flow.body.id}/start`)).status).toBe(200);
      expect((await postJson(conn.webhookUrl!, { order: 'F' })).status).toBe(200);
      await waitFor('b to be in flight', async () => held.requests.some((r) => r.url === '/b'));
      const { rows } = await b.database.pool.query(
        `select s.node_id, s.status from steps s join runs r on r.id = s.run_id where r.flow_id = $1
         union all select j.node_id, 'running' from step_journal j join runs r on r.id = j.run_id where r.flow_id = $1 order by node_id`,
        [flow.body.id],
      );
      expect(rows).toEqual([
        { node_id: 'a', status: 'succeeded' },
        { node_id: 'b', status: 'running' },
      ]);
    } finally {
      await held.close();
    }
  });
});
