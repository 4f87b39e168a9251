// Outbound calls to private and local addresses are refused unless the operator allows them
// (BUNDLES_ALLOWED_HOSTS): an address in the URL, a name that resolves to loopback, a redirect to one
// (redirects are answers, never followed), and a provider's base URL override; refused for good.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '@bundles/server/testing';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { startSink, type Sink } from '../support/sink.js';
import { createConnection, startChainFlow, twilioConfig, waitForFinishedRuns } from '../support/providers.js';

let b: TestBundles;
let sink: Sink;
let twilio: FakeTwilio;
let redirector: http.Server;
let redirectorUrl = '';

beforeAll(async () => {
  // Only 127.0.0.2 is allowed: the sink and the fake Twilio on 127.0.0.1 are not.
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), { allowedHosts: ['127.0.0.2'] });
  [sink, twilio] = await Promise.all([startSink(), startFakeTwilio()]);
  redirector = http.createServer((_req, res) => res.writeHead(302, { location: `${sink.url}/after-redirect` }).end());
  await new Promise<void>((r) => redirector.listen(0, '127.0.0.2', r));
  redirectorUrl = `http://127.0.0.2:${(redirector.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await b?.close();
  await sink?.close();
  await twilio?.close();
  await new Promise((r) => redirector?.close(r));
});

async function httpStep(url: string) {
  const hook = await createConnection(b, 'webhook', `hook ${url}`, {});
  const flowId = await startChainFlow(b, `Call ${url}`, [
    { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {} },
    { id: 'call', type: 'core.http_request', config: { url, method: 'POST' } },
  ]);
  await fetch(hook.webhookUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const [run] = await waitForFinishedRuns(b, flowId, 1);
  return run!.steps.find((s) => s.nodeId === 'call')!;
}

describe('outbound calls to private and local addresses', () => {
  it('refuses an address in the URL and a name that resolves to loopback, once, for good', async () => {
    const port = new URL(sink.url).port;
    for (const url of [`http://127.0.0.1:${port}/direct`, `http://localhost:${port}/by-name`, `http://[::ffff:127.0.0.1]:${port}/mapped`]) {
      const step = await httpStep(url);
      expect(step.status, url).toBe('failed');
      expect(step.attempts, url).toBe(1);
      expect(step.error, url).toMatchObject({ code: 'address_not_allowed', retryable: false });
    }
    expect(sink.requests).toEqual([]);
  });

  it('calls an allowed address, and does not follow its redirect to a refused one', async () => {
    const step = await httpStep(`${redirectorUrl}/go`);
    // The allowed server answered (302): the redirect is its answer, not a call to where it points.
    expect(step.status).toBe('failed');
    expect(JSON.stringify(step.error)).toContain('302');
    expect(sink.requests.filter((r) => r.url === '/after-redirect')).toEqual([]);
  });

  it('refuses a provider base URL override that points at a local address (the Twilio SDK transport)', async () => {
    const conn = await createConnection(b, 'twilio', 'Twilio on loopback', twilioConfig(twilio));
    const hook = await createConnection(b, 'webhook', 'sms hook', {});
    const flowId = await startChainFlow(b, 'SMS to loopback', [
      { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {} },
      { id: 'sms', type: 'twilio.send_sms', connectionId: conn.id, config: { from: '+15550002222', to: '+15550001111', body: 'hi' } },
    ]);
    await fetch(hook.webhookUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const [run] = await waitForFinishedRuns(b, flowId, 1);
    const sms = run!.steps.find((s) => s.nodeId === 'sms')!;
    expect(sms).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'address_not_allowed', retryable: false } });
    expect(twilio.requests).toEqual([]);
  });
});
