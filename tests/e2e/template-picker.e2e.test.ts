// The template pickers in the inspector, as a user: a WhatsApp template chosen from the business account's
// list (a pending one greyed and not choosable) gets one field per parameter, and a Twilio Content template
// its variables and the message preview. Runs the real server and the fake WhatsApp and Twilio; screenshots
// go to test-results/screenshots/templates-*.png.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@bundles/server/testing';
import type { Page } from 'playwright-core';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { startFakeWhatsApp, type FakeWhatsApp } from '../fakes/whatsapp.js';
import { twilioConfig, whatsappConfig } from '../support/providers.js';
import { type BrowserSession, openBrowser, setUpOwner } from './support/browser.js';
import { ensureEditorBuilt, startServer, type RunningServer } from './support/server.js';

let backend: RunningServer;
let twilio: FakeTwilio;
let wa: FakeWhatsApp;
let session: BrowserSession;
let page: Page;

async function dropNode(type: string, search: string, at: { x: number; y: number }) {
  await page.getByTestId('palette-search').fill(search);
  await page.getByTestId(`palette-item-${type}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: at });
  await page.getByTestId('palette-search').fill('');
}

async function createConnection(provider: string, name: string, config: Record<string, unknown>) {
  const res = await page.request.fetch('/api/connections', { method: 'POST', data: { provider, name, config } });
  expect(res.status(), await res.text()).toBe(201);
}

describe('editor end to end: template pickers', () => {
  beforeAll(async () => {
    [twilio, wa] = await Promise.all([
      startFakeTwilio({
        contents: [
          { friendlyName: 'order_shipped', language: 'pt_BR', variables: { '1': 'Ana', '2': 'A-17' }, types: { 'twilio/text': { body: 'Olá {{1}}, seu pedido {{2}} foi enviado!' } } },
          { friendlyName: 'welcome', language: 'en', types: { 'twilio/text': { body: 'Welcome to the shop!' } } },
        ],
      }),
      startFakeWhatsApp({
        messageTemplates: [
          { name: 'order_update', language: 'pt_BR', body: 'Olá {{1}}, seu pedido {{2}} saiu para entrega.', examples: ['Ana', 'A-17'] },
          { name: 'order_update', language: 'en_US', body: 'Hi {{1}}, your order {{2}} is on its way.', examples: ['Ann', 'A-17'] },
          { name: 'black_friday', language: 'pt_BR', status: 'PENDING', category: 'MARKETING', body: 'Só hoje: {{1}} de desconto!' },
        ],
      }),
    ]);
    await ensureEditorBuilt();
    backend = await startServer(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
    session = await openBrowser(backend.url, { screenshotPrefix: 'templates' });
    page = session.page;
    await setUpOwner(page);
    await page.getByTestId('create-first-bundle').waitFor();
    await createConnection('whatsapp', 'WhatsApp loja', { ...whatsappConfig(wa), wabaId: wa.wabaId });
    await createConnection('twilio', 'Twilio loja', twilioConfig(twilio));
    await page.getByTestId('create-first-bundle').click();
    await page.getByTestId('gallery-blank').click();
    await page.getByTestId('name-input').fill('Templates');
    await page.getByTestId('name-submit').click();
    await page.getByTestId('editor').waitFor();
    await page.locator('.react-flow__pane').waitFor();
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await backend?.stop();
    await Promise.all([twilio?.close(), wa?.close()]);
  }, 60_000);

  it('picks an approved WhatsApp template: language set, one field per parameter; a pending one cannot be chosen', async () => {
    await dropNode('whatsapp.send_template', 'template', { x: 200, y: 200 });
    await page.getByTestId('node-send_template').click();
    const select = page.getByTestId('field-template');
    const pending = select.locator('option:has-text("black_friday")');
    await pending.waitFor({ state: 'attached' });
    expect(await pending.isDisabled()).toBe(true);
    expect(await pending.textContent()).toBe('black_friday (pt_BR) — PENDING: only approved templates can be sent');
    await select.selectOption({ label: 'order_update (en_US)' });
    expect(await page.locator('[id$="-language"]').inputValue()).toBe('en_US');
    await page.getByTestId('field-parameters-1').fill('Bia');
    await page.getByTestId('field-parameters-2').fill('{{ trigger.id }}');
    expect(await page.getByTestId('field-parameters-preview').textContent()).toContain('Hi Bia, your order');
    expect(await page.getByTestId('field-parameters-3').count()).toBe(0);
    await page.getByTestId('field-parameters-preview').scrollIntoViewIfNeeded();
    await session.screenshot('whatsapp-picker');
  }, 60_000);

  it('picks a Twilio Content template: its text in the preview and its variables as fields', async () => {
    await dropNode('twilio.send_whatsapp', 'whatsapp', { x: 560, y: 200 });
    await page.getByTestId('node-send_whatsapp').click();
    const select = page.getByTestId('field-contentSid');
    await select.locator('option:has-text("order_shipped (pt_BR)")').waitFor({ state: 'attached' });
    await select.selectOption({ label: 'order_shipped (pt_BR)' });
    expect(await page.getByTestId('field-contentVariables-1').getAttribute('placeholder')).toBe('e.g. Ana');
    await page.getByTestId('field-contentVariables-1').fill('Bia');
    expect(await page.getByTestId('field-contentVariables-preview').textContent()).toContain('Olá Bia, seu pedido {{2}} foi enviado!');
    await page.getByTestId('field-contentVariables-preview').scrollIntoViewIfNeeded();
    await session.screenshot('twilio-picker');
  }, 60_000);
});
