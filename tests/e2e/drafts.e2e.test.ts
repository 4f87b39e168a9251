// Drafts in a real browser, as a user clicks: a half-built bundle saves by itself, reopens as it was with its
// problems listed in the Problems tab and on the nodes, undo still works after the autosave, and only Start
// refuses it. Screenshots go to test-results/screenshots/drafts-*.png.
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

async function addFromPalette(type: string) {
  const item = page.getByTestId(`palette-item-${type}`);
  await item.focus();
  await item.press('Enter');
}

const savedNodes = async () => ((await call('GET', `/api/flows/${flowId}`)).graph.nodes as Array<{ id: string }>).map((n) => n.id).sort();

describe('drafts in the browser', () => {
  beforeAll(async () => {
    await ensureEditorBuilt();
    backend = await startServer(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
    session = await openBrowser(backend.url, { screenshotPrefix: 'drafts' });
    page = session.page;
    await setUpOwner(page);
    await page.getByTestId('nav-bundles').waitFor();
    await call('POST', '/api/connections', { provider: 'webhook', name: 'Loja', config: {} });
    flowId = (await call('POST', '/api/flows', { name: 'Half built' })).id;
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await backend?.stop();
  });

  it('saves a half-built bundle by itself and reopens it with its problems', async () => {
    await page.goto(`/bundles/${flowId}`);
    await page.getByTestId('editor').waitFor();
    await addFromPalette('core.webhook');
    await page.getByTestId('node-webhook').waitFor();
    await addFromPalette('core.http_request');
    await page.getByTestId('node-http_request').waitFor();
    // No Save pressed: the draft is saved a moment after the edit, although it cannot start.
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('All changes saved');
    await expect.poll(savedNodes).toEqual(['http_request', 'webhook']);
    await page.getByTestId('problems-count').waitFor();

    await page.reload();
    await page.getByTestId('editor').waitFor();
    await page.getByTestId('node-http_request').waitFor();
    await page.getByTestId('node-issues-http_request').waitFor();
    await page.getByTestId('tab-problems').click();
    const problems = page.getByTestId('problem');
    await expect.poll(() => problems.allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('not connected to the trigger')]));
    expect((await problems.allTextContents()).some((t) => t.includes('url'))).toBe(true);
    await session.screenshot('problems');

    // A problem opens its node in the inspector, with the field marked.
    await page.getByTestId('problem-node-http_request').first().click();
    await page.getByTestId('field-error-url').waitFor();
    expect(session.errors).toEqual([]);
  }, 90_000);

  it('keeps undo after the autosave, and saves the undone state too', async () => {
    await addFromPalette('core.set');
    await page.getByTestId('node-set').waitFor();
    await expect.poll(savedNodes).toEqual(['http_request', 'set', 'webhook']);
    await page.locator('.react-flow__pane').click({ position: { x: 40, y: 40 } });
    await page.keyboard.press('Control+z');
    await page.getByTestId('node-set').waitFor({ state: 'detached' });
    await expect.poll(savedNodes).toEqual(['http_request', 'webhook']);
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('All changes saved');
  }, 60_000);

  it('refuses Start while problems remain, naming them in the Problems tab', async () => {
    await page.getByTestId('start').click();
    await page.getByTestId('problems-panel').waitFor();
    expect(await page.getByTestId('tab-problems').getAttribute('aria-selected')).toBe('true');
    expect((await call('GET', `/api/flows/${flowId}`)).status).toBe('draft');
    await session.screenshot('start-refused');
    expect(session.errors).toEqual([]);
  }, 60_000);
});
