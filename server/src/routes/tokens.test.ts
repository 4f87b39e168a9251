// /api/tokens over a whole Bundles on its own database: made (the value answered once), listed without values,
// revoked (refused at once), expiry (401 token_expired), the last use recorded at most once a minute, workspaces apart.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { apiTokenSchema, createdApiTokenSchema } from '@bundles/shared';
import { createApiToken, hashToken } from '../services/tokens.js';
import { addTestMember, createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';

let b: TestBundles;
let otherToken = '';

const withToken = async (token: string, method: 'GET' | 'POST' | 'DELETE' = 'GET', url = '/api/flows', body?: object) => {
  const res = await b.app!.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body } : {}) });
  return { status: res.statusCode, body: res.body ? res.json() : null };
};
const row = async (id: string) =>
  (await b.database.pool.query<{ last_used_at: Date | null; xmin: string }>('select last_used_at, xmin::text from api_tokens where id = $1', [id])).rows[0];

beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
  const { pool, db } = b.database;
  const ws = await pool.query<{ id: string }>(`insert into workspaces (name) values ('Other shop') returning id`);
  const userId = await addTestMember(pool, ws.rows[0]!.id, 'other@example.com');
  otherToken = await createApiToken(db, userId, ws.rows[0]!.id, 'other shop ci');
});
afterAll(() => b?.close());

describe('API tokens', () => {
  let ci = { id: '', token: '' };

  it('makes a token and answers its value once; the list shows it without value or hash', async () => {
    const res = await b.api('POST', '/api/tokens', { name: '  Zapier  ' });
    expect(res.status).toBe(201);
    expect(createdApiTokenSchema.strict().parse(res.body)).toMatchObject({ name: 'Zapier', expiresAt: null, lastUsedAt: null, scope: 'admin', userEmail: 'owner@example.com' });
    expect(res.body.token).toMatch(/^bnd_[A-Za-z0-9_-]{32}$/);
    expect(res.body.prefix).toBe(res.body.token.slice(0, 8));
    ci = res.body;

    const list = await b.api('GET', '/api/tokens');
    expect(list.status).toBe(200);
    expect(list.body.map((t: { name: string }) => t.name)).toEqual(['Zapier', 'setup']);
    for (const t of list.body) expect(apiTokenSchema.strict().parse(t)).toEqual(t);
    expect(list.body[0]).toEqual({
      id: ci.id,
      name: 'Zapier',
      prefix: ci.token.slice(0, 8),
      createdAt: res.body.createdAt,
      lastUsedAt: null,
      expiresAt: null,
      scope: 'admin',
      userEmail: 'owner@example.com',
    });
    expect(JSON.stringify(list.body)).not.toContain(ci.token);
    expect(JSON.stringify(list.body)).not.toContain(hashToken(ci.token));
    // The setup token was used by every call of this test: its use is recorded.
    expect(list.body[1].lastUsedAt).not.toBeNull();
  });

  it('opens the API to the new token, and records its last use', async () => {
    expect((await withToken(ci.token)).status).toBe(200);
    const used = (await b.api('GET', '/api/tokens')).body.find((t: { id: string }) => t.id === ci.id);
    expect(Date.now() - Date.parse(used.lastUsedAt)).toBeLessThan(60_000);
  });

  it('writes the last use at most once a minute, not once a request', async () => {
    const before = (await row(ci.id))!;
    for (let i = 0; i < 5; i++) expect((await withToken(ci.token)).status).toBe(200);
    const after = (await row(ci.id))!;
    // xmin changes with every write of the row, even one that changes no value.
    expect(after).toEqual(before);

    await b.database.pool.query(`update api_tokens set last_used_at = now() - interval '61 seconds' where id = $1`, [ci.id]);
    const stale = (await row(ci.id))!;
    expect((await withToken(ci.token)).status).toBe(200);
    const fresh = (await row(ci.id))!;
    expect(fresh.last_used_at!.getTime()).toBeGreaterThan(stale.last_used_at!.getTime() + 60_000);
    expect(fresh.xmin).not.toBe(stale.xmin);
  });

  it('gives a token a life of 1 to 3650 days, and refuses it once expired with token_expired', async () => {
    const res = await b.api('POST', '/api/tokens', { name: 'Month', expiresInDays: 30 });
    expect(res.status).toBe(201);
    expect(Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt)).toBeGreaterThan(30 * 86_400_000 - 5_000);
    expect(Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt)).toBeLessThan(30 * 86_400_000 + 5_000);
    expect((await withToken(res.body.token)).status).toBe(200);

    await b.database.pool.query(`update api_tokens set expires_at = now() - interval '1 second' where id = $1`, [res.body.id]);
    const refused = await withToken(res.body.token);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('token_expired');
    expect(refused.body.error.message).toMatch(/^This API token expired at \d{4}-\d\d-\d\dT/);

    for (const expiresInDays of [0, 3651, 1.5]) {
      const bad = await b.api('POST', '/api/tokens', { name: 'Bad', expiresInDays });
      expect(bad.status, String(expiresInDays)).toBe(400);
      expect(bad.body.error.details.issues[0].field).toBe('body.expiresInDays');
    }
    const noName = await b.api('POST', '/api/tokens', { name: '   ' });
    expect(noName.status).toBe(400);
    expect(noName.body.error.details.issues[0].field).toBe('body.name');
  });

  it('refuses a token it does not know with invalid_token, and a request without any with unauthorized', async () => {
    const unknown = await withToken('bnd_nope');
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toEqual({ code: 'invalid_token', message: 'This API token is not valid: it was revoked, or it never existed.' });
    const none = await b.app!.inject({ method: 'GET', url: '/api/flows' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
  });

  it('revokes a token: 204, gone from the list, and its next request is refused at once', async () => {
    const res = await b.api('DELETE', `/api/tokens/${ci.id}`);
    expect(res.status).toBe(204);
    expect((await b.api('GET', '/api/tokens')).body.map((t: { id: string }) => t.id)).not.toContain(ci.id);
    const refused = await withToken(ci.token);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('invalid_token');
    const again = await b.api('DELETE', `/api/tokens/${ci.id}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ error: { code: 'not_found', message: 'API token not found.' } });
    expect((await b.api('DELETE', '/api/tokens/not-an-id')).status).toBe(404);
  });

  it('keeps workspaces apart: another workspace’s token is neither listed nor revocable', async () => {
    const theirs = (await withToken(otherToken, 'GET', '/api/tokens')).body;
    expect(theirs.map((t: { name: string }) => t.name)).toEqual(['other shop ci']);
    expect((await b.api('GET', '/api/tokens')).body.map((t: { name: string }) => t.name)).not.toContain('other shop ci');
    const res = await b.api('DELETE', `/api/tokens/${theirs[0].id}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect((await withToken(otherToken)).status).toBe(200);
  });

  it('gives a token a scope up to its maker’s role: the widest by default, a wider one refused with 403 forbidden naming scope', async () => {
    const ws = (await b.api('GET', '/api/me')).body.workspace.id;
    const editorId = await addTestMember(b.database.pool, ws, 'scoped-editor@example.com', 'editor');
    const editor = await createApiToken(b.database.db, editorId, ws, 'editor session', 'write');
    const made = await withToken(editor, 'POST', '/api/tokens', { name: 'Default' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ scope: 'write', userEmail: 'scoped-editor@example.com' });
    expect((await withToken(made.body.token, 'POST', '/api/flows', { name: 'By the write token' })).status).toBe(201);

    const read = await withToken(editor, 'POST', '/api/tokens', { name: 'Reader', scope: 'read' });
    expect(read.body.scope).toBe('read');
    const refusedWrite = await withToken(read.body.token, 'POST', '/api/flows', { name: 'By the read token' });
    expect(refusedWrite.status).toBe(403);
    expect(refusedWrite.body.error).toEqual({ code: 'forbidden', message: "This needs the editor role or higher: this token's scope (read) acts as viewer.", details: { need: 'editor', role: 'viewer' } });
    // A read token cannot make a wider one than itself either.
    expect((await withToken(read.body.token, 'POST', '/api/tokens', { name: 'Escalate', scope: 'write' })).status).toBe(403);

    const above = await withToken(editor, 'POST', '/api/tokens', { name: 'Admin', scope: 'admin' });
    expect(above.status).toBe(403);
    expect(above.body.error.code).toBe('forbidden');
    expect(above.body.error.message).toMatch(/^scope: a token with the admin scope would act above your role here \(editor\)/);
    expect(above.body.error.details.field).toBe('scope');
    expect((await b.api('GET', '/api/tokens')).body.map((t: { name: string }) => t.name)).not.toContain('Admin');
    expect((await b.api('POST', '/api/tokens', { name: 'Bad', scope: 'root' })).body.error.details.issues[0].field).toBe('body.scope');
  });

  it('lists every member’s token to an admin, only their own to anyone else; revokes another’s only as an admin', async () => {
    const ws = (await b.api('GET', '/api/me')).body.workspace.id;
    const viewerId = await addTestMember(b.database.pool, ws, 'lister-viewer@example.com', 'viewer');
    const viewer = await createApiToken(b.database.db, viewerId, ws, 'viewer own', 'read');
    const ownerToken = (await b.api('POST', '/api/tokens', { name: 'Owner only' })).body;

    const theirs = await withToken(viewer, 'GET', '/api/tokens');
    expect(theirs.body.map((t: { name: string }) => t.name)).toEqual(['viewer own']);
    expect(theirs.body[0]).toMatchObject({ scope: 'read', userEmail: 'lister-viewer@example.com' });
    const all = (await b.api('GET', '/api/tokens')).body as { name: string; userEmail: string }[];
    expect(all.find((t) => t.name === 'viewer own')?.userEmail).toBe('lister-viewer@example.com');
    expect(all.find((t) => t.name === 'Owner only')?.userEmail).toBe('owner@example.com');

    const notTheirs = await withToken(viewer, 'DELETE', `/api/tokens/${ownerToken.id}`);
    expect(notTheirs.status).toBe(404);
    expect((await withToken(ownerToken.token)).status).toBe(200);
    const ownId = theirs.body[0].id;
    const revoked = await b.api('DELETE', `/api/tokens/${ownId}`);
    expect(revoked.status).toBe(204);
    expect((await withToken(viewer)).status).toBe(401);
    const audit = await b.database.pool.query(`select kind, detail from audit_log where target_id = $1 order by created_at`, [ownId]);
    expect(audit.rows).toEqual([{ kind: 'token.revoked', detail: { name: 'viewer own' } }]);
  });

  it('documents the three routes with their answers', async () => {
    const docs = (await b.app!.inject({ method: 'GET', url: '/api/docs/json' })).json();
    expect(Object.keys(docs.paths['/api/tokens']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(docs.paths['/api/tokens/{id}'])).toEqual(['delete']);
    expect(Object.keys(docs.paths['/api/tokens'].post.responses['201'].content['application/json'].schema.properties)).toContain('token');
  });
});
