// /api/invitations over a whole Bundles on its own database: made (the link answered once, its token kept
// only hashed), listed and revoked by admins within their role, previewed and accepted without a login
// (a new account, or an existing one with its password), spent, expired, already a member, throttled.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createdInvitationSchema, invitationPreviewSchema, invitationSchema } from '@bundles/shared';
import { hashPassword } from '../services/auth.js';
import { createApiToken, hashToken } from '../services/tokens.js';
import { addTestMember, createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';

let b: TestBundles;
let workspaceId = '';

const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, opts: { token?: string; cookie?: string; body?: object; address?: string } = {}) => {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  const res = await b.app!.inject({ method, url, headers, remoteAddress: opts.address ?? '127.0.0.1', ...(opts.body ? { payload: opts.body } : {}) });
  return { status: res.statusCode, body: res.body ? res.json() : null, headers: res.headers, cookies: res.cookies };
};
const invite = async (email: string, role = 'editor', token = b.token) => call('POST', '/api/invitations', { token, body: { email, role } });
const linkToken = (url: string) => url.split('/invite/')[1]!;
const accept = (body: object, address?: string) => call('POST', '/api/invitations/accept', { body, ...(address ? { address } : {}) });

beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
  workspaceId = (await b.api('GET', '/api/me')).body.workspace.id;
});
afterAll(() => b?.close());

describe('invitations', () => {
  it('makes a link of the public URL, lists it without the link, and lets the new member in as invited', async () => {
    const res = await invite('  New.Person@Example.com ', 'editor');
    expect(res.status).toBe(201);
    expect(createdInvitationSchema.strict().parse(res.body)).toEqual(res.body);
    expect(res.body.url).toMatch(new RegExp(`^${b.publicUrl}/invite/[A-Za-z0-9_-]{43}$`));
    expect(res.body).toMatchObject({ mailed: false });
    expect(res.body.mailError).toContain('BUNDLES_SMTP_URL');
    expect(Date.parse(res.body.expiresAt) - Date.now()).toBeGreaterThan(7 * 86_400_000 - 60_000);
    const token = linkToken(res.body.url);
    const stored = await b.database.pool.query('select token_hash from invitations where id = $1', [res.body.id]);
    expect(stored.rows[0].token_hash).toBe(hashToken(token));

    const list = await b.api('GET', '/api/invitations');
    expect(list.body).toEqual([expect.objectContaining({ id: res.body.id, email: 'new.person@example.com', role: 'editor', invitedBy: 'owner@example.com', expired: false })]);
    for (const i of list.body) expect(invitationSchema.strict().parse(i)).toEqual(i);
    expect(JSON.stringify(list.body)).not.toContain(token);

    const preview = await call('GET', `/api/invitations/${token}/preview`);
    expect(invitationPreviewSchema.strict().parse(preview.body)).toEqual({ workspace: { name: 'My workspace' }, email: 'new.person@example.com', role: 'editor', expiresAt: res.body.expiresAt, existingAccount: false });

    const short = await accept({ token, name: 'New Person', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.details.issues[0].field).toBe('body.password');
    const accepted = await accept({ token, name: 'New Person', password: 'a good password' });
    expect(accepted.status).toBe(200);
    expect(accepted.body.token).toMatch(/^bnd_/);
    const cookie = accepted.cookies.find((c) => c.name === 'bundles_session');
    expect(cookie?.httpOnly).toBe(true);
    const me = await call('GET', '/api/me', { cookie: `bundles_session=${cookie!.value}` });
    expect(me.body).toMatchObject({ user: { email: 'new.person@example.com', name: 'New Person' }, workspace: { id: workspaceId }, role: 'editor' });
    expect((await call('GET', '/api/me', { token: accepted.body.token })).body.role).toBe('editor');
    // An editor, not more.
    expect((await call('GET', '/api/users', { token: accepted.body.token })).status).toBe(403);
    const login = await call('POST', '/api/login', { body: { email: 'new.person@example.com', password: 'a good password' } });
    expect(login.status).toBe(200);

    expect((await b.api('GET', '/api/invitations')).body).toEqual([]);
    const kinds = (await b.database.pool.query(`select kind, actor_email, detail from audit_log where target_id = $1 order by created_at`, [res.body.id])).rows;
    expect(kinds).toEqual([
      { kind: 'invitation.created', actor_email: 'owner@example.com', detail: { email: 'new.person@example.com', role: 'editor' } },
      { kind: 'invitation.accepted', actor_email: 'new.person@example.com', detail: { email: 'new.person@example.com', role: 'editor' } },
    ]);

    const again = await accept({ token, name: 'New Person', password: 'a good password' });
    expect(again.status).toBe(410);
    expect(again.body.error.code).toBe('invitation_used');
    expect((await call('GET', `/api/invitations/${token}/preview`)).body.error.code).toBe('invitation_used');
  });

  it('refuses an expired link and an unknown one', async () => {
    const res = await invite('late@example.com', 'viewer');
    await b.database.pool.query(`update invitations set expires_at = now() - interval '1 second' where id = $1`, [res.body.id]);
    expect((await b.api('GET', '/api/invitations')).body.find((i: { id: string }) => i.id === res.body.id).expired).toBe(true);
    const late = await accept({ token: linkToken(res.body.url), name: 'Late', password: 'a good password' });
    expect(late.status).toBe(410);
    expect(late.body.error.code).toBe('invitation_expired');
    expect((await b.database.pool.query(`select 1 from users where email = 'late@example.com'`)).rowCount).toBe(0);
    const unknown = await accept({ token: 'nothing-like-it', name: 'X', password: 'a good password' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('invitation_not_found');
    expect((await call('GET', '/api/invitations/nothing-like-it/preview')).status).toBe(404);
  });

  it('revokes: the link leads nowhere and the revocation is recorded', async () => {
    const res = await invite('revoked@example.com');
    expect((await b.api('DELETE', `/api/invitations/${res.body.id}`)).status).toBe(204);
    expect((await accept({ token: linkToken(res.body.url), name: 'R', password: 'a good password' })).body.error.code).toBe('invitation_not_found');
    expect((await b.api('DELETE', `/api/invitations/${res.body.id}`)).status).toBe(404);
    expect((await b.database.pool.query(`select 1 from audit_log where kind = 'invitation.revoked' and target_id = $1`, [res.body.id])).rowCount).toBe(1);
  });

  it('refuses to invite a member, and replaces a pending invitation to the same address', async () => {
    const member = await invite('OWNER@example.com');
    expect(member.status).toBe(409);
    expect(member.body.error.code).toBe('already_member');
    const first = await invite('twice@example.com', 'viewer');
    const second = await invite('twice@example.com', 'editor');
    expect((await accept({ token: linkToken(first.body.url), name: 'T', password: 'a good password' })).status).toBe(404);
    expect((await b.api('GET', '/api/invitations')).body.filter((i: { email: string }) => i.email === 'twice@example.com').map((i: { role: string }) => i.role)).toEqual(['editor']);
    expect(second.status).toBe(201);
  });

  it('lets an admin invite up to their own role only, and nobody below admin invite at all', async () => {
    const adminId = await addTestMember(b.database.pool, workspaceId, 'inviting-admin@example.com', 'admin');
    const admin = await createApiToken(b.database.db, adminId, workspaceId, 't');
    expect((await invite('a1@example.com', 'admin', admin)).status).toBe(201);
    const owner = await invite('a2@example.com', 'owner', admin);
    expect(owner.status).toBe(403);
    expect(owner.body.error.code).toBe('forbidden');
    const editorId = await addTestMember(b.database.pool, workspaceId, 'inviting-editor@example.com', 'editor');
    const editor = await createApiToken(b.database.db, editorId, workspaceId, 't');
    expect((await invite('a3@example.com', 'viewer', editor)).status).toBe(403);
    expect((await call('GET', '/api/invitations', { token: editor })).status).toBe(403);
  });

  it('adds an existing account with its current password, not a new one', async () => {
    const ws = (await b.database.pool.query<{ id: string }>(`insert into workspaces (name) values ('Elsewhere') returning id`)).rows[0]!.id;
    const id = await addTestMember(b.database.pool, ws, 'known@example.com', 'owner');
    await b.database.pool.query('update users set password_hash = $1, name = $2 where id = $3', [await hashPassword('known password'), 'Known', id]);
    const res = await invite('known@example.com', 'viewer');
    const token = linkToken(res.body.url);
    expect((await call('GET', `/api/invitations/${token}/preview`)).body.existingAccount).toBe(true);
    const wrong = await accept({ token, password: 'not the password' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('wrong_password');
    const ok = await accept({ token, name: 'Ignored', password: 'known password' });
    expect(ok.status).toBe(200);
    const me = (await call('GET', '/api/me', { token: ok.body.token })).body;
    expect(me).toMatchObject({ user: { id, name: 'Known' }, workspace: { id: workspaceId }, role: 'viewer' });
    // Still the owner of their own workspace.
    expect((await b.database.pool.query('select role from memberships where user_id = $1 and workspace_id = $2', [id, ws])).rows[0].role).toBe('owner');
  });

  it('pauses acceptance after too many failures per invitation and per client address (429, Retry-After)', async () => {
    const ws = (await b.database.pool.query<{ id: string }>(`insert into workspaces (name) values ('Throttled') returning id`)).rows[0]!.id;
    const id = await addTestMember(b.database.pool, ws, 'guessed@example.com', 'owner');
    await b.database.pool.query('update users set password_hash = $1 where id = $2', [await hashPassword('the real one'), id]);
    const token = linkToken((await invite('guessed@example.com', 'viewer')).body.url);
    for (let i = 0; i < 10; i++) expect((await accept({ token, password: `guess ${i}` }, '10.0.0.1')).status).toBe(403);
    const paused = await accept({ token, password: 'the real one' }, '10.0.0.2');
    expect(paused.status).toBe(429);
    expect(paused.body.error.code).toBe('too_many_attempts');
    expect(Number(paused.headers['retry-after'])).toBeGreaterThan(0);
    // The guesses counted against the account's sign-in too.
    expect((await call('POST', '/api/login', { body: { email: 'guessed@example.com', password: 'the real one' }, address: '10.0.0.3' })).status).toBe(429);

    // One address guessing links: 30 misses, then refused even for a good link.
    const good = linkToken((await invite('fresh@example.com', 'viewer')).body.url);
    for (let i = 0; i < 30; i++) expect((await accept({ token: `guess-${i}`, name: 'G', password: 'a good password' }, '10.0.0.9')).status).toBe(404);
    expect((await accept({ token: good, name: 'G', password: 'a good password' }, '10.0.0.9')).status).toBe(429);
    expect((await accept({ token: good, name: 'G', password: 'a good password' }, '10.0.0.10')).status).toBe(200);
  });
});
