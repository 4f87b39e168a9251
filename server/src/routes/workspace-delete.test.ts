// DELETE /api/workspaces/:id: an owner deletes the workspace they act in, typing its name, with its bundles,
// connections, history and members' access; the caller's only workspace is kept (409); another's is untouched.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { addTestMember, createApiToken, createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';

let b: TestBundles;
let home = '';
const as = async (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, body?: object) => {
  const res = await b.app!.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body } : {}) });
  return { status: res.statusCode, body: res.body ? res.json() : null };
};
const countIn = async (table: string, ws: string) => Number((await b.database.pool.query(`select count(*) from ${table} where workspace_id = $1`, [ws])).rows[0].count);

beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
  home = (await b.api('GET', '/api/me')).body.workspace.id;
});
afterAll(() => b?.close());

describe('deleting a workspace', () => {
  it('removes it with its bundles, connections, history, members and tokens; the owner’s other workspace stays', async () => {
    const { pool, db } = b.database;
    const shop = (await b.api('POST', '/api/workspaces', { name: 'Closing shop' })).body.id as string;
    const ownerId = (await b.api('GET', '/api/me')).body.user.id as string;
    const token = await createApiToken(db, ownerId, shop, 'closing');
    const memberToken = await createApiToken(db, await addTestMember(pool, shop, 'helper@example.com', 'admin'), shop, 'helper');
    const hook = await as(token, 'POST', '/api/connections', { provider: 'webhook', name: 'Hook', config: {} });
    const flow = await as(token, 'POST', '/api/flows', { name: 'Doomed', graph: { nodes: [{ id: 'trigger', type: 'core.webhook', connectionId: hook.body.id, config: {}, position: { x: 0, y: 0 } }], edges: [] } });
    expect((await as(token, 'POST', `/api/flows/${flow.body.id}/start`)).status).toBe(200);
    expect((await fetch(hook.body.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' })).status).toBe(200);
    expect(await countIn('events', shop)).toBe(1);
    const homeFlows = await countIn('flows', home);

    const wrongName = await as(token, 'DELETE', `/api/workspaces/${shop}`, { confirmName: 'closing shop' });
    expect(wrongName.status).toBe(422);
    expect(wrongName.body.error.details.issues[0].field).toBe('confirmName');
    expect((await as(memberToken, 'DELETE', `/api/workspaces/${shop}`, { confirmName: 'Closing shop' })).status).toBe(403);
    expect((await as(token, 'DELETE', `/api/workspaces/${home}`, { confirmName: 'My workspace' })).status).toBe(404);

    expect((await as(token, 'DELETE', `/api/workspaces/${shop}`, { confirmName: 'Closing shop' })).status).toBe(204);
    for (const table of ['flows', 'connections', 'events', 'runs', 'messages', 'memberships', 'api_tokens', 'audit_log']) expect(await countIn(table, shop), table).toBe(0);
    expect((await pool.query(`select 1 from workspaces where id = $1`, [shop])).rowCount).toBe(0);
    // Its tokens are refused at once; its webhook finds nothing; the home workspace is as it was.
    expect((await as(memberToken, 'GET', '/api/flows')).status).toBe(401);
    expect((await fetch(hook.body.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":2}' })).status).toBe(404);
    expect(await countIn('events', shop)).toBe(0);
    expect(await countIn('flows', home)).toBe(homeFlows);
    expect((await b.api('GET', '/api/workspaces')).body.map((w: { id: string }) => w.id)).toEqual([home]);
  });

  it('keeps the caller’s only workspace (409 last_workspace)', async () => {
    const res = await b.api('DELETE', `/api/workspaces/${home}`, { confirmName: 'My workspace' });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('last_workspace');
    expect((await b.api('GET', '/api/me')).body.workspace.id).toBe(home);
  });
});
