// The editor end to end, for what a person decides and what a node borrows: a WhatsApp message whose
// answer was lost leaves its run uncertain, and a click on "Mark as done" lets the bundle finish without
// sending it twice; an HTTP request node gets an HTTP API connection made from the inspector. Runs the
// real server and the fake WhatsApp; screenshots go to test-results/screenshots/uncertain-*.png.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@bundles/server/testing';
import type { Page } from 'playwright-core';
import { startFakeWhatsApp, type FakeWhatsApp } from '../fakes/whatsapp.js';
import { whatsappConfig } from '../support/providers.js';
import { type BrowserSession, center, dragTo, openBrowser, setUpOwner } from './support/browser.js';
import { ensureEditorBuilt, startServer, type RunningServer } from './support/server.js';

const CUSTOMER = '5511998765432';

let backend: RunningServer;
let whatsapp: FakeWhatsApp;
let session: BrowserSession;
let page: Page;
let hook: { id: string; webhookUrl: string };

/** The API as the logged-in browser calls it (it shares the page's session cookie). */
async function callApi<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  const res = await page.request.fetch(path, { method, data: body });
  const text = await res.text();
  expect(res.ok(), `${method} ${path}: ${res.status()} ${text}`).toBe(true);
  return JSON.parse(text) as T;
}

const createConnection = (provider: string, name: string, config: Record<string, unknown>) =>
  callApi<{ id: string; webhookUrl: string | null }>('POST', '/api/connections', { provider, name, config });

async function createFlow(name: string, graph: { nodes: unknown[]; edges: unknown[] }, start: boolean): Promise<string> {
  const flow = await callApi<{ id: string }>('POST', '/api/flows', { name, graph });
  if (start) await callApi('POST', `/api/flows/${flow.id}/start`);
  return flow.id;
}

async function openBundle(flowId: string) {
  await page.goto(`/bundles/${flowId}`);
  await page.getByTestId('editor').waitFor();
  await page.locator('.react-flow__pane').waitFor();
}

describe('editor end to end: uncertain runs and HTTP API connections', () => {
  beforeAll(async () => {
    whatsapp = await startFakeWhatsApp();
    await ensureEditorBuilt();
    backend = await startServer(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
    session = await openBrowser(backend.url, { screenshotPrefix: 'uncertain' });
    page = session.page;
    await setUpOwner(page);
    await page.getByTestId('create-first-bundle').waitFor();
    const created = await createConnection('webhook', 'Shop hook', {});
    hook = { id: created.id, webhookUrl: created.webhookUrl ?? '' };
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await backend?.stop();
    await whatsapp?.close();
  }, 60_000);

  it('shows a run whose WhatsApp answer was lost as uncertain, and finishes it with "Mark as done"', async () => {
    const wa = await createConnection('whatsapp', 'Shop WhatsApp', whatsappConfig(whatsapp));
    const flowId = await createFlow(
      'Webhook → WhatsApp',
      {
        nodes: [
          { id: 'webhook', type: 'core.webhook', connectionId: hook.id, config: {}, position: { x: 0, y: 0 } },
          { id: 'send_text', type: 'whatsapp.send_text', connectionId: wa.id, config: { to: CUSTOMER, text: 'Order {{ trigger.body.order }} is on its way' }, position: { x: 320, y: 0 } },
        ],
        edges: [{ source: 'webhook', target: 'send_text' }],
      },
      true,
    );
    // WhatsApp takes the message and the answer never arrives: nobody can ask it whether it went out.
    whatsapp.failNext(1, { lostAnswer: true });
    const res = await fetch(hook.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ order: 'A-17' }) });
    expect(res.status).toBeLessThan(300);

    await openBundle(flowId);
    await page.getByTestId('tab-runs').click();
    const row = page.locator('[data-testid^="run-row-"]').first();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('uncertain');
    expect(await row.textContent()).toContain('Needs your decision');
    await row.click();

    const step = page.getByTestId('step-send_text');
    await expect.poll(() => step.getAttribute('data-status')).toBe('uncertain');
    expect(await page.getByTestId('run-uncertain-banner').textContent()).toContain('Uncertain — may or may not have been sent');
    expect((await page.getByTestId('step-error-send_text').textContent())?.trim()).not.toBe('');
    await page.getByTestId('step-send-again-send_text').waitFor();
    expect(await page.getByTestId('node-send_text').getAttribute('data-status')).toBe('uncertain');
    await page.getByTestId('uncertain-actions-send_text').scrollIntoViewIfNeeded();
    await session.screenshot('run-uncertain');
    expect(whatsapp.messages).toHaveLength(1);

    await page.getByTestId('step-mark-done-send_text').click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByTestId('confirm-ok').click();
    await page.getByText('Marked as done: the run goes on').waitFor();
    await expect.poll(() => page.getByTestId('run-summary').getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    await expect.poll(() => step.getAttribute('data-status')).toBe('succeeded');
    expect(await step.getByTestId('step-resolution').textContent()).toBe('Marked done by hand');
    await expect.poll(() => page.getByTestId('node-send_text').getAttribute('data-status')).toBe('succeeded');
    await session.screenshot('run-marked-done');
    // Settled by hand: the message was not sent a second time.
    expect(whatsapp.messages).toHaveLength(1);
    await page.getByTestId('run-close').click();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('succeeded');
  }, 120_000);

  it('gives an HTTP request node an HTTP API connection made from the inspector, and saves it', async () => {
    // One already exists: an optional connection is still not chosen by itself (it would send credentials unasked).
    await createConnection('http', 'Old ERP', { authType: 'bearer', token: 'old-token' });
    const flowId = await createFlow('Webhook → ERP', { nodes: [{ id: 'webhook', type: 'core.webhook', connectionId: hook.id, config: {}, position: { x: 0, y: 120 } }], edges: [] }, false);
    await openBundle(flowId);

    await page.getByTestId('palette-search').fill('HTTP');
    await page.getByTestId('palette-item-core.http_request').dragTo(page.locator('.react-flow__pane'), { targetPosition: { x: 380, y: 180 } });
    const node = page.getByTestId('node-http_request');
    await node.waitFor();
    await page.getByTestId('palette-search').fill('');
    await dragTo(page, await center(page, '[data-testid="node-webhook"] .react-flow__handle.source'), await center(page, '[data-testid="node-http_request"] .react-flow__handle.target'));
    await page.locator('[data-testid^="rf__edge-"]').first().waitFor({ state: 'attached' });
    expect(await node.textContent()).not.toContain('no connection');

    await node.click();
    const picker = page.getByTestId('connection-picker');
    expect(await picker.inputValue()).toBe('');
    expect(await picker.locator('option').first().textContent()).toBe('No connection (no credentials)');
    await picker.selectOption('__new');
    const modal = page.getByTestId('connection-modal');
    await modal.getByRole('heading', { name: 'New HTTP API connection' }).waitFor();
    expect(await modal.locator('#conn-authType').inputValue()).toBe('"bearer"');
    await modal.getByTestId('connection-name').fill('ERP API');
    await modal.locator('#conn-token').fill('sk_test_erp_123');
    await modal.locator('#conn-baseUrl').fill('https://erp.example.com');
    await session.screenshot('http-connection-new');
    await modal.getByTestId('connection-save').click();
    await modal.waitFor({ state: 'detached' });
    await expect.poll(async () => picker.locator('option:checked').textContent()).toBe('ERP API');

    await page.getByTestId('field-url').fill('/orders');
    await session.screenshot('http-request-connection');
    await page.getByTestId('save').click();
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('All changes saved');

    const connections = await callApi<Array<{ id: string; provider: string; name: string; secretsSet: string[] }>>('GET', '/api/connections');
    const erp = connections.find((c) => c.name === 'ERP API');
    expect(erp).toMatchObject({ provider: 'http', secretsSet: ['token'] });
    const flow = await callApi<{ graph: { nodes: Array<{ id: string; connectionId?: string | null; config: Record<string, unknown> }> } }>('GET', `/api/flows/${flowId}`);
    expect(flow.graph.nodes.find((n) => n.id === 'http_request')).toMatchObject({ connectionId: erp?.id, config: { url: '/orders' } });
    expect(session.errors).toEqual([]);
  }, 120_000);
});
