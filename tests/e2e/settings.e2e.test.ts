// The Settings page in a browser, as an owner uses it: the first page loads without the canvas's chunk; the
// workspace renamed (the header follows without a reload); an API token created (its value shown once) and used
// by a script outside the browser; revoked after a confirmation, after which the script is refused at once.
// Real server; screenshots go to test-results/screenshots/settings-*.png.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@bundles/server/testing';
import type { Page } from 'playwright-core';
import { type BrowserSession, openBrowser, setUpOwner } from './support/browser.js';
import { ensureEditorBuilt, startServer, type RunningServer } from './support/server.js';

let backend: RunningServer;
let session: BrowserSession;
let page: Page;
let token = '';
const scripts: string[] = [];

/** A call as a script makes it (curl, Zapier): no browser, no cookie, only the token. */
async function asScript(path: string, bearer: string) {
  const res = await fetch(`${backend.url}${path}`, { headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' } });
  return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
}

describe('Settings in the browser', () => {
  beforeAll(async () => {
    await ensureEditorBuilt();
    backend = await startServer(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
    session = await openBrowser(backend.url, { screenshotPrefix: 'settings' });
    page = session.page;
    page.on('request', (req) => {
      if (req.resourceType() === 'script') scripts.push(new URL(req.url()).pathname);
    });
    await setUpOwner(page);
    await page.getByTestId('nav-bundles').waitFor();
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await backend?.stop();
  });

  it('opens the bundles list without loading the canvas', async () => {
    await page.getByTestId('create-first-bundle').waitFor();
    expect(scripts.some((s) => /\/assets\/BundlesPage-/.test(s))).toBe(true);
    expect(scripts.filter((s) => /BundleEditorPage|schemaFields/.test(s))).toEqual([]);
  });

  it('renames the workspace, and the header shows the new name at once', async () => {
    await page.getByTestId('nav-settings').click();
    const name = page.getByTestId('workspace-name');
    await name.waitFor();
    expect(await page.getByTestId('topbar-workspace').textContent()).toBe('My workspace');
    await name.fill('  Loja da Ana ');
    await page.getByTestId('workspace-save').click();
    await expect.poll(() => page.getByTestId('topbar-workspace').textContent()).toBe('Loja da Ana');
    expect(await name.inputValue()).toBe('Loja da Ana');
    await session.screenshot('workspace');
    expect((await (await page.request.get('/api/me')).json()).workspace.name).toBe('Loja da Ana');
    expect(session.errors).toEqual([]);
  }, 60_000);

  it('creates a token whose value is shown once, and a script calls the API with it', async () => {
    await page.getByLabel('Token name').fill('Zapier');
    await page.getByLabel('Expires').selectOption({ label: '30 days' });
    await page.getByRole('button', { name: 'Create token' }).click();
    const box = page.getByTestId('new-token');
    await box.waitFor();
    expect(await box.textContent()).toContain('not shown again');
    token = await page.getByTestId('new-token-value').inputValue();
    expect(token).toMatch(/^bnd_/);
    await page.getByTestId('new-token-copy').click();
    // A string: the tests' TypeScript knows no DOM.
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(token);
    await page.getByTestId('token-table').scrollIntoViewIfNeeded();
    await session.screenshot('token-created');

    const flows = await asScript('/api/flows', token);
    expect(flows.status).toBe(200);
    expect(flows.body).toEqual([]);

    // Shown once: after a reload the value is nowhere on the page, the row shows the token used.
    await page.reload();
    const row = page.locator('[data-testid="token-row"][data-token-name="Zapier"]');
    await row.waitFor();
    expect(await page.content()).not.toContain(token);
    expect(await row.getByTestId('token-last-used').textContent()).not.toBe('Never');
    expect(await row.getByTestId('token-expires').textContent()).not.toBe('Never');
    expect(session.errors).toEqual([]);
  }, 60_000);

  it('revokes the token after a confirmation, and the script is refused at once', async () => {
    await page.getByRole('button', { name: 'Revoke Zapier' }).click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Revoke “Zapier”?');
    await session.screenshot('revoke');
    await page.getByTestId('confirm-ok').click();
    await page.locator('[data-testid="token-row"][data-token-name="Zapier"]').waitFor({ state: 'detached' });

    const refused = await asScript('/api/flows', token);
    expect(refused.status).toBe(401);
    expect(refused.body.error?.code).toBe('invalid_token');
    // The browser's own session is untouched.
    expect((await page.request.get('/api/flows')).status()).toBe(200);
    expect(session.errors).toEqual([]);
  }, 60_000);
});
