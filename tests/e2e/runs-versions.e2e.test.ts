// The Runs page and versions in a real browser, as a user clicks: find the run of order 5002 by its id, open
// it in its bundle, fix the bundle (published as version 2), retry the failed run on the live version, compare
// the versions and roll back to version 1. Screenshots go to test-results/screenshots/runs-*.png.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '@bundles/server/testing';
import type { Page } from 'playwright-core';
import { startSink, type Sink } from '../support/sink.js';
import { waitFor } from '../support/wait.js';
import { type BrowserSession, openBrowser, setUpOwner } from './support/browser.js';
import { ensureEditorBuilt, startServer, type RunningServer } from './support/server.js';

let backend: RunningServer;
let sink: Sink;
let session: BrowserSession;
let page: Page;
let flowId = '';
let hookUrl = '';

async function call(method: string, path: string, data?: unknown) {
  const res = await page.request.fetch(path, { method, ...(data !== undefined ? { data } : {}) });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return res.json();
}

const graphTo = (connectionId: string, path: string) => ({
  nodes: [
    { id: 'trigger', type: 'core.webhook', connectionId, config: {}, position: { x: 0, y: 0 } },
    { id: 'forward', type: 'core.http_request', config: { url: `${sink.url}${path}` }, position: { x: 300, y: 0 } },
  ],
  edges: [{ source: 'trigger', target: 'forward' }],
});

describe('runs and versions in the browser', () => {
  beforeAll(async () => {
    sink = await startSink();
    await ensureEditorBuilt();
    backend = await startServer(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
    session = await openBrowser(backend.url, { screenshotPrefix: 'runs' });
    page = session.page;
    await setUpOwner(page);
    await page.getByTestId('nav-runs').waitFor();
    const hook = await call('POST', '/api/connections', { provider: 'webhook', name: 'Loja', config: {} });
    hookUrl = hook.webhookUrl;
    const flow = await call('POST', '/api/flows', { name: 'Pedido → CRM', graph: graphTo(hook.id, '/old-crm') });
    flowId = flow.id;
    await call('POST', `/api/flows/${flowId}/start`);
    // The old CRM address is gone: both orders' runs fail.
    sink.script.push({ status: 404, body: '{"error":"moved"}' }, { status: 404, body: '{"error":"moved"}' });
    for (const order of ['5001', '5002']) {
      const res = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': order }, body: JSON.stringify({ order }) });
      expect(res.status).toBe(200);
    }
    await waitFor('both runs failed', async () => {
      const runs = (await call('GET', `/api/runs?flowId=${flowId}`)).items as Array<{ status: string }>;
      return runs.length === 2 && runs.every((r) => r.status === 'failed');
    });
  }, 180_000);

  afterAll(async () => {
    await session?.close();
    await backend?.stop();
    await sink?.close();
  }, 60_000);

  it('finds the run of order 5002 by its id and retries it on the fixed, live version', async () => {
    await page.getByTestId('nav-runs').click();
    await expect.poll(() => page.getByTestId('runs-row').count()).toBe(2);
    await page.getByTestId('runs-search').fill('5002');
    await expect.poll(() => page.getByTestId('runs-row').count()).toBe(1);
    expect(await page.getByTestId('runs-row').getAttribute('data-status')).toBe('failed');
    await session.screenshot('search');

    // The fix, published as version 2 (as another tab or a colleague would).
    const flow = await call('GET', `/api/flows/${flowId}`);
    await call('PUT', `/api/flows/${flowId}`, { graph: graphTo(flow.graph.nodes[0].connectionId, '/new-crm') });
    await call('POST', `/api/flows/${flowId}/start`);

    await page.getByTestId('runs-row').click();
    await page.getByTestId('run-summary').waitFor();
    await page.getByTestId('run-retry-live').click();
    await expect.poll(() => page.getByTestId('run-summary').getAttribute('data-status'), { timeout: 30_000 }).toBe('succeeded');
    expect(sink.requests.filter((r) => r.url === '/new-crm').map((r) => JSON.parse(r.body || '{}'))).toHaveLength(1);
    // Each attempt says which version it ran.
    await expect.poll(() => page.getByTestId('run-attempt-1').textContent()).toMatch(/Attempt 1 · v1.*failed/);
    expect(await page.getByTestId('run-attempt-2').textContent()).toMatch(/Attempt 2 · v2 \(live, on retry\).*succeeded/);
    await session.screenshot('retried');
  }, 120_000);

  it('compares the versions and rolls back to version 1', async () => {
    await page.getByTestId('tab-versions').click();
    await page.getByTestId('version-2').waitFor();
    await page.getByTestId('version-1').click();
    await page.getByLabel('Compare with').selectOption('2');
    await expect.poll(() => page.getByTestId('version-diff').textContent()).toMatch(/from version 2 to version 1.*url:.*new-crm.*→.*old-crm/);
    await session.screenshot('versions');
    await page.getByTestId('version-start').click();
    await page.getByRole('button', { name: 'Start version 1' }).click();
    await page.getByText('Running version 1').waitFor();
    expect((await call('GET', `/api/flows/${flowId}`)).activeVersion.number).toBe(1);
    expect(session.errors).toEqual([]);
  }, 60_000);
});
