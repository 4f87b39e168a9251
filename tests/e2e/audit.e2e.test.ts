// The audit log in a browser, as an owner uses it: a bundle renamed and saved in the editor shows up on the Audit
// page as a sentence with the field changed; the kind filter narrows the list to one kind or one group.
// Real server; screenshots go to test-results/screenshots/audit-*.png.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@bundles/server/testing';
import type { Page } from 'playwright-core';
import { type BrowserSession, openBrowser, setUpOwner } from './support/browser.js';
import { ensureEditorBuilt, startServer, type RunningServer } from './support/server.js';

let backend: RunningServer;
let session: BrowserSession;
let page: Page;
let flowId = '';

async function call(method: string, path: string, data?: unknown) {
  const res = await page.request.fetch(path, { method, ...(data !== undefined ? { data } : {}) });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return res.json();
}

const rows = () => page.getByTestId('audit-row');
const kinds = async () => (await rows().evaluateAll((all) => all.map((r) => r.getAttribute('data-kind')))) as string[];

describe('the audit log in the browser', () => {
  beforeAll(async () => {
    await ensureEditorBuilt();
    backend = await startServer(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
    session = await openBrowser(backend.url, { screenshotPrefix: 'audit' });
    page = session.page;
    await setUpOwner(page);
    await page.getByTestId('nav-bundles').waitFor();
    await call('POST', '/api/connections', { provider: 'webhook', name: 'Loja', config: {} });
    flowId = (await call('POST', '/api/flows', { name: 'Draft' })).id;
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await backend?.stop();
  });

  it('shows a bundle saved in the editor on the Audit page, and filters by kind', async () => {
    await page.goto(`/bundles/${flowId}`);
    await page.getByTestId('editor').waitFor();
    await page.getByTestId('bundle-name').fill('Order paid → SMS');
    await page.getByTestId('save').click();
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('All changes saved');

    await page.getByTestId('nav-audit').click();
    await rows().first().waitFor();
    const saved = page.locator('[data-testid="audit-row"][data-kind="bundle.saved"]');
    await saved.first().waitFor();
    expect(await saved.first().textContent()).toContain('saved bundle “Order paid → SMS”');
    // The editor sends the whole graph with each save: only the name changed.
    expect(await saved.first().textContent()).toContain('fields: name');
    expect(await saved.count()).toBe(1);
    expect(await saved.first().textContent()).toContain('owner@example.com');
    expect(await kinds()).toEqual(expect.arrayContaining(['bundle.saved', 'bundle.created', 'connection.created']));
    await session.screenshot('list');

    await page.getByTestId('audit-filter-kind').selectOption('bundle.saved');
    await expect.poll(async () => [...new Set(await kinds())]).toEqual(['bundle.saved']);
    await page.getByTestId('audit-filter-kind').selectOption('connection.');
    await expect.poll(kinds).toEqual(['connection.created']);
    await page.getByTestId('audit-filter-kind').selectOption('token.revoked');
    await page.getByText('No entry matches').waitFor();
    expect(session.errors).toEqual([]);
  }, 90_000);
});
