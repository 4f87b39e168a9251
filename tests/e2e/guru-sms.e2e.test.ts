// Scenario 1 of the sales platforms, built on the canvas as a shop owner would: a Guru connection made in
// the Connections page (its test waits for a first delivery, then says connected), "Sale status changed"
// (approved only) → Twilio SMS to the buyer's phone with the buyer's first name, started, then a signed Guru
// post runs it. Runs the real server and the fake Twilio; screenshots go to test-results/screenshots/guru-*.png.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@bundles/server/testing';
import type { Page } from 'playwright-core';
import { guruTransactionBody, postGuruWebhook } from '../fakes/guru.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { twilioConfig } from '../support/providers.js';
import { waitFor } from '../support/wait.js';
import { type BrowserSession, center, dragTo, openBrowser, setUpOwner } from './support/browser.js';
import { ensureEditorBuilt, startServer, type RunningServer } from './support/server.js';

const FROM = '+15550002222';
const GURU_TOKEN = 'g7Yq2kLm9Xr4Tz8Vb1Nc6Hd3Jf5Ws0Pe2Ua7Qi4';

let backend: RunningServer;
let twilio: FakeTwilio;
let session: BrowserSession;
let page: Page;
let guruWebhookUrl = '';

async function dropNode(type: string, at: { x: number; y: number }) {
  await page.getByTestId('palette-search').fill(type.split('.')[1]!.split('_')[0]!);
  await page.getByTestId(`palette-item-${type}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: at });
  await page.getByTestId('palette-search').fill('');
}

describe('editor end to end: Guru sale approved → SMS, drawn on the canvas', () => {
  beforeAll(async () => {
    twilio = await startFakeTwilio({ numbers: [{ phoneNumber: FROM, friendlyName: 'Loja' }] });
    await ensureEditorBuilt();
    backend = await startServer(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
    session = await openBrowser(backend.url, { screenshotPrefix: 'guru' });
    page = session.page;
    await setUpOwner(page);
    await page.getByTestId('create-first-bundle').waitFor();
    const res = await page.request.fetch('/api/connections', { method: 'POST', data: { provider: 'twilio', name: 'Twilio loja', config: twilioConfig(twilio) } });
    expect(res.status(), await res.text()).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await backend?.stop();
    await twilio?.close();
  }, 60_000);

  it('registers a Guru connection: its setup steps carry the webhook URL, and its test waits for a first delivery', async () => {
    await page.getByTestId('nav-connections').click();
    await page.getByTestId('new-connection').click();
    await page.getByTestId('provider-guru').click();
    await page.getByTestId('connection-name').fill('Guru loja');
    await page.locator('#conn-apiToken').fill(GURU_TOKEN);
    await page.getByTestId('connection-save').click();
    await page.getByTestId('connection-detail').getByRole('heading', { name: 'Guru loja' }).waitFor();
    guruWebhookUrl = await page.getByTestId('webhook-url').inputValue();
    expect(guruWebhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/hooks\//);
    expect(await page.getByTestId('connection-setup').textContent()).toContain(guruWebhookUrl);
    await page.getByTestId('test-connection').click();
    const result = page.getByTestId('test-result');
    await result.waitFor();
    expect(await result.getAttribute('data-ok')).toBe('null');
    expect(await result.textContent()).toMatch(/Nothing has arrived yet/);
    await session.screenshot('connection');
  }, 60_000);

  it('builds "approved → SMS" on the canvas, starts it, and a Guru post sends one SMS to the buyer', async () => {
    await page.getByTestId('nav-bundles').click();
    await page.getByTestId('create-first-bundle').click();
    await page.getByTestId('gallery-blank').click();
    await page.getByTestId('name-input').fill('Venda aprovada → SMS');
    await page.getByTestId('name-submit').click();
    await page.getByTestId('editor').waitFor();
    await page.locator('.react-flow__pane').waitFor();

    await dropNode('guru.transaction_status_changed', { x: 120, y: 200 });
    await page.getByTestId('node-transaction_status_changed').waitFor();
    expect(await page.getByTestId('connection-picker').inputValue()).not.toBe('');
    await page.getByTestId('field-statuses-option-approved').check();

    await dropNode('twilio.send_sms', { x: 480, y: 200 });
    await page.getByTestId('node-send_sms').waitFor();
    await dragTo(page, await center(page, '[data-testid="node-transaction_status_changed"] .react-flow__handle.source'), await center(page, '[data-testid="node-send_sms"] .react-flow__handle.target'));
    await page.locator('[data-testid^="rf__edge-"]').first().waitFor({ state: 'attached' });
    // The new edge is autosaved, and the answer redraws the nodes with their problems: click once it is in.
    await expect.poll(async () => page.getByTestId('save-state').textContent(), { timeout: 30_000 }).toBe('All changes saved');

    await page.getByTestId('node-send_sms').click();
    const fromOption = page.getByTestId('field-from').locator(`option:has-text("${FROM}")`).first();
    await fromOption.waitFor({ state: 'attached' });
    await page.getByTestId('field-from').selectOption({ label: (await fromOption.textContent()) ?? FROM });
    const to = page.getByTestId('field-to');
    await to.fill('');
    await page.getByTestId('field-to-insert').click();
    await page.getByTestId('picker-field-trigger.contact.phone').click();
    expect(await to.inputValue()).toBe('{{ trigger.contact.phone }}');
    const body = page.getByTestId('field-body');
    await body.fill('Olá {{ trigger.contact.firstName }}, seu pagamento foi aprovado!');
    await page.getByTestId('auto-layout').click();
    await session.screenshot('canvas');
    await page.getByTestId('save').click();
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('All changes saved');
    await page.getByTestId('start').click();
    await page.getByTestId('active-version').waitFor();

    const refunded = await postGuruWebhook(guruWebhookUrl, guruTransactionBody({ id: 'b1a1c2d3-0000-4000-8000-000000000001', status: 'refunded' }, GURU_TOKEN));
    expect(refunded.status).toBe(200);
    const approved = await postGuruWebhook(guruWebhookUrl, guruTransactionBody({}, GURU_TOKEN));
    expect(approved.status).toBe(200);
    await page.getByTestId('tab-runs').click();
    const row = page.locator('[data-testid^="run-row-"]').first();
    await row.waitFor({ timeout: 20_000 });
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    await waitFor('one SMS at the fake Twilio', async () => twilio.messages.length === 1);
    expect(twilio.messages[0]).toMatchObject({ to: '+5511987654321', from: FROM, body: 'Olá Ana, seu pagamento foi aprovado!' });
    // The refunded sale posted before it matched no rule: one run only.
    expect(await page.locator('[data-testid^="run-row-"]').count()).toBe(1);
    await session.screenshot('run');
  }, 120_000);

  it('now tests the Guru connection as connected, from its delivery log', async () => {
    await page.getByTestId('nav-connections').click();
    // The list item of this connection (its id is in the webhook URL): text alone can match the page being left.
    const connectionId = new URL(guruWebhookUrl).pathname.split('/')[2]!;
    await page.getByTestId(`connection-item-${connectionId}`).click();
    await page.getByTestId('connection-detail').getByRole('heading', { name: 'Guru loja' }).waitFor();
    await page.getByTestId('test-connection').click();
    const result = page.getByTestId('test-result');
    await expect.poll(() => result.getAttribute('data-ok')).toBe('true');
    expect(session.errors).toEqual([]);
  }, 60_000);
});
