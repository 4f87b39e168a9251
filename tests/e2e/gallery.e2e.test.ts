// The "New bundle" gallery in a browser: a ready bundle used with one connection chosen and one created in
// place (the canvas opens pre-wired, and it starts), and "From a source to a target" wiring Twilio → Twilio
// with the sender and the text mapped. Real server, fake Twilio, RetailCRM and Tokopedia; screenshots go to
// test-results/screenshots/gallery-*.png.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@bundles/server/testing';
import type { Page } from 'playwright-core';
import { startFakeRetailcrm, type FakeRetailcrm } from '../fakes/retailcrm.js';
import { startFakeTokopedia, type FakeTokopedia } from '../fakes/tokopedia.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { tokopediaConfig, twilioConfig } from '../support/providers.js';
import { type BrowserSession, openBrowser, setUpOwner } from './support/browser.js';
import { ensureEditorBuilt, startServer, type RunningServer } from './support/server.js';

let backend: RunningServer;
let twilio: FakeTwilio;
let crm: FakeRetailcrm;
let tkpd: FakeTokopedia;
let session: BrowserSession;
let page: Page;

async function apiJson(method: string, url: string, data?: unknown) {
  const res = await page.request.fetch(url, { method, ...(data !== undefined ? { data } : {}) });
  return { status: res.status(), body: JSON.parse((await res.text()) || 'null') };
}

describe('New bundle: the gallery', () => {
  beforeAll(async () => {
    [twilio, crm, tkpd] = await Promise.all([startFakeTwilio({ numbers: [{ phoneNumber: '+15550002222', friendlyName: 'Shop line' }] }), startFakeRetailcrm(), startFakeTokopedia()]);
    await ensureEditorBuilt();
    backend = await startServer(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
    session = await openBrowser(backend.url, { screenshotPrefix: 'gallery' });
    page = session.page;
    await setUpOwner(page);
    await page.getByTestId('create-first-bundle').waitFor();
    for (const [provider, name, config] of [
      ['tokopedia', 'Toko Budi', tokopediaConfig(tkpd)],
      ['twilio', 'Twilio shop line', twilioConfig(twilio)],
    ] as const) {
      const res = await apiJson('POST', '/api/connections', { provider, name, config });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await backend?.stop();
    await Promise.all([twilio?.close(), crm?.close(), tkpd?.close()]);
  }, 60_000);

  it('uses a ready bundle: the only Tokopedia connection chosen, RetailCRM created in place; the canvas opens wired and it starts', async () => {
    await page.getByTestId('create-first-bundle').click();
    await page.getByTestId('new-bundle-page').waitFor();
    const card = page.getByTestId('template-tokopedia-chat-retailcrm-lead');
    await card.waitFor();
    expect(await page.getByTestId('template-list').locator('.gallery-card').count()).toBeGreaterThanOrEqual(8);
    await session.screenshot('gallery');

    await card.click();
    const dialog = page.getByTestId('template-dialog');
    await dialog.waitFor();
    expect(await dialog.getByTestId('role-tokopedia').inputValue()).not.toBe('');
    await dialog.getByTestId('role-crm').selectOption('__new');
    const modal = page.getByTestId('connection-modal');
    await modal.getByTestId('connection-name').fill('RetailCRM shop');
    await modal.locator('#conn-domain').fill('myshop.retailcrm.ru');
    await modal.locator('#conn-apiKey').fill(crm.apiKey);
    await modal.locator('#conn-baseUrl').fill(crm.url);
    await modal.getByTestId('connection-save').click();
    await modal.waitFor({ state: 'detached' });
    expect(await dialog.getByTestId('role-crm').locator('option:checked').textContent()).toBe('RetailCRM shop');
    await session.screenshot('template-connections');

    await dialog.getByTestId('template-use').click();
    await page.getByTestId('editor').waitFor();
    await page.locator('.react-flow__node').nth(3).waitFor();
    expect(await page.locator('.react-flow__node').count()).toBe(4);
    expect(await page.locator('.react-flow__edge').count()).toBe(3);
    await session.screenshot('template-canvas');

    const flowId = new URL(page.url()).pathname.split('/').pop()!;
    const started = await apiJson('POST', `/api/flows/${flowId}/start`);
    expect(started.status, JSON.stringify(started.body)).toBe(200);
  }, 90_000);

  it('From a source to a target: Twilio message → Twilio SMS, sender into To, text into the body, From from the account', async () => {
    await page.getByTestId('nav-bundles').click();
    await page.getByTestId('create-bundle').click();
    await page.getByTestId('gallery-source-target').click();
    const form = page.getByTestId('source-target-form');
    await form.waitFor();
    await form.getByTestId('st-source-provider').selectOption('twilio');
    await form.getByTestId('st-source-connection').selectOption({ label: 'Twilio shop line' });
    await form.getByTestId('st-source-type').selectOption('twilio.message_received');
    await form.getByTestId('st-target-provider').selectOption('twilio');
    await form.getByTestId('st-target-connection').selectOption({ label: 'Twilio shop line' });
    await form.getByTestId('st-target-type').selectOption('twilio.send_sms');
    const from = form.getByTestId('st-field-from');
    // "From" loads the account's numbers, the first one chosen.
    await form.locator('select[data-testid="st-field-from"] option[value="+15550002222"]').waitFor({ state: 'attached' });
    expect(await from.inputValue()).toBe('+15550002222');
    const preview = await form.getByTestId('st-preview').textContent();
    expect(preview).toContain('{{ trigger.from }}');
    expect(preview).toContain('{{ trigger.body }}');
    await session.screenshot('source-target');

    await form.getByTestId('st-create').click();
    await page.getByTestId('editor').waitFor();
    await page.locator('.react-flow__node').nth(1).waitFor();
    const flowId = new URL(page.url()).pathname.split('/').pop()!;
    const flow = await apiJson('GET', `/api/flows/${flowId}`);
    expect(flow.body.graph.nodes[1].config).toEqual({ to: '{{ trigger.from }}', body: '{{ trigger.body }}', from: '+15550002222' });
    await session.screenshot('source-target-canvas');
    expect((await apiJson('POST', `/api/flows/${flowId}/start`)).status).toBe(200);
  }, 90_000);
});
