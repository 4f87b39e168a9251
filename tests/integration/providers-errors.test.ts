// Provider errors end to end: a permanent Twilio error fails the run at once; a 429 with Retry-After is
// retried after the wait and the run succeeds.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { deliverTwilioWebhook, startFakeTwilio, twilioInboundSms, type FakeTwilio } from '../fakes/twilio.js';
import { createConnection, startChainFlow, startProviderBundles, stepOf, stepStates, twilioConfig, waitForFinishedRuns, type ApiConnection } from '../support/providers.js';

let b: TestBundles;
let twilio: FakeTwilio;
let conn: ApiConnection;
let flowId: string;
const unsubscribed = '+5511900000001';

beforeAll(async () => {
  [b, twilio] = await Promise.all([startProviderBundles(), startFakeTwilio({ unsubscribed: [unsubscribed] })]);
  conn = await createConnection(b, 'twilio', 'Twilio SMS', twilioConfig(twilio));
  // An auto-reply: every SMS to our number is answered from it.
  flowId = await startChainFlow(b, 'SMS auto-reply', [
    { id: 'trigger', type: 'twilio.message_received', connectionId: conn.id, config: { channel: 'sms' } },
    { id: 'reply', type: 'twilio.send_sms', connectionId: conn.id, config: { from: '+15550002222', to: '{{ trigger.from }}', body: 'Got it: {{ trigger.body }}' } },
  ]);
});
afterAll(async () => {
  await b?.close();
  await twilio?.close();
});
beforeEach(() => twilio.reset());

const sends = () => twilio.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'));

describe('a permanent provider error', () => {
  it('fails the step with Twilio’s code and message, without a retry, and fails the run', async () => {
    const inbound = twilioInboundSms({ from: unsubscribed, body: 'STATUS A-17' });
    const hook = await deliverTwilioWebhook(conn.webhookUrl!, twilio.authToken, inbound);
    expect(hook.status).toBe(200);
    expect(hook.contentType).toContain('text/xml');

    const [run] = await waitForFinishedRuns(b, flowId, 1);
    expect(run!.status).toBe('failed');
    expect(stepStates(run!)).toEqual(['trigger:succeeded', 'reply:failed']);
    const step = stepOf(run!, 'reply');
    expect(step.attempts).toBe(1);
    expect(step.error).toEqual({ code: 21610, message: 'Attempt to send to unsubscribed recipient', retryable: false, provider: 'twilio' });
    expect(run!.error).toMatchObject({ code: 21610, message: 'reply: Attempt to send to unsubscribed recipient' });

    expect(sends()).toHaveLength(1);
    expect(sends()[0]!.form).toMatchObject({ To: unsubscribed, From: '+15550002222', Body: 'Got it: STATUS A-17' });
    expect(twilio.messages).toHaveLength(0);
    // Nothing is waiting to try again.
    await new Promise((r) => setTimeout(r, 300));
    expect(sends()).toHaveLength(1);
  });
});

describe('a rate-limited provider', () => {
  it('retries after Retry-After and succeeds on the second attempt', async () => {
    twilio.failNext(1, { status: 429, retryAfter: 1 });
    const hook = await deliverTwilioWebhook(conn.webhookUrl!, twilio.authToken, twilioInboundSms({ from: '+5511998765432', body: 'Hello' }));
    expect(hook.status).toBe(200);

    const runs = await waitForFinishedRuns(b, flowId, 2);
    const run = runs[1]!;
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(stepStates(run)).toEqual(['trigger:succeeded', 'reply:succeeded']);
    const step = stepOf(run, 'reply');
    expect(step.attempts).toBe(2);
    expect(step.error).toBeNull();
    expect(step.output).toMatchObject({ sid: twilio.messages[0]!.sid, status: 'queued', to: '+5511998765432', from: '+15550002222', segments: 1 });

    const [first, second] = sends();
    expect(sends()).toHaveLength(2);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(950);
    expect(twilio.messages).toHaveLength(1);
    expect(twilio.messages[0]).toMatchObject({ to: '+5511998765432', body: 'Got it: Hello' });
  });
});
