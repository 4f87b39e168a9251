import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';

let b: TestBundles;
let hookId = '';
let hook2Id = '';

const graphFor = (connectionId: string, extra: Record<string, unknown> = {}) => ({
  nodes: [
    { id: 'trigger', type: 'core.webhook', connectionId, config: {}, position: { x: 0, y: 0 } },
    { id: 'shape', type: 'core.set', config: { fields: { order: '{{ trigger.body.order }}' } }, position: { x: 250, y: 0 } },
    { id: 'post', type: 'core.http_request', config: { method: 'POST', url: 'http://127.0.0.1:9/in', body: '{{ steps.shape.order }}', ...extra }, position: { x: 500, y: 0 } },
  ],
  edges: [
    { source: 'trigger', target: 'shape' },
    { source: 'shape', target: 'post' },
  ],
});

beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
  hookId = (await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Hook', config: {} })).body.id;
  hook2Id = (await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Hook 2', config: {} })).body.id;
});
afterAll(() => b?.close());

describe('flows', () => {
  it('creates an empty draft, then saves a valid graph', async () => {
    const created = await b.api('POST', '/api/flows', { name: 'New bundle' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'New bundle', status: 'draft', graph: { nodes: [], edges: [] }, activeVersion: null, lastRun: null });
    const saved = await b.api('PUT', `/api/flows/${created.body.id}`, { graph: graphFor(hookId) });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.graph.nodes).toHaveLength(3);
    const list = await b.api('GET', '/api/flows');
    expect(list.body.map((f: { id: string }) => f.id)).toContain(created.body.id);
  });

  it('saves an invalid graph as a draft and answers its problems with node, field and reason; Start refuses it naming the same', async () => {
    const flow = await b.api('POST', '/api/flows', { name: 'Bad' });
    const graph = graphFor(hookId, { url: '', body: '{{ steps.shape.nope }} {{ trigger.body }}' });
    graph.nodes[1]!.config = { fields: { order: '{{ steps.post.status }}' } };
    const res = await b.api('PUT', `/api/flows/${flow.body.id}`, { graph });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.graph.nodes[1].config).toEqual({ fields: { order: '{{ steps.post.status }}' } });
    const problems = res.body.problems as Array<{ nodeId: string; field: string; message: string }>;
    expect(problems).toContainEqual(expect.objectContaining({ nodeId: 'post', field: 'url' }));
    expect(problems).toContainEqual({ nodeId: 'shape', field: 'fields.order', message: '{{ steps.post.status }}: node "post" does not run before this node' });
    // core.set's output is a record: any field may be read from it.
    expect(problems.find((i) => i.field === 'body')).toBeUndefined();
    // Reopened, the draft is as saved, with the same problems.
    const reopened = await b.api('GET', `/api/flows/${flow.body.id}`);
    expect(reopened.body.graph).toEqual(res.body.graph);
    expect(reopened.body.problems).toEqual(problems);
    const start = await b.api('POST', `/api/flows/${flow.body.id}/start`);
    expect(start.status).toBe(422);
    expect(start.body.error.code).toBe('invalid_flow');
    expect(start.body.error.details.issues).toEqual(problems);
    // A valid draft has none.
    const fixed = await b.api('PUT', `/api/flows/${flow.body.id}`, { graph: graphFor(hookId) });
    expect(fixed.body.problems).toEqual([]);
  });

  it('refuses (422 invalid_graph) only a body that is not a graph at all', async () => {
    const flow = await b.api('POST', '/api/flows', { name: 'Not a graph' });
    for (const graph of [{ nodes: 'many' }, { nodes: [{ id: 'Bad Id!', type: 'core.set' }] }, [1, 2]]) {
      const res = await b.api('PUT', `/api/flows/${flow.body.id}`, { graph });
      expect(res.status, JSON.stringify(graph)).toBe(422);
      expect(res.body.error.code).toBe('invalid_graph');
    }
    expect((await b.api('GET', `/api/flows/${flow.body.id}`)).body.graph).toEqual({ nodes: [], edges: [] });
  });

  it('answers cycles, a second trigger and a missing connection as problems', async () => {
    const flow = await b.api('POST', '/api/flows', { name: 'Cyclic' });
    const graph = graphFor(hookId);
    graph.edges.push({ source: 'post', target: 'shape' });
    graph.nodes.push({ id: 'trigger_2', type: 'core.webhook', connectionId: '', config: {}, position: { x: 0, y: 200 } } as never);
    const res = await b.api('PUT', `/api/flows/${flow.body.id}`, { graph });
    expect(res.status).toBe(200);
    const messages = res.body.problems.map((i: { nodeId?: string; field?: string; message: string }) => `${i.nodeId}|${i.field}|${i.message}`);
    expect(messages).toContain('trigger_2|undefined|a bundle has exactly one trigger: remove this one');
    expect(messages.some((m: string) => m.includes('cycle'))).toBe(true);
    expect(messages).toContain('trigger_2|connectionId|choose a webhook connection');
  });

  it('starts: publishes an immutable version and subscribes its trigger; edits make a draft; stop ends it', async () => {
    const flow = await b.api('POST', '/api/flows', { name: 'Runner', graph: graphFor(hookId) });
    const started = await b.api('POST', `/api/flows/${flow.body.id}/start`);
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ status: 'running', activeVersion: { number: 1 }, hasDraftChanges: false });
    const { rows: subs } = await b.database.pool.query('select connection_id, event_type, active, version_id from trigger_subscriptions where flow_id = $1', [flow.body.id]);
    expect(subs).toEqual([{ connection_id: hookId, event_type: 'webhook.request', active: true, version_id: started.body.activeVersion.id }]);

    const edited = graphFor(hook2Id);
    const saved = await b.api('PUT', `/api/flows/${flow.body.id}`, { graph: edited });
    expect(saved.body).toMatchObject({ status: 'running', activeVersion: { number: 1 }, hasDraftChanges: true });
    const { rows: v1 } = await b.database.pool.query('select graph from flow_versions where id = $1', [started.body.activeVersion.id]);
    expect(v1[0].graph.nodes[0].connectionId).toBe(hookId);

    const restarted = await b.api('POST', `/api/flows/${flow.body.id}/start`);
    expect(restarted.body).toMatchObject({ activeVersion: { number: 2 }, hasDraftChanges: false });
    const { rows: subs2 } = await b.database.pool.query('select connection_id, active from trigger_subscriptions where flow_id = $1 order by created_at', [flow.body.id]);
    expect(subs2).toEqual([
      { connection_id: hookId, active: false },
      { connection_id: hook2Id, active: true },
    ]);
    const stopped = await b.api('POST', `/api/flows/${flow.body.id}/stop`);
    expect(stopped.body.status).toBe('stopped');
    const { rows: subs3 } = await b.database.pool.query('select count(*)::int as n from trigger_subscriptions where flow_id = $1 and active', [flow.body.id]);
    expect(subs3[0].n).toBe(0);
  });

  it('refuses to start an invalid or empty bundle (422 with issues)', async () => {
    const flow = await b.api('POST', '/api/flows', { name: 'Empty' });
    const res = await b.api('POST', `/api/flows/${flow.body.id}/start`);
    expect(res.status).toBe(422);
    expect(res.body.error.details.issues[0].message).toContain('exactly one trigger');
  });

  it('exports and imports as JSON, clearing connections that do not exist here', async () => {
    const flow = await b.api('POST', '/api/flows', { name: 'Portable', graph: graphFor(hookId) });
    const exported = await b.api('GET', `/api/flows/${flow.body.id}/export`);
    expect(exported.body).toMatchObject({ format: 'bundles.flow/v1', name: 'Portable' });
    const imported = await b.api('POST', '/api/flows/import', exported.body);
    expect(imported.status).toBe(201);
    expect(imported.body.graph).toEqual(flow.body.graph);
    const foreign = structuredClone(exported.body);
    foreign.graph.nodes[0].connectionId = '00000000-0000-4000-8000-000000000000';
    const cleared = await b.api('POST', '/api/flows/import', foreign);
    expect(cleared.status).toBe(201);
    expect(cleared.body.graph.nodes[0].connectionId).toBeNull();
    const notAnExport = await b.api('POST', '/api/flows/import', { hello: 'world' });
    expect(notAnExport.status).toBe(422);
    expect(notAnExport.body.error.code).toBe('invalid_import');
  });

  it('duplicates, renames and deletes', async () => {
    const flow = await b.api('POST', '/api/flows', { name: 'Original', graph: graphFor(hookId) });
    const copy = await b.api('POST', `/api/flows/${flow.body.id}/duplicate`);
    expect(copy.status).toBe(201);
    expect(copy.body.name).toBe('Original (copy)');
    const renamed = await b.api('PUT', `/api/flows/${copy.body.id}`, { name: 'Renamed' });
    expect(renamed.body.name).toBe('Renamed');
    expect((await b.api('DELETE', `/api/flows/${copy.body.id}`)).status).toBe(204);
    expect((await b.api('GET', `/api/flows/${copy.body.id}`)).status).toBe(404);
    expect((await b.api('GET', '/api/flows/not-a-uuid')).body.error).toEqual({ code: 'not_found', message: 'Bundle not found.' });
  });
});
