// Status messages in a real browser, as a Guru shop owner fills the vendor's mapping screen: from the Guru
// connection's page, "Status messages" → add an SMS rule for approved sales with the buyer's first name; a
// signed Guru post then sends one SMS through the fake Twilio; the rule's bundle is tagged in the bundle
// list. Screenshots go to test-results/screenshots/status-rules-*.png.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@bundles/server/testing';
import type { Page } from 'playwright-core';
import { guruTransactionBody, postGuruWebhook } from '../fakes/guru.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { twilioConfig } from '../support/providers.js';
import { waitFor } from '../support/wait.js';
import { type BrowserSession, openBrowser, setUpOwner } from './support/browser.js';
import { ensureEditorBuilt, startServer, type RunningServer } from './support/server.js';

const FROM = '+15550002222';
const GURU_TOKEN = 'r8Wq2kLm9Xr4Tz8Vb1Nc6Hd3Jf5Ws0Pe2Ua7Qi4';

let backend: RunningServer;
let twilio: FakeTwilio;
let session: BrowserSession;
let page: Page;
let guru: { id: string; webhookUrl: string };
let twilioId = '';

describe('status messages: a Guru SMS rule made on its screen', () => {
  beforeAll(async () => {
    twilio = await startFakeTwilio({ numbers: [{ phoneNumber: FROM, friendlyName: 'Loja' }] });
    await ensureEditorBuilt();
    backend = await startServer(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
    session = await openBrowser(backend.url, { screenshotPrefix: 'status-rules' });
    page = session.page;
    await setUpOwner(page);
    await page.getByTestId('nav-connections').waitFor();
    const tw = await page.request.fetch('/api/connections', { method: 'POST', data: { provider: 'twilio', name: 'Twilio loja', config: { ...twilioConfig(twilio), dailyCap: 500 } } });
    expect(tw.status(), await tw.text()).toBe(201);
    twilioId = ((await tw.json()) as { id: string }).id;
    const g = await page.request.fetch('/api/connections', { method: 'POST', data: { provider: 'guru', name: 'Guru loja', config: { apiToken: GURU_TOKEN } } });
    expect(g.status(), await g.text()).toBe(201);
    guru = (await g.json()) as { id: string; webhookUrl: string };
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await backend?.stop();
    await twilio?.close();
  }, 60_000);

  it('adds an SMS rule for approved sales, and a Guru post sends it', async () => {
    await page.goto(`/connections/${guru.id}`);
    await page.getByTestId('status-messages').click();
    await page.getByText('No status messages yet').waitFor();
    await session.screenshot('empty');
    await page.getByTestId('add-rule').click();
    const form = page.getByTestId('rule-form-modal');
    await form.getByLabel('approved').check();
    await form.getByLabel('Sender').fill(FROM);
    await form.getByTestId('rule-message').fill('Olá {{ trigger.contact.firstName }}, seu pagamento foi aprovado!');
    await session.screenshot('form');
    await form.getByTestId('rule-save').click();
    await page.getByText('Rule added').waitFor();
    const row = page.getByTestId('rule-row');
    expect(await row.textContent()).toMatch(/SMS.*approved.*Twilio loja/);
    await session.screenshot('list');

    expect((await postGuruWebhook(guru.webhookUrl, guruTransactionBody({ id: 'c2b1c2d3-0000-4000-8000-000000000001', status: 'refunded' }, GURU_TOKEN))).status).toBe(200);
    expect((await postGuruWebhook(guru.webhookUrl, guruTransactionBody({}, GURU_TOKEN))).status).toBe(200);
    await waitFor('one SMS at the fake Twilio', async () => twilio.messages.length === 1, 30_000);
    expect(twilio.messages[0]).toMatchObject({ to: '+5511987654321', from: FROM, body: 'Olá Ana, seu pagamento foi aprovado!' });

    // The sending connection counts it against its daily cap.
    await page.goto(`/connections/${twilioId}`);
    await expect.poll(() => page.getByTestId('send-usage-figure').textContent()).toBe('today 1 / 500');
    await session.screenshot('send-cap');

    // The rule's bundle, in the bundle list, says where it is managed.
    await page.getByTestId('nav-bundles').click();
    await page.getByTestId('managed-tag').waitFor();
    expect(session.errors).toEqual([]);
  }, 120_000);
});
