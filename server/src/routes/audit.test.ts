// /api/audit over a whole Bundles: the entries of one editing session in order, names of the fields changed and
// never a secret, cursor paging, filters by kind, user and time, workspaces apart, admins only.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { auditPageSchema, type AuditEntryView } from '@bundles/shared';
import { guruFixtureToken } from '../../../nodes/src/guru/fixtures/transaction.js';
import { createApiToken } from '../services/tokens.js';
import { addTestMember, createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';

let b: TestBundles;
let workspaceId = '';
let ownerId = '';
const firstSecret = 'tw-first-secret-0123456789abcdef';
const secondSecret = 'tw-second-secret-fedcba9876543210';
const password = 'correct horse battery';

const as = async (token: string, url: string, method: 'GET' | 'POST' = 'GET', body?: object) => {
  const res = await b.app!.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(body ? { payload: body } : {}) });
  return { status: res.statusCode, body: res.json(), raw: res.body };
};
const audit = async (query = '') => {
  const res = await b.api('GET', `/api/audit${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return auditPageSchema.parse(res.body);
};
/** Every entry of a query, oldest first, walking the pages. */
async function all(query = ''): Promise<AuditEntryView[]> {
  const items: AuditEntryView[] = [];
  let cursor: string | null = null;
  do {
    const sep = query ? '&' : '?';
    const page = await audit(`${query}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items.reverse();
}

const graph = (connectionId: string) => ({
  nodes: [
    { id: 'trigger', type: 'core.webhook', connectionId, config: {}, position: { x: 0, y: 0 } },
    { id: 'shape', type: 'core.set', config: { fields: { order: '{{ trigger.body.order }}' } }, position: { x: 250, y: 0 } },
  ],
  edges: [{ source: 'trigger', target: 'shape' }],
});

let session: AuditEntryView[] = [];
/** Bounds a query to the session's entries, so that what a later test adds does not change it. */
const upTo = () => `to=${encodeURIComponent(session[session.length - 1]!.at)}`;
let bundleId = '';
let twilioId = '';
let guruId = '';
let ruleId = '';

beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
  workspaceId = (await b.api('GET', '/api/me')).body.workspace.id;
  ownerId = (await b.api('GET', '/api/me')).body.user.id;
  // Setup wrote nothing a person did in the workspace yet: the session below is all there is.
  expect((await audit()).items).toEqual([]);

  // One editing session, each change through the API.
  const signIn = await b.app!.inject({ method: 'POST', url: '/api/login', payload: { email: 'owner@example.com', password } });
  expect(signIn.statusCode).toBe(200);
  const twilio = await b.api('POST', '/api/connections', { provider: 'twilio', name: 'Twilio', config: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: firstSecret, baseUrl: 'http://127.0.0.1:9' } });
  expect(twilio.status).toBe(201);
  twilioId = twilio.body.id;
  expect((await b.api('PATCH', `/api/connections/${twilio.body.id}`, { name: 'Twilio main', config: { authToken: secondSecret } })).status).toBe(200);
  expect((await b.api('POST', `/api/connections/${twilio.body.id}/test`)).status).toBe(200);
  const hook = await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Orders in', config: {} });
  const bundle = await b.api('POST', '/api/flows', { name: 'Order paid → SMS' });
  bundleId = bundle.body.id;
  expect((await b.api('PUT', `/api/flows/${bundleId}`, { graph: graph(hook.body.id) })).status).toBe(200);
  expect((await b.api('POST', `/api/flows/${bundleId}/start`)).status, 'start').toBe(200);
  expect((await b.api('POST', `/api/flows/${bundleId}/stop`)).status).toBe(200);
  const token = await b.api('POST', '/api/tokens', { name: 'Zapier' });
  expect((await b.api('DELETE', `/api/tokens/${token.body.id}`)).status).toBe(204);
  const guru = await b.api('POST', '/api/connections', { provider: 'guru', name: 'Guru', config: { apiToken: guruFixtureToken } });
  guruId = guru.body.id;
  const rule = { kind: 'sms', scope: 'sales', statuses: ['approved'], senderConnectionId: twilio.body.id, sender: '+15550002222', message: 'Paid!' };
  const created = await b.api('POST', `/api/connections/${guru.body.id}/status-rules`, { ...rule, active: false });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  ruleId = created.body.id;
  expect((await b.api('PUT', `/api/connections/${guru.body.id}/status-rules/${created.body.id}`, { ...rule, message: 'Paid, thanks!', active: false })).status).toBe(200);
  expect((await b.api('PUT', '/api/settings/retention', { auditDays: 400 })).status).toBe(200);
  session = await all();
});
afterAll(() => b?.close());

describe('GET /api/audit', () => {
  it('lists the entries of one editing session in order, naming the fields changed and never a secret', async () => {
    expect(session.map((e) => e.kind)).toEqual([
      'login',
      'connection.created',
      'connection.changed',
      'connection.tested',
      'connection.created',
      'bundle.created',
      'bundle.saved',
      'bundle.started',
      'bundle.stopped',
      'token.created',
      'token.revoked',
      'connection.created',
      'status_rule.created',
      'status_rule.changed',
      'settings.changed',
    ]);
    for (const e of session) expect(e.user).toEqual({ id: ownerId, email: 'owner@example.com' });
    const byKind = (kind: string) => session.find((e) => e.kind === kind)!;
    expect(byKind('connection.changed')).toMatchObject({ targetType: 'connection', detail: { name: 'Twilio main', fields: ['name', 'authToken'] } });
    expect(byKind('connection.tested').detail).toEqual({ name: 'Twilio main', outcome: 'failed' });
    expect(byKind('bundle.saved')).toMatchObject({ targetType: 'bundle', targetId: bundleId, detail: { name: 'Order paid → SMS', fields: ['graph'] } });
    expect(byKind('bundle.started').detail).toEqual({ name: 'Order paid → SMS', version: 1 });
    expect(byKind('token.created').detail).toEqual({ name: 'Zapier', scope: 'admin' });
    expect(byKind('token.revoked').detail).toEqual({ name: 'Zapier' });
    expect(byKind('settings.changed')).toMatchObject({ targetType: 'workspace', targetId: workspaceId, detail: { fields: ['auditDays'] } });
    const raw = (await b.api('GET', '/api/audit?limit=200')).body;
    for (const secret of [firstSecret, secondSecret, password, guruFixtureToken]) expect(JSON.stringify(raw)).not.toContain(secret);
  });

  it('walks every entry once with pages of 3, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await audit(`?limit=3&${upTo()}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(session.map((e) => e.id).reverse());
  });

  it('filters by a kind or a kind prefix, by user and by time', async () => {
    expect((await all(`?kind=bundle.&${upTo()}`)).map((e) => e.kind)).toEqual(['bundle.created', 'bundle.saved', 'bundle.started', 'bundle.stopped']);
    expect((await all('?kind=connection.changed')).map((e) => e.id)).toEqual([session[2]!.id]);
    expect((await all('?kind=status_rule.')).map((e) => e.kind)).toEqual(['status_rule.created', 'status_rule.changed']);
    expect(await all('?kind=bundle')).toEqual([]);

    const adminId = await addTestMember(b.database.pool, workspaceId, 'ana@example.com', 'admin');
    const adminToken = await createApiToken(b.database.db, adminId, workspaceId, 'ana');
    expect((await as(adminToken, '/api/flows', 'POST', { name: 'Ana’s bundle' })).status).toBe(201);
    const ana = await all(`?userId=${adminId}`);
    expect(ana.map((e) => [e.kind, e.detail.name, e.user?.email])).toEqual([['bundle.created', 'Ana’s bundle', 'ana@example.com']]);
    expect((await all(`?userId=${ownerId}&${upTo()}`)).map((e) => e.id)).toEqual(session.map((e) => e.id));
    expect(await all('?userId=not-a-uuid')).toEqual([]);

    const from = session[7]!.at;
    const to = session[9]!.at;
    expect((await all(`?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).map((e) => e.kind)).toEqual(['bundle.started', 'bundle.stopped', 'token.created']);
    const bad = await b.api('GET', '/api/audit?from=yesterday');
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.issues).toEqual([{ field: 'from', message: 'not a date' }]);
  });

  it('records nothing for a change that changes nothing: a bundle, a connection or settings sent as they were', async () => {
    const before = (await all()).length;
    const flow = (await b.api('GET', `/api/flows/${bundleId}`)).body;
    expect((await b.api('PUT', `/api/flows/${bundleId}`, { name: flow.name, graph: flow.graph })).status).toBe(200);
    expect((await b.api('PATCH', `/api/connections/${twilioId}`, { name: 'Twilio main', config: { authToken: secondSecret } })).status).toBe(200);
    expect((await b.api('PUT', '/api/settings/retention', { auditDays: 400, runsDays: 30 })).status).toBe(200);
    expect((await b.api('PUT', '/api/settings/workspace', { name: 'My workspace' })).status).toBe(200);
    // Then real changes, the signal that the ones before have been handled.
    expect((await b.api('PUT', `/api/flows/${bundleId}`, { name: 'Order paid → SMS (v2)', graph: flow.graph })).status).toBe(200);
    expect((await b.api('PUT', '/api/settings/workspace', { name: 'Loja da Ana', timeZone: 'America/Sao_Paulo' })).status).toBe(200);
    const after = (await all()).slice(before);
    expect(after.map((e) => [e.kind, e.detail])).toEqual([
      ['bundle.saved', { name: 'Order paid → SMS (v2)', fields: ['name'] }],
      ['settings.changed', { name: 'Loja da Ana', fields: ['name', 'timeZone'] }],
    ]);
  });

  it('keeps the names of what is gone: bundles duplicated, imported, restored and deleted, a rule and a connection deleted', async () => {
    const before = (await all()).length;
    const copy = await b.api('POST', `/api/flows/${bundleId}/duplicate`);
    expect(copy.status).toBe(201);
    const exported = await b.api('GET', `/api/flows/${bundleId}/export`);
    const imported = await b.api('POST', '/api/flows/import', { ...exported.body, name: 'Imported' });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    expect((await b.api('POST', `/api/flows/${bundleId}/versions/1/restore`)).status).toBe(200);
    for (const id of [copy.body.id, imported.body.id]) expect((await b.api('DELETE', `/api/flows/${id}`)).status).toBe(204);
    expect((await b.api('DELETE', `/api/connections/${guruId}/status-rules/${ruleId}`)).status).toBe(204);
    expect((await b.api('DELETE', `/api/connections/${guruId}`)).status).toBe(204);
    const after = (await all()).slice(before);
    expect(after.map((e) => [e.kind, e.targetType, e.detail])).toEqual([
      ['bundle.duplicated', 'bundle', { name: `${exported.body.name} (copy)` }],
      ['bundle.imported', 'bundle', { name: 'Imported' }],
      ['bundle.restored', 'bundle', { name: exported.body.name, version: 1 }],
      ['bundle.deleted', 'bundle', { name: `${exported.body.name} (copy)` }],
      ['bundle.deleted', 'bundle', { name: 'Imported' }],
      ['status_rule.deleted', 'status_rule', { name: expect.any(String) }],
      ['connection.deleted', 'connection', { name: 'Guru' }],
    ]);
    expect(after[0]!.targetId).toBe(copy.body.id);
    expect(after[5]!.targetId).toBe(ruleId);
  });

  it('refuses a cursor it did not answer with 400 invalid_cursor', async () => {
    for (const cursor of ['nope', Buffer.from('2026-01-01T00:00:00Z|x').toString('base64url'), session[0]!.id]) {
      const res = await b.api('GET', `/api/audit?cursor=${cursor}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_cursor', details: { field: 'cursor' } });
    }
    expect((await b.api('GET', '/api/audit?limit=201')).status).toBe(400);
  });

  it("shows another workspace's owner none of them, and refuses editors and viewers", async () => {
    const ws = await b.database.pool.query<{ id: string }>(`insert into workspaces (name) values ('Other shop') returning id`);
    const otherOwner = await addTestMember(b.database.pool, ws.rows[0]!.id, 'other@example.com', 'owner');
    const other = await as(await createApiToken(b.database.db, otherOwner, ws.rows[0]!.id, 'other'), '/api/audit');
    expect(other.status).toBe(200);
    expect(other.body).toEqual({ items: [], nextCursor: null });
    for (const role of ['viewer', 'editor'] as const) {
      const userId = await addTestMember(b.database.pool, workspaceId, `${role}@example.com`, role);
      const res = await as(await createApiToken(b.database.db, userId, workspaceId, role), '/api/audit');
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });
});
