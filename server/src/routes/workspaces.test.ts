// /api/workspaces over a whole Bundles: a user's workspaces with their role, a new one (its maker the owner, default
// settings), switching the session (and where the next login starts), refused to tokens and to non-members.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { workspaceSummarySchema } from '@bundles/shared';
import { createApiToken } from '../services/tokens.js';
import { addTestMember, createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';

let b: TestBundles;
let home = '';

async function loginCookie(): Promise<string> {
  const res = await b.app!.inject({ method: 'POST', url: '/api/login', payload: { email: 'owner@example.com', password: 'correct horse battery' } });
  expect(res.statusCode).toBe(200);
  return String(res.headers['set-cookie']).split(';')[0]!;
}
const withCookie = async (cookie: string, method: 'GET' | 'POST', url: string, body?: object) => {
  const res = await b.app!.inject({ method, url, headers: { cookie }, ...(body ? { payload: body } : {}) });
  return { status: res.statusCode, body: res.body ? res.json() : null };
};

beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
  home = (await b.api('GET', '/api/me')).body.workspace.id;
});
afterAll(() => b?.close());

describe('workspaces', () => {
  it('lists the caller’s workspaces with their role, the current one marked', async () => {
    const res = await b.api('GET', '/api/workspaces');
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ id: home, name: 'My workspace', role: 'owner', current: true }]);
    for (const w of res.body) expect(workspaceSummarySchema.strict().parse(w)).toEqual(w);
  });

  it('makes a workspace with default settings whose maker is the owner, without moving the request', async () => {
    const made = await b.api('POST', '/api/workspaces', { name: '  Second shop  ' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'Second shop', role: 'owner', current: false });
    const settings = await b.database.pool.query(`select settings from workspaces where id = $1`, [made.body.id]);
    expect(settings.rows[0].settings).toEqual({});
    const list = (await b.api('GET', '/api/workspaces')).body as { id: string; current: boolean }[];
    expect(list.map((w) => [w.id, w.current])).toContainEqual([made.body.id, false]);
    expect((await b.api('GET', '/api/me')).body.workspace.id).toBe(home);
    const audit = await b.database.pool.query(`select kind, workspace_id from audit_log where target_id = $1`, [made.body.id]);
    expect(audit.rows).toEqual([{ kind: 'workspace.created', workspace_id: made.body.id }]);

    for (const name of ['', '   ', 'x'.repeat(101)]) {
      const bad = await b.api('POST', '/api/workspaces', { name });
      expect(bad.status, name).toBe(400);
      expect(bad.body.error.details.issues[0].field).toBe('body.name');
    }
  });

  it('switches the session to another workspace of the user, and the next login starts there', async () => {
    const other = (await b.api('POST', '/api/workspaces', { name: 'Switch target' })).body;
    const cookie = await loginCookie();
    await withCookie(cookie, 'POST', '/api/flows', { name: 'Home bundle' });

    const switched = await withCookie(cookie, 'POST', `/api/workspaces/${other.id}/switch`);
    expect(switched.status).toBe(200);
    expect(switched.body).toEqual({ id: other.id, name: 'Switch target', role: 'owner', current: true });
    const me = await withCookie(cookie, 'GET', '/api/me');
    expect(me.body).toMatchObject({ workspace: { id: other.id, name: 'Switch target' }, role: 'owner' });
    expect((await withCookie(cookie, 'GET', '/api/flows')).body).toEqual([]);
    expect((await withCookie(cookie, 'GET', '/api/workspaces')).body.find((w: { current: boolean }) => w.current).id).toBe(other.id);

    const next = await loginCookie();
    expect((await withCookie(next, 'GET', '/api/me')).body.workspace.id).toBe(other.id);
    // The token's workspace does not move with the session.
    expect((await b.api('GET', '/api/me')).body.workspace.id).toBe(home);

    expect((await withCookie(cookie, 'POST', `/api/workspaces/${home}/switch`)).status).toBe(200);
    expect((await withCookie(cookie, 'GET', '/api/flows')).body.map((f: { name: string }) => f.name)).toEqual(['Home bundle']);
  });

  it('refuses a workspace the user is not a member of with 404, and a token with token_cannot_switch', async () => {
    const stranger = (await b.database.pool.query<{ id: string }>(`insert into workspaces (name) values ('Stranger') returning id`)).rows[0]!.id;
    const cookie = await loginCookie();
    for (const id of [stranger, 'not-an-id', '00000000-0000-4000-8000-000000000000']) {
      const res = await withCookie(cookie, 'POST', `/api/workspaces/${id}/switch`);
      expect(res.status, id).toBe(404);
      expect(res.body.error).toEqual({ code: 'not_found', message: 'Workspace not found.' });
    }
    expect((await withCookie(cookie, 'GET', '/api/me')).body.workspace.id).toBe(home);

    const second = (await b.api('POST', '/api/workspaces', { name: 'Token target' })).body;
    const res = await b.api('POST', `/api/workspaces/${second.id}/switch`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('token_cannot_switch');
    expect((await b.api('GET', '/api/me')).body.workspace.id).toBe(home);
  });

  it('shows each member their own role, and a viewer may make a workspace of their own', async () => {
    const viewerId = await addTestMember(b.database.pool, home, 'ws-viewer@example.com', 'viewer');
    const viewer = await createApiToken(b.database.db, viewerId, home, 'viewer', 'read');
    const call = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const res = await b.app!.inject({ method, url, headers: { authorization: `Bearer ${viewer}` }, ...(payload ? { payload } : {}) });
      return { status: res.statusCode, body: res.json() };
    };
    expect((await call('GET', '/api/workspaces')).body).toEqual([{ id: home, name: 'My workspace', role: 'viewer', current: true }]);
    const own = await call('POST', '/api/workspaces', { name: 'Viewer’s own' });
    expect(own.status).toBe(201);
    expect((await call('GET', '/api/workspaces')).body.map((w: { name: string; role: string }) => [w.name, w.role])).toEqual([
      ['My workspace', 'viewer'],
      ['Viewer’s own', 'owner'],
    ]);
    // The owner of home is not a member of the viewer's new workspace.
    expect((await b.api('GET', '/api/workspaces')).body.map((w: { id: string }) => w.id)).not.toContain(own.body.id);
  });
});
