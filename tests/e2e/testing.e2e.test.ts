// Testing before going live, in a real browser as a user clicks: an event received while the bundle was
// stopped is pinned behind the field picker, the SMS step is tested with its send stubbed (the fake Twilio
// sees nothing), then tested again with "Send for real" (the fake sees exactly that one). Neither test reaches
// the message log. Screenshots go to test-results/screenshots/testing-*.png.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@bundles/server/testing';
import type { Page } from 'playwright-core';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { twilioConfig } from '../support/providers.js';
import { waitFor } from '../support/wait.js';
import { type BrowserSession, openBrowser, setUpOwner } from './support/browser.js';
import { ensureEditorBuilt, startServer, type RunningServer } from './support/server.js';

const TO = '+15550001111';
let backend: RunningServer;
let twilio: FakeTwilio;
let session: BrowserSession;
let page: Page;
let flowId = '';

async function call(method: string, path: string, data?: unknown) {
  const res = await page.request.fetch(path, { method, ...(data !== undefined ? { data } : {}) });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return res.json();
}

describe('testing a draft in the browser', () => {
  beforeAll(async () => {
    twilio = await startFakeTwilio();
    await ensureEditorBuilt();
    backend = await startServer(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
    session = await openBrowser(backend.url, { screenshotPrefix: 'testing' });
    page = session.page;
    await setUpOwner(page);
    await page.getByTestId('nav-bundles').waitFor();
    const hook = await call('POST', '/api/connections', { provider: 'webhook', name: 'Loja', config: {} });
    const sms = await call('POST', '/api/connections', { provider: 'twilio', name: 'Twilio loja', config: twilioConfig(twilio) });
    const graph = {
      nodes: [
        { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {}, position: { x: 0, y: 0 } },
        { id: 'send_sms', type: 'twilio.send_sms', connectionId: sms.id, config: { from: '+15550002222', to: '{{ trigger.body.phone }}', body: 'Pedido {{ trigger.body.order }} pago' }, position: { x: 320, y: 0 } },
      ],
      edges: [{ source: 'trigger', target: 'send_sms' }],
    };
    flowId = (await call('POST', '/api/flows', { name: 'Pedido pago → SMS', graph })).id;
    // Never started: the event is kept all the same, and can be replayed by a test.
    const res = await fetch(hook.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ order: '7001', phone: TO }) });
    expect(res.status).toBe(200);
    await waitFor('the event is listed for the bundle', async () => (await call('GET', `/api/flows/${flowId}/events`)).length === 1);
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await backend?.stop();
    await twilio?.close();
  });

  it('pins an event received while stopped behind the field picker', async () => {
    await page.goto(`/bundles/${flowId}`);
    await page.getByTestId('node-send_sms').click();
    await page.getByTestId('tab-test').click();
    await page.getByTestId('test-event').waitFor();
    expect(await page.getByTestId('test-event').locator('option').first().textContent()).toContain('did not run');
    await page.getByTestId('pin-event').click();
    await page.getByTestId('pinned-tag').waitFor();
    await page.getByTestId('tab-inspect').click();
    await page.getByTestId('picker-pinned').waitFor();
    await page.getByTestId('field-body-insert').click();
    // The webhook's body has no declared fields: they come from the pinned event, with its values.
    const field = page.getByTestId('picker-field-trigger.body.order');
    await field.waitFor();
    expect(await field.textContent()).toContain('7001');
    await session.screenshot('pinned-event');
    await page.keyboard.press('Escape');
  }, 90_000);

  it('tests the SMS step with its send stubbed: nothing reaches Twilio', async () => {
    await page.getByTestId('tab-test').click();
    await page.getByTestId('test-step').click();
    const result = page.getByTestId('test-run-result');
    await expect.poll(() => result.getAttribute('data-status')).toBe('succeeded');
    await page.getByTestId('test-stubbed-send_sms').waitFor();
    await page.getByTestId('canvas-test-banner').waitFor();
    expect(await page.getByTestId('node-send_sms').getAttribute('data-status')).toBe('succeeded');
    await session.screenshot('stubbed');
  }, 90_000);

  it('tests it again with "Send for real": Twilio gets that one message, the message log none', async () => {
    await page.getByTestId('test-live').check();
    await page.getByTestId('test-step').click();
    await expect.poll(() => page.getByTestId('test-run-result').textContent()).toContain('sent for real');
    expect(await page.getByTestId('test-stubbed-send_sms').count()).toBe(0);
    // The only message the fake ever got is this one: the stubbed test before it sent nothing.
    await waitFor('one SMS at the fake', async () => twilio.messages.length === 1);
    expect(twilio.messages.map((m) => [m.to, m.body])).toEqual([[TO, 'Pedido 7001 pago']]);
    expect(twilio.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    const log = await call('GET', '/api/messages');
    expect((log.items ?? log).filter((m: { direction: string }) => m.direction === 'outbound')).toEqual([]);
    await session.screenshot('sent-for-real');
    expect(session.errors).toEqual([]);
  }, 90_000);
});
