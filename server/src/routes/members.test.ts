// /api/users and /api/me/… over a whole Bundles on its own database: members listed (admin only), roles
// changed within the owner rules (never the last owner), a removed member's token and session refused on the
// very next request, workspaces apart; changing the password and signing out other sessions.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { memberSchema } from '@bundles/shared';
import { createSession, hashPassword } from '../services/auth.js';
import { createApiToken } from '../services/tokens.js';
import { addTestMember, createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';

let b: TestBundles;
let workspaceId = '';
let ownerId = '';
let otherWorkspaceId = '';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const as = async (auth: { token?: string; cookie?: string }, method: Method, url: string, body?: object) => {
  const headers: Record<string, string> = auth.token ? { authorization: `Bearer ${auth.token}` } : { cookie: `bundles_session=${auth.cookie}` };
  const res = await b.app!.inject({ method, url, headers, ...(body ? { payload: body } : {}) });
  return { status: res.statusCode, body: res.body ? res.json() : null, headers: res.headers };
};

/** A member of `ws` with a role, an API token and a session there. */
async function member(email: string, role: 'viewer' | 'editor' | 'admin' | 'owner', ws = workspaceId) {
  const id = await addTestMember(b.database.pool, ws, email, role);
  const token = await createApiToken(b.database.db, id, ws, 'test');
  const cookie = (await createSession(b.database.db, id, ws)).token;
  return { id, token, cookie };
}

const audit = async (kind: string, targetId: string) =>
  (await b.database.pool.query<{ detail: object; actor_email: string }>('select detail, actor_email from audit_log where kind = $1 and target_id = $2', [kind, targetId])).rows;

beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
  const me = await b.api('GET', '/api/me');
  workspaceId = me.body.workspace.id;
  ownerId = me.body.user.id;
  otherWorkspaceId = (await b.database.pool.query<{ id: string }>(`insert into workspaces (name) values ('Other shop') returning id`)).rows[0]!.id;
});
afterAll(() => b?.close());

describe('members', () => {
  it('lists the members with their roles to an admin, and to nobody below', async () => {
    const admin = await member('list-admin@example.com', 'admin');
    const editor = await member('list-editor@example.com', 'editor');
    await member('elsewhere@example.com', 'owner', otherWorkspaceId);
    const res = await as(admin, 'GET', '/api/users');
    expect(res.status).toBe(200);
    for (const m of res.body) expect(memberSchema.strict().parse(m)).toEqual(m);
    const byEmail = Object.fromEntries(res.body.map((m: { email: string; role: string }) => [m.email, m.role]));
    expect(byEmail).toMatchObject({ 'owner@example.com': 'owner', 'list-admin@example.com': 'admin', 'list-editor@example.com': 'editor' });
    expect(byEmail['elsewhere@example.com']).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toContain('password');
    expect((await as(editor, 'GET', '/api/users')).body.error.code).toBe('forbidden');
  });

  it('lets an admin change roles below owner, and records the change', async () => {
    const admin = await member('roles-admin@example.com', 'admin');
    const editor = await member('roles-editor@example.com', 'editor');
    const res = await as(admin, 'PATCH', `/api/users/${editor.id}`, { role: 'viewer' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: editor.id, email: 'roles-editor@example.com', role: 'viewer' });
    expect(await audit('user.role_changed', editor.id)).toEqual([{ actor_email: 'roles-admin@example.com', detail: { email: 'roles-editor@example.com', role: 'viewer', previousRole: 'editor' } }]);
    // The new role counts on the member's very next request.
    expect((await as(editor, 'POST', '/api/connections', { provider: 'twilio', name: 'x', config: {} })).status).toBe(403);
  });

  it('keeps owners to owners: an admin neither makes, unmakes nor becomes one', async () => {
    const admin = await member('owner-rules-admin@example.com', 'admin');
    const editor = await member('owner-rules-editor@example.com', 'editor');
    expect((await as(admin, 'PATCH', `/api/users/${editor.id}`, { role: 'owner' })).status).toBe(403);
    expect((await as(admin, 'PATCH', `/api/users/${ownerId}`, { role: 'admin' })).status).toBe(403);
    const self = await as(admin, 'PATCH', `/api/users/${admin.id}`, { role: 'owner' });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('forbidden');
    // Lowering one's own role is allowed.
    expect((await as(admin, 'PATCH', `/api/users/${admin.id}`, { role: 'editor' })).body.role).toBe('editor');
    expect((await b.api('GET', '/api/users')).body.find((m: { id: string }) => m.id === ownerId).role).toBe('owner');
  });

  it('never leaves a workspace without an owner', async () => {
    const ws = (await b.database.pool.query<{ id: string }>(`insert into workspaces (name) values ('Solo') returning id`)).rows[0]!.id;
    const solo = await member('solo@example.com', 'owner', ws);
    const demote = await as(solo, 'PATCH', `/api/users/${solo.id}`, { role: 'admin' });
    expect(demote.status).toBe(409);
    expect(demote.body.error.code).toBe('last_owner');
    expect((await as(solo, 'DELETE', `/api/users/${solo.id}`)).body.error.code).toBe('last_owner');
    const second = await member('second-owner@example.com', 'owner', ws);
    expect((await as(solo, 'PATCH', `/api/users/${second.id}`, { role: 'admin' })).status).toBe(200);
    expect((await as(solo, 'PATCH', `/api/users/${second.id}`, { role: 'owner' })).status).toBe(200);
    expect((await as(second, 'PATCH', `/api/users/${solo.id}`, { role: 'viewer' })).status).toBe(200);
    expect((await as(second, 'PATCH', `/api/users/${second.id}`, { role: 'admin' })).body.error.code).toBe('last_owner');
  });

  it('refuses a removed member’s token and session on the very next request, while another member’s still work', async () => {
    const admin = await member('remover@example.com', 'admin');
    const leaving = await member('leaving@example.com', 'editor');
    const staying = await member('staying@example.com', 'editor');
    const elsewhere = await addTestMember(b.database.pool, otherWorkspaceId, 'leaving@example.com', 'viewer');
    expect(elsewhere).toBe(leaving.id);
    const elsewhereToken = await createApiToken(b.database.db, leaving.id, otherWorkspaceId, 'other');
    expect((await as(leaving, 'GET', '/api/flows')).status).toBe(200);

    expect((await as(admin, 'DELETE', `/api/users/${leaving.id}`)).status).toBe(204);
    const refused = await as(leaving, 'GET', '/api/flows');
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid_token');
    expect((await as({ cookie: leaving.cookie }, 'GET', '/api/flows')).status).toBe(401);
    expect((await b.database.pool.query('select 1 from api_tokens where user_id = $1 and workspace_id = $2', [leaving.id, workspaceId])).rowCount).toBe(0);
    expect((await as(staying, 'GET', '/api/flows')).status).toBe(200);
    expect((await as({ cookie: staying.cookie }, 'GET', '/api/flows')).status).toBe(200);
    // Their membership elsewhere is theirs still.
    expect((await as({ token: elsewhereToken }, 'GET', '/api/flows')).status).toBe(200);
    expect(await audit('user.removed', leaving.id)).toEqual([{ actor_email: 'remover@example.com', detail: { email: 'leaving@example.com', role: 'editor' } }]);
    expect((await as(admin, 'DELETE', `/api/users/${leaving.id}`)).status).toBe(404);
  });

  it('lets only an owner remove an owner', async () => {
    const admin = await member('owner-remover-admin@example.com', 'admin');
    const coOwner = await member('co-owner@example.com', 'owner');
    expect((await as(admin, 'DELETE', `/api/users/${coOwner.id}`)).body.error.code).toBe('forbidden');
    expect((await b.api('DELETE', `/api/users/${coOwner.id}`)).status).toBe(204);
    expect((await as(coOwner, 'GET', '/api/flows')).status).toBe(401);
  });

  it('does not find another workspace’s member', async () => {
    const stranger = await member('stranger@example.com', 'editor', otherWorkspaceId);
    expect((await b.api('PATCH', `/api/users/${stranger.id}`, { role: 'viewer' })).status).toBe(404);
    expect((await b.api('DELETE', `/api/users/${stranger.id}`)).status).toBe(404);
    expect((await b.api('DELETE', '/api/users/not-an-id')).status).toBe(404);
    expect((await as(stranger, 'GET', '/api/flows')).status).toBe(200);
  });
});

describe('the account', () => {
  it('changes the password, keeps this session and signs out the others', async () => {
    const viewer = await member('pw@example.com', 'viewer');
    await b.database.pool.query('update users set password_hash = $1 where id = $2', [await hashPassword('old password 1'), viewer.id]);
    const other = (await createSession(b.database.db, viewer.id, workspaceId)).token;
    const wrong = await as({ cookie: viewer.cookie }, 'POST', '/api/me/password', { currentPassword: 'nope nope', newPassword: 'new password 2' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('wrong_password');
    expect((await as({ cookie: other }, 'GET', '/api/me')).status).toBe(200);
    const short = await as({ cookie: viewer.cookie }, 'POST', '/api/me/password', { currentPassword: 'old password 1', newPassword: 'short' });
    expect(short.body.error.message).toContain('newPassword');

    expect((await as({ cookie: viewer.cookie }, 'POST', '/api/me/password', { currentPassword: 'old password 1', newPassword: 'new password 2' })).status).toBe(204);
    expect((await as({ cookie: viewer.cookie }, 'GET', '/api/me')).status).toBe(200);
    expect((await as({ cookie: other }, 'GET', '/api/me')).status).toBe(401);
    const login = await b.app!.inject({ method: 'POST', url: '/api/login', payload: { email: 'pw@example.com', password: 'new password 2' } });
    expect(login.statusCode).toBe(200);
    expect((await audit('password.changed', viewer.id)).length).toBe(1);
  });

  it('counts a wrong current password like a failed sign-in (429 with Retry-After)', async () => {
    const viewer = await member('pw-throttle@example.com', 'viewer');
    await b.database.pool.query('update users set password_hash = $1 where id = $2', [await hashPassword('right password'), viewer.id]);
    for (let i = 0; i < 10; i++) {
      expect((await as({ cookie: viewer.cookie }, 'POST', '/api/me/password', { currentPassword: `wrong ${i}`, newPassword: 'whatever 123' })).status).toBe(403);
    }
    const paused = await as({ cookie: viewer.cookie }, 'POST', '/api/me/password', { currentPassword: 'right password', newPassword: 'whatever 123' });
    expect(paused.status).toBe(429);
    expect(Number(paused.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('signs out the other sessions on request, and says how many', async () => {
    const editor = await member('sessions@example.com', 'editor');
    const a = (await createSession(b.database.db, editor.id, workspaceId)).token;
    await addTestMember(b.database.pool, otherWorkspaceId, 'sessions@example.com', 'viewer');
    const c = (await createSession(b.database.db, editor.id, otherWorkspaceId)).token;
    expect((await as({ cookie: a }, 'GET', '/api/me')).status).toBe(200);
    expect((await as({ cookie: c }, 'GET', '/api/me')).status).toBe(200);
    const res = await as({ cookie: editor.cookie }, 'POST', '/api/me/sessions/sign-out-others');
    expect(res.body).toEqual({ signedOut: 2 });
    expect((await as({ cookie: a }, 'GET', '/api/me')).status).toBe(401);
    expect((await as({ cookie: c }, 'GET', '/api/me')).status).toBe(401);
    expect((await as({ cookie: editor.cookie }, 'GET', '/api/me')).status).toBe(200);
    expect((await audit('sessions.signed_out_others', editor.id)).length).toBe(1);
  });
});
