// Error bundles (core.error_trigger) end to end: a Twilio failure reaches the error bundle with Twilio's code,
// the failed run's bundle, version and page; filters by bundle and status hold; an error bundle's own failure
// starts no error bundle (no loops).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { deliverTwilioWebhook, startFakeTwilio, twilioInboundSms, type FakeTwilio } from '../fakes/twilio.js';
import { startSink, type Sink } from '../support/sink.js';
import { createConnection, listRuns, startChainFlow, startProviderBundles, twilioConfig, waitForFinishedRuns, type ApiConnection } from '../support/providers.js';

let b: TestBundles;
let twilio: FakeTwilio;
let sink: Sink;
let conn: ApiConnection;
let failing: string;
const unsubscribed = '+5511900000001';

const errorBundle = (name: string, config: Record<string, unknown>, path: string) =>
  startChainFlow(b, name, [
    { id: 'failed', type: 'core.error_trigger', config },
    {
      id: 'tell',
      type: 'core.http_request',
      config: {
        url: `${sink.url}${path}`,
        method: 'POST',
        body: { code: '{{ trigger.step.error.code }}', message: '{{ trigger.step.error.message }}', flow: '{{ trigger.run.flowName }}', run: '{{ trigger.run.id }}', url: '{{ trigger.url }}' },
      },
    },
  ]);
/** An error bundle that fails itself (a code step that throws), every time it runs. */
const brokenErrorBundle = (name: string, config: Record<string, unknown>) =>
  startChainFlow(b, name, [
    { id: 'failed', type: 'core.error_trigger', config },
    { id: 'oops', type: 'core.code', config: { input: {}, code: "throw new Error('broken on purpose')" } },
  ]);
const received = (path: string) => sink.requests.filter((r) => r.url === path).map((r) => JSON.parse(r.body) as Record<string, string>);

beforeAll(async () => {
  [b, twilio, sink] = await Promise.all([startProviderBundles(), startFakeTwilio({ unsubscribed: [unsubscribed] }), startSink()]);
  conn = await createConnection(b, 'twilio', 'Twilio SMS', twilioConfig(twilio));
  failing = await startChainFlow(b, 'SMS auto-reply', [
    { id: 'trigger', type: 'twilio.message_received', connectionId: conn.id, config: { channel: 'sms' } },
    { id: 'reply', type: 'twilio.send_sms', connectionId: conn.id, config: { from: '+15550002222', to: '{{ trigger.from }}', body: 'Got it' } },
  ]);
});
afterAll(async () => {
  await b?.close();
  await twilio?.close();
  await sink?.close();
});

describe('error bundles', () => {
  it('receive a provider failure with its code; filters hold; an error bundle’s own failure starts none', async () => {
    const any = await errorBundle('Tell me', {}, '/any');
    const onlyThis = await errorBundle('Only the auto-reply', { flows: [failing], statuses: ['failed'] }, '/this');
    const onlyUncertain = await errorBundle('Only uncertain', { statuses: ['uncertain'] }, '/uncertain');
    // Its run fails: that failure must start nothing.
    const broken = await brokenErrorBundle('Broken', { flows: [failing] });

    await deliverTwilioWebhook(conn.webhookUrl!, twilio.authToken, twilioInboundSms({ from: unsubscribed, body: 'one' }));
    const [failed] = await waitForFinishedRuns(b, failing, 1);
    expect(failed!.status).toBe('failed');
    const [told] = await waitForFinishedRuns(b, any, 1);
    expect(told!.status).toBe('succeeded');
    expect(received('/any')).toEqual([
      {
        code: '21610',
        message: 'Attempt to send to unsubscribed recipient',
        flow: 'SMS auto-reply',
        run: failed!.id,
        url: `${b.publicUrl.replace(/\/$/, '')}/bundles/${failing}?run=${failed!.id}`,
      },
    ]);
    // The error bundle's run is found by the failed run's id, and its trigger shows the version that failed.
    const trigger = told!.steps.find((s) => s.nodeId === 'failed')!.output as { run: { version: number; status: string }; step: { nodeId: string; type: string } };
    expect(trigger).toMatchObject({ run: { version: 1, status: 'failed' }, step: { nodeId: 'reply', type: 'twilio.send_sms' } });
    expect((await b.api('GET', `/api/runs?q=${failed!.id}`)).body.items.map((r: { flowId: string }) => r.flowId).sort()).toEqual([any, broken, onlyThis].sort());

    const [brokenRun] = await waitForFinishedRuns(b, broken, 1);
    expect(brokenRun!.status).toBe('failed');
    // A second failure of the auto-reply comes after the broken run's failure: once "any" has told of it,
    // a run started by the broken bundle's failure would be there too.
    await deliverTwilioWebhook(conn.webhookUrl!, twilio.authToken, twilioInboundSms({ from: unsubscribed, body: 'two' }));
    await waitForFinishedRuns(b, any, 2);
    await waitForFinishedRuns(b, onlyThis, 2);
    expect(received('/any').map((r) => r.flow)).toEqual(['SMS auto-reply', 'SMS auto-reply']);
    expect(received('/this')).toHaveLength(2);
    expect(await listRuns(b, onlyUncertain)).toEqual([]);
    expect(await listRuns(b, broken)).toHaveLength(2);
  });

  it('never feeds an error bundle its own failures', async () => {
    const self = await brokenErrorBundle('Self', {});
    await deliverTwilioWebhook(conn.webhookUrl!, twilio.authToken, twilioInboundSms({ from: unsubscribed, body: 'three' }));
    const [first] = await waitForFinishedRuns(b, self, 1);
    expect(first!.status).toBe('failed');
    // The next failure of the auto-reply comes after Self's own: its run is Self's second, and there is no third.
    await deliverTwilioWebhook(conn.webhookUrl!, twilio.authToken, twilioInboundSms({ from: unsubscribed, body: 'four' }));
    const runs = await waitForFinishedRuns(b, self, 2);
    expect(runs.map((r) => (r.steps.find((s) => s.nodeId === 'failed')!.output as { run: { flowId: string } }).run.flowId)).toEqual([failing, failing]);
    expect(await listRuns(b, self)).toHaveLength(2);
  });

});
