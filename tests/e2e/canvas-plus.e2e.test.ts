// The canvas inviting the next step, in a real browser as a user clicks: "+" on an output handle opens the
// actions that fit and adds the chosen one already wired (on a branch's own handle too); the node menu
// duplicates, disables (a disabled half-built step does not keep the bundle from starting) and deletes;
// Ctrl+D duplicates; "?" lists the shortcuts; the menu stays inside the window. Screenshots: canvas-*.png.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@bundles/server/testing';
import type { Page } from 'playwright-core';
import { type BrowserSession, openBrowser, setUpOwner } from './support/browser.js';
import { ensureEditorBuilt, startServer, type RunningServer } from './support/server.js';

let backend: RunningServer;
let session: BrowserSession;
let page: Page;
let flowId = '';

type SavedGraph = {
  nodes: Array<{ id: string; type: string; disabled?: boolean; position: { x: number; y: number } }>;
  edges: Array<{ source: string; target: string; sourceHandle: string | null }>;
};

async function call(method: string, path: string, data?: unknown) {
  const res = await page.request.fetch(path, { method, ...(data !== undefined ? { data } : {}) });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return res.json();
}
const saved = async (): Promise<SavedGraph> => (await call('GET', `/api/flows/${flowId}`)).graph;
const savedIds = async () => (await saved()).nodes.map((n) => n.id).sort();
const allSaved = () => expect.poll(() => page.getByTestId('save-state').textContent()).toBe('All changes saved');

describe('the canvas in the browser', () => {
  beforeAll(async () => {
    await ensureEditorBuilt();
    backend = await startServer(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
    session = await openBrowser(backend.url, { screenshotPrefix: 'canvas' });
    page = session.page;
    await setUpOwner(page);
    await page.getByTestId('nav-bundles').waitFor();
    const hook = await call('POST', '/api/connections', { provider: 'webhook', name: 'Loja', config: {} });
    const graph = {
      nodes: [
        { id: 'webhook', type: 'core.webhook', connectionId: hook.id, config: {}, position: { x: 0, y: 0 } },
        { id: 'is_big', type: 'core.branch', config: { mode: 'all', conditions: [{ left: '{{ trigger.body.total }}', op: 'gte', right: 100 }] }, position: { x: 300, y: 0 } },
      ],
      edges: [{ source: 'webhook', target: 'is_big' }],
    };
    flowId = (await call('POST', '/api/flows', { name: 'Next steps', graph })).id;
    await page.goto(`/bundles/${flowId}`);
    await page.getByTestId('node-is_big').waitFor();
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await backend?.stop();
  });

  it('adds a wired node with "+" on a branch handle, from the actions that fit', async () => {
    await page.getByTestId('node-is_big').hover();
    await page.getByTestId('add-after-is_big-true').click();
    const popover = page.getByTestId('add-next');
    await popover.waitFor();
    // Only actions follow a handle: no trigger is offered.
    expect(await popover.getByTestId('add-next-core.webhook').count()).toBe(0);
    await session.screenshot('add-next');
    await page.getByTestId('add-next-search').fill('http');
    await page.keyboard.press('Enter');
    await page.getByTestId('node-http_request').waitFor();
    await popover.waitFor({ state: 'detached' });
    // The new node is selected, its settings open, and it sits to the right of the branch.
    await page.getByTestId('tab-inspect').waitFor();
    await allSaved();
    const graph = await saved();
    expect(graph.edges).toContainEqual({ id: 'e_is_big_true_http_request', source: 'is_big', target: 'http_request', sourceHandle: 'true' });
    const at = (id: string) => graph.nodes.find((n) => n.id === id)!.position;
    expect(at('http_request').x).toBeGreaterThan(at('is_big').x);
    // Added beyond the edge of the view, it is brought into it with the rest of the bundle.
    const pane = (await page.locator('.react-flow__pane').boundingBox())!;
    for (const id of ['webhook', 'http_request']) {
      const box = (await page.getByTestId(`node-${id}`).boundingBox())!;
      expect(box.x >= pane.x && box.x + box.width <= pane.x + pane.width, id).toBe(true);
    }

    // The trigger's single output: "+" adds after it as well.
    await page.getByTestId('node-webhook').hover();
    await page.getByTestId('add-after-webhook').click();
    await page.getByTestId('add-next-core.set').click();
    await page.getByTestId('node-set').waitFor();
    await allSaved();
    expect((await saved()).edges).toContainEqual(expect.objectContaining({ source: 'webhook', target: 'set', sourceHandle: null }));
    expect(session.errors).toEqual([]);
  }, 90_000);

  it('duplicates, disables and deletes from the node menu, which stays inside the window', async () => {
    await page.getByTestId('node-set').hover();
    await page.getByTestId('node-menu-btn-set').click();
    const menu = page.getByTestId('node-menu-set');
    await menu.waitFor();
    const box = (await menu.boundingBox())!;
    const win = page.viewportSize()!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(win.width);
    expect(box.y + box.height).toBeLessThanOrEqual(win.height);
    await session.screenshot('node-menu');
    await page.getByTestId('node-menu-duplicate').click();
    await page.getByTestId('node-set_2').waitFor();
    await allSaved();
    expect(await savedIds()).toEqual(['http_request', 'is_big', 'set', 'set_2', 'webhook']);

    // The http step has no URL yet: disabled, it no longer keeps the bundle from starting.
    await page.getByTestId('node-http_request').hover();
    await page.getByTestId('node-menu-btn-http_request').click();
    await page.getByTestId('node-menu-disable').click();
    await expect.poll(() => page.getByTestId('node-http_request').getAttribute('class')).toContain('is-disabled');
    await allSaved();
    expect((await saved()).nodes.find((n) => n.id === 'http_request')?.disabled).toBe(true);

    // The trigger cannot be duplicated or disabled: the menu says why.
    await page.getByTestId('node-webhook').hover();
    await page.getByTestId('node-menu-btn-webhook').click();
    expect(await page.getByTestId('node-menu-disable').isDisabled()).toBe(true);
    expect(await page.getByTestId('node-menu-duplicate').getAttribute('title')).toContain('exactly one trigger');
    await page.keyboard.press('Escape');
    await page.getByTestId('node-menu-webhook').waitFor({ state: 'detached' });

    await page.getByTestId('node-set_2').hover();
    await page.getByTestId('node-menu-btn-set_2').click();
    await page.getByTestId('node-menu-delete').click();
    await page.getByTestId('node-set_2').waitFor({ state: 'detached' });
    await allSaved();
    expect(await savedIds()).toEqual(['http_request', 'is_big', 'set', 'webhook']);
    // The set step has no fields yet (a problem); Delete removes the selected node.
    await page.getByTestId('node-set').click();
    await page.keyboard.press('Delete');
    await page.getByTestId('node-set').waitFor({ state: 'detached' });
    await allSaved();

    await page.getByTestId('start').click();
    await expect.poll(async () => (await call('GET', `/api/flows/${flowId}`)).status).toBe('running');
    expect(session.errors).toEqual([]);
  }, 90_000);

  it('duplicates the selection with Ctrl+D and lists the shortcuts with "?"', async () => {
    await page.getByTestId('node-is_big').click();
    await page.keyboard.press('Control+d');
    await page.getByTestId('node-branch').waitFor();
    await allSaved();
    expect(await savedIds()).toEqual(['branch', 'http_request', 'is_big', 'webhook']);

    await page.locator('.react-flow__pane').click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('Shift+?');
    const overlay = page.getByTestId('shortcuts-overlay');
    await overlay.waitFor();
    expect(await overlay.textContent()).toContain('Duplicate the selected steps');
    await session.screenshot('shortcuts');
    await page.keyboard.press('Escape');
    await overlay.waitFor({ state: 'detached' });
    expect(session.errors).toEqual([]);
  }, 60_000);
});
