// A bundle's versions: listed with author and time, read, restored as the draft (the live version keeps
// running), and an earlier one started again (a roll back): the next event runs it.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '@bundles/server/testing';
import { startSink, type Sink } from '../support/sink.js';
import { waitFor } from '../support/wait.js';

let b: TestBundles;
let sink: Sink;

beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
  sink = await startSink();
});
afterAll(async () => {
  await b?.close();
  await sink?.close();
});

describe('versions', () => {
  it('lists, reads, restores and rolls back', async () => {
    const hook = (await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Shop hook', config: {} })).body;
    const graphTo = (path: string) => ({
      nodes: [
        { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {}, position: { x: 0, y: 0 } },
        { id: 'call', type: 'core.http_request', config: { url: `${sink.url}${path}` }, position: { x: 250, y: 0 } },
      ],
      edges: [{ source: 'trigger', target: 'call' }],
    });
    const flow = (await b.api('POST', '/api/flows', { name: 'Versioned', graph: graphTo('/one') })).body;
    expect((await b.api('POST', `/api/flows/${flow.id}/start`)).body.activeVersion.number).toBe(1);
    expect((await b.api('PUT', `/api/flows/${flow.id}`, { graph: graphTo('/two') })).status).toBe(200);
    expect((await b.api('POST', `/api/flows/${flow.id}/start`)).body.activeVersion.number).toBe(2);

    const list = await b.api('GET', `/api/flows/${flow.id}/versions`);
    expect(list.status).toBe(200);
    expect(list.body.map((v: { version: number; live: boolean; createdBy: { email: string } | null }) => [v.version, v.live, v.createdBy?.email])).toEqual([
      [2, true, 'owner@example.com'],
      [1, false, 'owner@example.com'],
    ]);
    const v1 = await b.api('GET', `/api/flows/${flow.id}/versions/1`);
    expect(v1.body.graph.nodes[1].config.url).toBe(`${sink.url}/one`);
    expect((await b.api('GET', `/api/flows/${flow.id}/versions/9`)).status).toBe(404);

    // Restored as the draft: the live version 2 keeps running meanwhile.
    const restored = await b.api('POST', `/api/flows/${flow.id}/versions/1/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ status: 'running', activeVersion: { number: 2 }, hasDraftChanges: true });
    expect(restored.body.graph.nodes[1].config.url).toBe(`${sink.url}/one`);
    await fetch(hook.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' });
    await waitFor('the live version 2 called /two', async () => sink.requests.some((r) => r.url === '/two'));

    // Rolled back: version 1 runs again (no new version), and the next event calls /one.
    const rolledBack = await b.api('POST', `/api/flows/${flow.id}/start`, { version: 1 });
    expect(rolledBack.status, JSON.stringify(rolledBack.body)).toBe(200);
    expect(rolledBack.body.activeVersion.number).toBe(1);
    expect((await b.api('GET', `/api/flows/${flow.id}/versions`)).body.map((v: { version: number; live: boolean }) => [v.version, v.live])).toEqual([
      [2, false],
      [1, true],
    ]);
    await fetch(hook.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":2}' });
    await waitFor('version 1 called /one', async () => sink.requests.some((r) => r.url === '/one'));
    expect(sink.requests.filter((r) => r.url === '/two')).toHaveLength(1);
    expect((await b.api('POST', `/api/flows/${flow.id}/start`, { version: 7 })).status).toBe(404);
  });
});
