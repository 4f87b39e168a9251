// Workspaces in a browser, as an owner with two shops uses them: a second workspace made from the header's menu
// starts empty (the bundles list's empty state), switching back shows the first one's bundle, and a new login
// starts in the workspace last switched to; a viewer of the first sees its bundle without the means to change it.
// Real server; screenshots go to test-results/screenshots/workspaces-*.png.
import { randomBytes, scryptSync } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@bundles/server/testing';
import type { Page } from 'playwright-core';
import { type BrowserSession, openBrowser, setUpOwner } from './support/browser.js';
import { ensureEditorBuilt, startServer, type RunningServer } from './support/server.js';

let backend: RunningServer;
let session: BrowserSession;
let page: Page;
let databaseUrl = '';

/** A member with a password, straight into the tables (invitations are another screen's), hashed as the server hashes. */
async function addMember(email: string, password: string, workspaceName: string, role: string): Promise<void> {
  const salt = randomBytes(16);
  const hash = `scrypt$${salt.toString('base64')}$${scryptSync(password, salt, 32).toString('base64')}`;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const ws = await client.query<{ id: string }>(`select id from workspaces where name = $1`, [workspaceName]);
    const user = await client.query<{ id: string }>(`insert into users (email, password_hash, last_workspace_id) values ($1, $2, $3) returning id`, [email, hash, ws.rows[0]!.id]);
    await client.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)`, [ws.rows[0]!.id, user.rows[0]!.id, role]);
  } finally {
    await client.end();
  }
}

const workspaceName = () => page.getByTestId('topbar-workspace').textContent();
/** Opens the header's menu and waits for its list (the current workspace is always in it). */
const openMenu = async () => {
  await page.getByTestId('workspace-menu').click();
  await page.getByTestId('workspace-item').first().waitFor();
};

describe('Workspaces in the browser', () => {
  beforeAll(async () => {
    await ensureEditorBuilt();
    databaseUrl = await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'));
    backend = await startServer(databaseUrl);
    session = await openBrowser(backend.url, { screenshotPrefix: 'workspaces' });
    page = session.page;
    await setUpOwner(page);
    await page.getByTestId('nav-bundles').waitFor();
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await backend?.stop();
  });

  it('makes a second workspace from the header, which starts empty; switching back shows the first one’s bundle', async () => {
    const graph = { nodes: [{ id: 'trigger', type: 'core.schedule', config: { everyMinutes: 60 }, position: { x: 0, y: 0 } }], edges: [] };
    const made = await page.request.post('/api/flows', { data: { name: 'First shop bundle', graph } });
    expect(made.status()).toBe(201);
    await page.reload();
    await page.getByRole('link', { name: 'First shop bundle' }).waitFor();
    expect(await workspaceName()).toBe('My workspace');

    await openMenu();
    expect(await page.getByTestId('workspace-item').count()).toBe(1);
    expect(await page.getByTestId('workspace-item').textContent()).toMatch(/My workspace\s*owner\s*current/);
    await page.getByTestId('workspace-new').click();
    await page.getByLabel('New workspace name').fill('Second shop');
    await session.screenshot('new');
    await page.getByTestId('workspace-create').click();

    await expect.poll(workspaceName).toBe('Second shop');
    await page.getByTestId('create-first-bundle').waitFor();
    expect(await page.getByText('No bundles yet').count()).toBe(1);
    expect(await page.getByRole('link', { name: 'First shop bundle' }).count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/bundles');
    await session.screenshot('second-empty');

    await openMenu();
    expect(await page.getByTestId('workspace-item').count()).toBe(2);
    await session.screenshot('menu');
    await page.getByRole('menuitem', { name: 'Switch to My workspace' }).click();
    await expect.poll(workspaceName).toBe('My workspace');
    await page.getByRole('link', { name: 'First shop bundle' }).waitFor();
    expect(await page.getByTestId('create-first-bundle').count()).toBe(0);
    await session.screenshot('back');
    expect(session.errors).toEqual([]);
  }, 60_000);

  it('starts a new login in the workspace last switched to', async () => {
    await openMenu();
    await page.getByRole('menuitem', { name: 'Switch to Second shop' }).click();
    await expect.poll(workspaceName).toBe('Second shop');
    await page.getByTestId('logout').click();
    await page.getByLabel('Email').fill('owner@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(workspaceName).toBe('Second shop');
    await page.getByTestId('create-first-bundle').waitFor();
    expect(session.errors).toEqual([]);
  }, 60_000);

  it('shows a viewer the bundle and its settings, without New bundle, Start, Save or the palette, saying why', async () => {
    await addMember('viewer@example.com', 'viewer horse battery', 'My workspace', 'viewer');
    await page.getByTestId('logout').click();
    await page.getByLabel('Email').fill('viewer@example.com');
    await page.getByLabel('Password').fill('viewer horse battery');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(workspaceName).toBe('My workspace');
    expect(await page.getByTestId('workspace-menu').textContent()).toContain('viewer');
    await page.getByRole('link', { name: 'First shop bundle' }).waitFor();
    expect(await page.getByTestId('create-bundle').count()).toBe(0);
    expect(await page.getByTestId('role-note').textContent()).toContain('Needs the editor role: yours here is viewer.');
    await session.screenshot('viewer-list');

    await page.getByRole('link', { name: 'First shop bundle' }).click();
    await page.getByTestId('read-only-banner').waitFor();
    expect(await page.getByTestId('start').isDisabled()).toBe(true);
    expect(await page.getByTestId('save').isDisabled()).toBe(true);
    expect(await page.locator('.palette').count()).toBe(0);
    // The canvas is read-only: its node shows, without a "+" to add after it or a menu to change it.
    await page.locator('.react-flow__node').first().waitFor();
    expect(await page.locator('.node-menu-btn, .handle-add').count()).toBe(0);
    await session.screenshot('viewer-bundle');

    await page.getByTestId('nav-connections').click();
    await page.getByText('No connections yet').waitFor();
    expect(await page.getByTestId('new-connection').count()).toBe(0);
    expect(session.errors).toEqual([]);
  }, 60_000);
});
