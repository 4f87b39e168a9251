// Tests of a draft (POST /api/flows/:id/test) against the fake Twilio: an event received while the bundle was
// never started is replayed with the SMS stubbed (Twilio sees nothing), then sent for real (Twilio sees that
// one, the message log and the daily send cap see none); a step tested alone takes what runs before it from
// the event's real run; only the nodes a test runs must be valid; provider errors keep their own code.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '@bundles/server/testing';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { createConnection, postJson, twilioConfig, waitForFinishedRuns, type ApiConnection } from '../support/providers.js';
import { waitFor } from '../support/wait.js';

let b: TestBundles;
let twilio: FakeTwilio;
let hook: ApiConnection;
let otherHook: ApiConnection;
let sms: ApiConnection;

const PHONE = '+5511977000001';
const graph = (greeting: string, body = '{{ steps.shape.greeting }} pago') => ({
  nodes: [
    { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {}, position: { x: 0, y: 0 } },
    { id: 'shape', type: 'core.set', config: { fields: { greeting, phone: '{{ trigger.body.phone }}' } }, position: { x: 300, y: 0 } },
    { id: 'sms', type: 'twilio.send_sms', connectionId: sms.id, config: { from: '+15550002222', to: '{{ steps.shape.phone }}', body }, position: { x: 600, y: 0 } },
  ],
  edges: [
    { source: 'trigger', target: 'shape' },
    { source: 'shape', target: 'sms' },
  ],
});

async function newFlow(name: string, g = graph('Pedido {{ trigger.body.order }}')): Promise<string> {
  const res = await b.api('POST', '/api/flows', { name, graph: g });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function recordedEvents(flowId: string, count: number) {
  return waitFor(`${count} recorded event(s)`, async () => {
    const res = await b.api('GET', `/api/flows/${flowId}/events`);
    return res.body.length >= count ? (res.body as Array<{ id: string; runId: string | null; payload: { body: { order: string } } }>) : null;
  });
}

const count = async (sql: string) => Number((await b.database.pool.query(sql)).rows[0].n);
const sentTo = (phone: string) => twilio.messages.filter((m) => m.to === phone).map((m) => m.body);

beforeAll(async () => {
  [b, twilio] = await Promise.all([startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'))), startFakeTwilio()]);
  hook = await createConnection(b, 'webhook', 'Loja', {});
  otherHook = await createConnection(b, 'webhook', 'Outra loja', {});
  // A daily cap of 1: two sends for real in tests would be refused if tests counted against it.
  sms = await createConnection(b, 'twilio', 'Twilio', { ...twilioConfig(twilio), dailyCap: 1, atCap: 'fail' });
});
afterAll(async () => {
  await b?.close();
  await twilio?.close();
});

describe('testing a draft', () => {
  it('replays an event received while never started, the send stubbed, then for real; never counted', async () => {
    const flowId = await newFlow('Never started');
    expect((await postJson(hook.webhookUrl!, { order: '7001', phone: PHONE })).status).toBe(200);
    const [event] = await recordedEvents(flowId, 1);
    expect(event).toMatchObject({ runId: null, payload: { body: { order: '7001' } } });

    const stubbed = await b.api('POST', `/api/flows/${flowId}/test`, { eventId: event!.id });
    expect(stubbed.status, JSON.stringify(stubbed.body)).toBe(200);
    expect(stubbed.body).toMatchObject({ test: true, status: 'succeeded', live: false, eventId: event!.id, nodeId: null });
    const steps = Object.fromEntries((stubbed.body.steps as Array<{ nodeId: string; output: object }>).map((s) => [s.nodeId, s]));
    expect(steps.shape).toMatchObject({ status: 'succeeded', output: { greeting: 'Pedido 7001', phone: PHONE }, stubbed: false });
    expect(steps.sms).toMatchObject({ status: 'succeeded', stubbed: true, input: { to: PHONE, body: 'Pedido 7001 pago' } });
    expect(Object.keys(steps.sms!.output)).toContain('sid');

    const live = await b.api('POST', `/api/flows/${flowId}/test`, { eventId: event!.id, live: true });
    expect(live.body).toMatchObject({ status: 'succeeded', live: true });
    expect(live.body.steps.find((s: { nodeId: string }) => s.nodeId === 'sms')).toMatchObject({ stubbed: false, output: { sid: expect.stringMatching(/^SM/) } });
    // The first message Twilio ever got for this number is the live test's: the stubbed one sent nothing.
    await waitFor('the live test at the fake', async () => sentTo(PHONE).length === 1);
    expect(sentTo(PHONE)).toEqual(['Pedido 7001 pago']);
    // A second send for real goes out although the cap is 1: tests are not counted.
    expect((await b.api('POST', `/api/flows/${flowId}/test`, { eventId: event!.id, live: true })).body.status).toBe('succeeded');
    expect(sentTo(PHONE)).toHaveLength(2);
    expect(await count(`select count(*) as n from send_counts`)).toBe(0);
    expect(await count(`select count(*) as n from messages where direction = 'outbound'`)).toBe(0);

    // Not a run: absent from the runs list, shown by id, and listed with the bundle's tests.
    expect((await b.api('GET', `/api/runs?flowId=${flowId}`)).body.items).toEqual([]);
    const shown = await b.api('GET', `/api/runs/${stubbed.body.id}`);
    expect(shown.body).toMatchObject({ id: stubbed.body.id, test: true, status: 'succeeded' });
    const listed = await b.api('GET', `/api/flows/${flowId}/tests`);
    expect(listed.body.map((t: { id: string }) => t.id)).toContain(stubbed.body.id);
  });

  it("tests one step with what runs before it taken from the event's real run", async () => {
    const flowId = await newFlow('Started');
    expect((await b.api('POST', `/api/flows/${flowId}/start`)).status).toBe(200);
    const phone = '+5511977000002';
    expect((await postJson(hook.webhookUrl!, { order: '7002', phone })).status).toBe(200);
    await waitForFinishedRuns(b, flowId, 1);
    expect(sentTo(phone)).toEqual(['Pedido 7002 pago']);
    // The draft now shapes another greeting: a step test still starts from what the run produced.
    expect((await b.api('PUT', `/api/flows/${flowId}`, { graph: graph('Novo {{ trigger.body.order }}') })).status).toBe(200);
    const [event] = await recordedEvents(flowId, 1);
    expect(event!.runId).not.toBeNull();
    const res = await b.api('POST', `/api/flows/${flowId}/test`, { eventId: event!.id, nodeId: 'sms' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const byId = Object.fromEntries((res.body.steps as Array<{ nodeId: string }>).map((s) => [s.nodeId, s]));
    expect(byId.shape).toMatchObject({ recorded: true, output: { greeting: 'Pedido 7002' } });
    expect(byId.sms).toMatchObject({ stubbed: true, input: { body: 'Pedido 7002 pago' } });
    // The whole draft, tested, runs the new greeting.
    const whole = await b.api('POST', `/api/flows/${flowId}/test`, { eventId: event!.id });
    expect(whole.body.steps.find((s: { nodeId: string }) => s.nodeId === 'shape')).toMatchObject({ recorded: false, output: { greeting: 'Novo 7002' } });
    expect(sentTo(phone)).toEqual(['Pedido 7002 pago']);
  });

  it('requires valid only what the test runs; refuses events of another trigger, unknown events and a wrong body', async () => {
    const flowId = await newFlow('Half built', graph('Olá {{ trigger.body.order }}', ''));
    const whole = await b.api('POST', `/api/flows/${flowId}/test`, { payload: { body: { order: '1' } } });
    expect(whole.status).toBe(422);
    expect(whole.body.error.code).toBe('invalid_flow');
    expect(whole.body.error.details.issues).toContainEqual(expect.objectContaining({ nodeId: 'sms', field: 'body' }));
    const shapeOnly = await b.api('POST', `/api/flows/${flowId}/test`, { payload: { body: { order: '1', phone: PHONE } }, nodeId: 'shape' });
    expect(shapeOnly.status, JSON.stringify(shapeOnly.body)).toBe(200);
    expect(shapeOnly.body.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(['trigger', 'shape']);

    expect((await postJson(otherHook.webhookUrl!, { order: '9' })).status).toBe(200);
    const other = await waitFor('the other hook event', async () => (await b.database.pool.query('select id from events where connection_id = $1', [otherHook.id])).rows[0]?.id as string | undefined);
    const wrongTrigger = await b.api('POST', `/api/flows/${flowId}/test`, { eventId: other, nodeId: 'shape' });
    expect(wrongTrigger.status).toBe(422);
    expect(wrongTrigger.body.error).toMatchObject({ code: 'invalid_test', details: { issues: [{ field: 'eventId' }] } });
    expect((await b.api('POST', `/api/flows/${flowId}/test`, { eventId: '00000000-0000-4000-8000-000000000000', nodeId: 'shape' })).status).toBe(404);
    for (const body of [{}, { eventId: other, payload: {} }]) {
      const res = await b.api('POST', `/api/flows/${flowId}/test`, body);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('invalid_test');
    }
    expect((await b.api('POST', `/api/flows/${flowId}/test`, { payload: {}, nodeId: 'nope' })).body.error.code).toBe('invalid_test');
  });

  it("shows a provider's refusal on the step with Twilio's own code and message", async () => {
    const flowId = await newFlow('Refused');
    twilio.failNext(1, { status: 400, code: 21211, message: "The 'To' number +5511977000009 is not a valid phone number." });
    const res = await b.api('POST', `/api/flows/${flowId}/test`, { payload: { body: { order: '8', phone: '+5511977000009' } }, live: true });
    expect(res.body.status).toBe('failed');
    expect(res.body.steps.find((s: { nodeId: string }) => s.nodeId === 'sms')).toMatchObject({
      status: 'failed',
      error: { code: 21211, message: "The 'To' number +5511977000009 is not a valid phone number.", provider: 'twilio' },
    });
  });
});
