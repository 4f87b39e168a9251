// A send's input is stored once: an SMS whose input is just its recipient, sender and text keeps no input
// of its own (the message log holds them) and the run view shows it rebuilt from that message; an input
// with anything more (a segment cap) is stored as it was; two sends of one run each get their own back.
// Its output's recipient and sender are the message's too: stored without them, read back whole by the run
// view and by a run that resumes after a delay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { createConnection, postJson, runDetail, startChainFlow, startProviderBundles, stepOf, twilioConfig, waitForFinishedRuns, type ApiConnection } from '../support/providers.js';

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

let n = 0;
async function runOnce(nodes: Array<{ id: string; config: Record<string, unknown> }>) {
  const hook = await createConnection(b, 'webhook', `Hook ${++n}`, {});
  const flowId = await startChainFlow(b, `Input once ${n}`, [
    { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {} },
    ...nodes.map((x) => ({ ...x, type: 'twilio.send_sms', connectionId: sms.id })),
  ]);
  expect((await postJson(hook.webhookUrl!, { order: `A-${n}` })).status).toBe(200);
  const [run] = await waitForFinishedRuns(b, flowId);
  expect(run!.status).toBe('succeeded');
  const stored = await b.database.pool.query<{ node_id: string; input: unknown }>(`select node_id, input from steps where run_id = $1 order by node_id`, [run!.id]);
  return { detail: await runDetail(b, run!.id), stored: Object.fromEntries(stored.rows.map((r) => [r.node_id, r.input])) };
}

describe('a send’s input, stored once', () => {
  it('keeps no input for an SMS that is just recipient, sender and text, and the run view rebuilds it', async () => {
    const { detail, stored } = await runOnce([{ id: 'sms', config: { from: '+15550002222', to: '+15550001111', body: 'Order {{ trigger.body.order }} is paid' } }]);
    expect(stored).toEqual({ sms: null });
    expect(stepOf(detail, 'sms').input).toEqual({ to: '+15550001111', from: '+15550002222', body: `Order A-${n} is paid` });
  });

  it('keeps the input of an SMS with a segment cap (the message log does not hold the cap)', async () => {
    const config = { from: '+15550002222', to: '+15550001111', body: 'Short', maxSegments: 2 };
    const { detail, stored } = await runOnce([{ id: 'sms', config }]);
    expect(stored).toEqual({ sms: config });
    expect(stepOf(detail, 'sms').input).toEqual(config);
  });

  it('keeps an input the provider would change (a number not in E.164 is sent normalised)', async () => {
    const { detail, stored } = await runOnce([{ id: 'sms', config: { from: '+15550002222', to: '+1 (555) 000-1111', body: 'Hi' } }]);
    expect(stored).toEqual({ sms: { from: '+15550002222', to: '+1 (555) 000-1111', body: 'Hi' } });
    expect(stepOf(detail, 'sms').input).toEqual({ from: '+15550002222', to: '+1 (555) 000-1111', body: 'Hi' });
  });

  it('gives each of two sends of one run its own message back', async () => {
    const { detail, stored } = await runOnce([
      { id: 'first', config: { from: '+15550002222', to: '+15550001111', body: 'One' } },
      { id: 'second', config: { from: '+15550002222', to: '+15550003333', body: 'Two' } },
    ]);
    expect(stored).toEqual({ first: null, second: null });
    expect(stepOf(detail, 'first').input).toEqual({ from: '+15550002222', to: '+15550001111', body: 'One' });
    expect(stepOf(detail, 'second').input).toEqual({ from: '+15550002222', to: '+15550003333', body: 'Two' });
  });
});

describe('a send’s output, its message’s fields stored once', () => {
  it('stores the output without recipient and sender; the run view and a resumed run read them back', async () => {
    const hook = await createConnection(b, 'webhook', `Hook ${++n}`, {});
    const flowId = await startChainFlow(b, `Output once ${n}`, [
      { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {} },
      { id: 'sms', type: 'twilio.send_sms', connectionId: sms.id, config: { from: '+15550002222', to: '+15550001111', body: 'Paid' } },
      // The run goes on from a job after the delay: what it knows of the SMS is read back from the database.
      { id: 'wait', type: 'core.delay', config: { seconds: 1 } },
      { id: 'shape', type: 'core.set', config: { fields: { to: '{{ steps.sms.to }}', from: '{{ steps.sms.from }}', sid: '{{ steps.sms.sid }}' } } },
    ]);
    expect((await postJson(hook.webhookUrl!, { order: `B-${n}` })).status).toBe(200);
    const [run] = await waitForFinishedRuns(b, flowId);
    expect(run!.status).toBe('succeeded');
    const { rows } = await b.database.pool.query<{ output: Record<string, unknown> }>(`select output from steps where run_id = $1 and node_id = 'sms'`, [run!.id]);
    const sid = rows[0]!.output.sid as string;
    expect(sid).toMatch(/^SM/);
    expect(Object.keys(rows[0]!.output).sort()).toEqual(['dateCreated', 'segments', 'sid', 'status']);
    const detail = await runDetail(b, run!.id);
    expect(stepOf(detail, 'sms').output).toEqual({ ...rows[0]!.output, to: '+15550001111', from: '+15550002222' });
    expect(stepOf(detail, 'shape').output).toEqual({ to: '+15550001111', from: '+15550002222', sid });
  });
});
