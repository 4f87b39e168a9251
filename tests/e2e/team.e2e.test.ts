// A team in the browser: the owner invites a second person as editor from the Settings page and copies the
// one-time link; a second browser (its own cookies) opens it logged out, picks a name and a password, lands in
// the app as an editor and meets the role's limits: no Members section, and the server refuses what only an
// admin may do (a connection made from that page: 403). The owner then sees the new member listed.
// Real server; screenshots go to test-results/screenshots/team-*.png.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@bundles/server/testing';
import type { BrowserContext, Page } from 'playwright-core';
import path from 'node:path';
import { type BrowserSession, openBrowser, screenshotDir, setUpOwner } from './support/browser.js';
import { ensureEditorBuilt, startServer, type RunningServer } from './support/server.js';

let backend: RunningServer;
let session: BrowserSession;
let page: Page;
let second: BrowserContext;
let invitee: Page;
let link = '';
const inviteeErrors: string[] = [];

describe('Inviting a team member in the browser', () => {
  beforeAll(async () => {
    await ensureEditorBuilt();
    backend = await startServer(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
    session = await openBrowser(backend.url, { screenshotPrefix: 'team' });
    page = session.page;
    await setUpOwner(page);
    await page.getByTestId('nav-bundles').waitFor();
  }, 180_000);

  afterAll(async () => {
    await second?.close();
    await session?.close();
    await backend?.stop();
  });

  it('invites an editor from Settings and copies the link', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('member-table').waitFor();
    await page.getByLabel('E-mail address').fill('bia@example.com');
    await page.getByTestId('invite-role').selectOption('editor');
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const box = page.getByTestId('invitation-link');
    await box.waitFor();
    // No SMTP server is configured for this server: the link is for copying.
    expect(await page.getByTestId('invitation-mailed').textContent()).toMatch(/bia@example\.com is invited\..*not mailed.*BUNDLES_SMTP_URL/);
    await page.getByTestId('invitation-copy').click();
    // A string: the tests' TypeScript knows no DOM.
    link = (await page.evaluate('navigator.clipboard.readText()')) as string;
    expect(link).toMatch(new RegExp(`^${backend.url}/invite/[A-Za-z0-9_-]{43}$`));
    expect(await page.getByTestId('invitation-url').inputValue()).toBe(link);
    const row = page.getByTestId('invitation-row');
    await row.waitFor();
    expect(await row.getAttribute('data-invitation-email')).toBe('bia@example.com');
    await session.screenshot('invited');
  }, 60_000);

  it('lets the invited person in from a second browser, as an editor', async () => {
    second = await session.browser.newContext({ baseURL: backend.url, viewport: { width: 1280, height: 800 } });
    invitee = await second.newPage();
    invitee.setDefaultTimeout(30_000);
    invitee.on('pageerror', (err) => inviteeErrors.push(`pageerror: ${err.message}`));
    await invitee.goto(link);
    expect(await invitee.getByRole('heading', { level: 1 }).textContent()).toBe('Join My workspace');
    expect(await invitee.locator('.auth-card').textContent()).toContain('You are invited as editor, as bia@example.com.');
    await invitee.getByTestId('accept-name').fill('Bia Souza');
    await invitee.getByTestId('accept-password').fill('bia password 1');
    await invitee.screenshot({ path: path.join(screenshotDir, 'team-accept-page.png') });
    await invitee.getByTestId('accept-submit').click();
    await invitee.getByTestId('nav-bundles').waitFor();
    expect(new URL(invitee.url()).pathname).toBe('/bundles');
    expect(await invitee.locator('.topbar-user').textContent()).toContain('bia@example.com');
    const me = (await (await invitee.request.get('/api/me')).json()) as { role: string; user: { name: string } };
    expect(me).toMatchObject({ role: 'editor', user: { name: 'Bia Souza' } });
    expect(inviteeErrors).toEqual([]);
  }, 60_000);

  it('shows the editor no Members section, and the server refuses them an admin’s change', async () => {
    await invitee.getByTestId('nav-settings').click();
    await invitee.getByTestId('account').waitFor();
    await invitee.getByTestId('api-tokens').waitFor();
    expect(await invitee.getByTestId('members').count()).toBe(0);
    expect(await invitee.getByTestId('account').textContent()).toContain('bia@example.com');
    const made = (await invitee.evaluate(
      `fetch('/api/connections', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'twilio', name: 'Mine', config: {} }) }).then(async (r) => ({ status: r.status, body: await r.json() }))`,
    )) as { status: number; body: { error: { code: string; details: { need: string } } } };
    expect(made.status).toBe(403);
    expect(made.body.error).toMatchObject({ code: 'forbidden', details: { need: 'admin' } });
    const users = (await invitee.evaluate(`fetch('/api/users').then((r) => r.status)`)) as number;
    expect(users).toBe(403);
    expect((await (await page.request.get('/api/connections')).json()) as unknown[]).toEqual([]);
  }, 60_000);

  it('lists the new member to the owner, and the invitation is spent', async () => {
    await page.reload();
    await page.getByTestId('member-table').waitFor();
    await expect.poll(() => page.getByTestId('member-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-member-email')))).toEqual(['owner@example.com', 'bia@example.com']);
    const biaRole = page.locator('[data-member-email="bia@example.com"] [data-testid="member-role"]');
    expect(await biaRole.inputValue()).toBe('editor');
    await page.getByTestId('no-invitations').waitFor();
    await session.screenshot('member-listed');
    // The link is spent: opening it again says so.
    await invitee.goto(link);
    expect(await invitee.getByRole('heading', { level: 1 }).textContent()).toBe('This invitation was accepted already.');
    expect(session.errors).toEqual([]);
  }, 60_000);
});
