// The editor end to end, as a user: first run, connections, W1 drawn by drag and drop, a webhook
// run and its steps, stop, and validation errors on the node and the field. Runs the real server
// (`pnpm start` with a fresh data folder) and the fake Twilio and RetailCRM; a screenshot of every
// page goes to test-results/screenshots/.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@bundles/server/testing';
import type { Page } from 'playwright-core';
import { startFakeRetailcrm, type FakeRetailcrm } from '../fakes/retailcrm.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { center, dragTo, openBrowser, type BrowserSession } from './support/browser.js';
import { ensureEditorBuilt, startServer } from './support/server.js';

const EMAIL = 'owner@example.com';
const PASSWORD = 'correct horse battery';
const FROM = '+15550002222';
const TO = '+15550001111';

let backend: { url: string; stop: () => Promise<void>; output?: () => string };
let twilio: FakeTwilio;
let retailcrm: FakeRetailcrm;
let session: BrowserSession;
let page: Page;
let retailcrmWebhookUrl = '';

async function startBackend() {
  await ensureEditorBuilt();
  const server = await startServer(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
  return { url: server.url, stop: server.stop, output: server.output };
}

async function postWebhook(orderId: string, status: string): Promise<number> {
  const res = await fetch(retailcrmWebhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ type: 'order', status, id: orderId, event: 'status' }).toString(),
  });
  await res.arrayBuffer();
  return res.status;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function createConnection(provider: string, fields: Record<string, string>, name: string) {
  await page.getByTestId('new-connection').click();
  await page.getByTestId(`provider-${provider}`).click();
  await page.getByTestId('connection-name').fill(name);
  if (provider === 'twilio') await session.screenshot('connection-new');
  for (const [key, value] of Object.entries(fields)) await page.locator(`#conn-${key}`).fill(value);
  await page.getByTestId('connection-save').click();
  await page.getByTestId('connection-detail').getByRole('heading', { name }).waitFor();
  await page.getByTestId('test-connection').click();
  const result = page.getByTestId('test-result');
  await result.waitFor();
  expect(await result.getAttribute('data-ok'), (await result.textContent()) ?? '').toBe('true');
}

/** Drags a palette entry onto the canvas at a point relative to the canvas's top-left corner. */
async function dropNode(type: string, at: { x: number; y: number }) {
  const canvas = await page.getByTestId('canvas').boundingBox();
  if (!canvas) throw new Error('no canvas');
  await page.getByTestId(`palette-item-${type}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: { x: at.x, y: at.y } });
}

describe('editor end to end', () => {
  beforeAll(async () => {
    twilio = await startFakeTwilio({ numbers: [{ phoneNumber: FROM, friendlyName: 'Shop line' }] });
    retailcrm = await startFakeRetailcrm();
    backend = await startBackend();
    session = await openBrowser(backend.url);
    page = session.page;
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await backend?.stop();
    await twilio?.close();
    await retailcrm?.close();
  }, 60_000);

  it('runs first-time setup, then logs out and in', async () => {
    await page.goto('/');
    await page.getByTestId('setup-form').waitFor();
    await session.screenshot('setup');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel(/Workspace name/).fill('Acme Shop');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByTestId('create-first-bundle').waitFor();
    await session.screenshot('bundles-empty');

    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    await session.screenshot('login-error');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('create-first-bundle').waitFor();
  }, 60_000);

  it('registers a Twilio and a RetailCRM connection and tests them', async () => {
    await page.getByTestId('nav-connections').click();
    await page.getByRole('heading', { name: 'No connections yet' }).waitFor();
    await session.screenshot('connections-empty');

    await createConnection('twilio', { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.url }, 'Twilio shop line');
    await createConnection('retailcrm', { domain: 'myshop.retailcrm.ru', apiKey: retailcrm.apiKey, baseUrl: retailcrm.url }, 'RetailCRM shop');
    retailcrmWebhookUrl = await page.getByTestId('webhook-url').inputValue();
    expect(retailcrmWebhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\//);
    await session.screenshot('connection-detail');
  }, 60_000);

  it('builds W1 by dragging from the palette, saves and starts it', async () => {
    await page.getByTestId('nav-bundles').click();
    await page.getByTestId('create-first-bundle').click();
    await page.getByTestId('gallery-blank').click();
    await page.getByTestId('name-input').fill('Paid order → SMS');
    await page.getByTestId('name-submit').click();
    await page.getByTestId('editor').waitFor();
    await page.locator('.react-flow__pane').waitFor();
    await session.screenshot('canvas-empty');

    await page.getByTestId('palette-search').fill('order');
    await dropNode('retailcrm.order_changed', { x: 120, y: 200 });
    await page.getByTestId('node-order_changed').waitFor();
    await page.getByTestId('palette-search').fill('');
    // The only RetailCRM connection is chosen by itself.
    expect(await page.getByTestId('connection-picker').inputValue()).not.toBe('');
    await page.getByTestId('field-events-option-new').uncheck();
    await page.getByTestId('field-statuses-option-paid').check();
    // Saved as a draft a moment after the edit, problems and all (the SMS node is not there yet).
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('All changes saved');

    await dropNode('twilio.send_sms', { x: 480, y: 200 });
    await page.getByTestId('node-send_sms').waitFor();
    // Undo and redo the drop, by keyboard and by button.
    await page.locator('.react-flow__pane').click({ position: { x: 40, y: 40 } });
    await page.keyboard.press('Control+z');
    await page.getByTestId('node-send_sms').waitFor({ state: 'detached' });
    await page.keyboard.press('Control+Shift+z');
    await page.getByTestId('node-send_sms').waitFor();
    await page.getByTestId('undo').click();
    await page.getByTestId('node-send_sms').waitFor({ state: 'detached' });
    await page.getByTestId('redo').click();
    await page.getByTestId('node-send_sms').waitFor();
    await dragTo(page, await center(page, '[data-testid="node-order_changed"] .react-flow__handle.source'), await center(page, '[data-testid="node-send_sms"] .react-flow__handle.target'));
    await page.locator('[data-testid^="rf__edge-"]').first().waitFor({ state: 'attached' });

    await page.getByTestId('node-send_sms').click();
    const fromOption = page.getByTestId('field-from').locator(`option:has-text("${FROM}")`).first();
    await fromOption.waitFor({ state: 'attached' });
    await page.getByTestId('field-from').selectOption({ label: (await fromOption.textContent()) ?? FROM });
    await page.getByTestId('field-to').fill(TO);
    const body = page.getByTestId('field-body');
    await body.fill('Order ');
    await page.getByTestId('field-body-insert').click();
    await page.getByTestId('picker-field-trigger.id').click();
    await body.press('End');
    await body.pressSequentially(' is paid. Thank you!');
    expect(await body.inputValue()).toBe('Order {{ trigger.id }} is paid. Thank you!');
    await expect.poll(() => page.getByTestId('sms-segments').textContent()).toBe('1 segment');
    await page.getByTestId('auto-layout').click();
    await session.screenshot('canvas-w1');

    await page.getByTestId('save').click();
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('All changes saved');
    await page.getByTestId('start').click();
    await page.getByTestId('active-version').waitFor();
    expect(await page.getByTestId('active-version').textContent()).toMatch(/v1/);
    await session.screenshot('canvas-running');
  }, 90_000);

  it('runs on a webhook: the run appears, succeeds and shows each step', async () => {
    expect(await postWebhook('5001', 'paid')).toBeLessThan(300);
    await page.getByTestId('tab-runs').click();
    const row = page.locator('[data-testid^="run-row-"]').first();
    await row.waitFor({ timeout: 20_000 });
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    await session.screenshot('runs-list');
    await row.click();
    const step = page.getByTestId('step-send_sms');
    await step.waitFor();
    await expect.poll(() => step.getByTestId('step-input-send_sms').textContent()).toContain('Order 5001 is paid. Thank you!');
    expect(await step.getByTestId('step-output-send_sms').textContent()).toMatch(/sid/);
    expect(await page.getByTestId('node-send_sms').getAttribute('data-status')).toBe('succeeded');
    await session.screenshot('run-detail');
    await waitFor(() => twilio.messages.length === 1, 'one SMS at the fake Twilio');
    expect(twilio.messages[0]).toMatchObject({ to: TO, from: FROM, body: 'Order 5001 is paid. Thank you!' });
    await page.getByTestId('run-close').click();
  }, 90_000);

  it('stops: a webhook then starts no run', async () => {
    await page.getByTestId('stop').click();
    await page.getByTestId('start').waitFor();
    const before = await page.locator('[data-testid^="run-row-"]').count();
    await postWebhook('5002', 'paid');
    await new Promise((r) => setTimeout(r, 4000));
    expect(await page.locator('[data-testid^="run-row-"]').count()).toBe(before);
    expect(twilio.messages).toHaveLength(1);
  }, 60_000);

  it('shows a missing required field on the node and on the field', async () => {
    await page.getByTestId('tab-inspect').click();
    await page.getByTestId('node-send_sms').click();
    await page.getByTestId('field-to').fill('');
    await page.getByTestId('save').click();
    await page.getByTestId('start').click();
    await page.getByTestId('node-issues-send_sms').waitFor();
    // Start refused opens the Problems tab; a problem opens its node with the field marked.
    await page.getByTestId('problem-node-send_sms').first().click();
    await page.getByTestId('field-error-to').waitFor();
    expect(await page.getByTestId('field-error-to').textContent()).not.toBe('');
    await session.screenshot('validation-errors');

    // Fixing the field clears its error.
    await page.getByTestId('field-to').fill(TO);
    await expect.poll(() => page.getByTestId('field-error-to').count()).toBe(0);

    // The browser's Back button right after an edit saves it first, then leaves (nothing asked, nothing lost).
    await page.getByTestId('field-to').fill('+15550009999');
    const flowId = new URL(page.url()).pathname.split('/').pop()!;
    await page.goBack();
    await page.getByTestId('editor').waitFor({ state: 'detached' });
    expect(session.errors).toEqual([]);
    const saved = (await (await page.request.get(`/api/flows/${flowId}`)).json()) as { graph: { nodes: Array<{ id: string; config: { to?: string } }> } };
    expect(saved.graph.nodes.find((n) => n.id === 'send_sms')!.config.to).toBe('+15550009999');
  }, 60_000);

  it('lists the bundle and shows the other pages', async () => {
    await page.getByTestId('nav-bundles').click();
    await page.getByTestId('bundles-table').waitFor();
    // Duplicate, then delete the copy (confirmed).
    const rows = page.locator('[data-testid^="bundle-row-"]');
    await rows.first().getByRole('button', { name: /Actions for/ }).click();
    await page.getByRole('menuitem', { name: 'Duplicate' }).click();
    await expect.poll(() => rows.count()).toBe(2);
    await session.screenshot('bundles-list');
    const copy = rows.filter({ hasText: 'copy' }).first();
    await copy.getByRole('button', { name: /Actions for/ }).click();
    await page.getByRole('menuitem', { name: 'Delete' }).click();
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByTestId('nav-messages').click();
    await page.getByRole('heading', { name: 'Messages', exact: true }).waitFor();
    await page.waitForTimeout(500);
    await session.screenshot('messages');
    const row = page.locator('[data-testid^="message-row-"]').first();
    await row.click();
    await page.getByTestId('conversation').getByText('Order 5001 is paid. Thank you!').waitFor();
    await session.screenshot('message-conversation');
    expect(session.errors).toEqual([]);
  }, 60_000);
});
