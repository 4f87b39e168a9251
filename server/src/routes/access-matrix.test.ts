// Every /api route × every role, from the app's own route table (app.routeAccess): a role below the one a route
// declares gets 403 forbidden, one at or above it does not; a member of another workspace calling a route with
// this workspace's ids gets 403 or 404 and changes nothing here. A route whose `:param` has no value here fails.
import Fastify from 'fastify';
import cookie from '@fastify/cookie';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { ROLES, roleAtLeast, type Role } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { registerAuth, type RouteAccess } from '../plugins/auth.js';
import { createApiToken } from '../services/tokens.js';
import { addTestMember, createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';

let b: TestBundles;
let home = '';
/** An API token (scope admin) of a member of `home` with each role. */
const roleTokens = {} as Record<Role, string>;
/** The owner of another workspace, who is no member of `home`. */
let strangerToken = '';
/** The real ids of `home`'s objects, by the path segment before the `:param` and its name. */
const values: Record<string, string> = {};
/** Values of the same names for one route only (e.g. a connection whose test calls no provider). */
const routeValues: Record<string, Record<string, string>> = {};
/**
 * Params that name no object of a workspace (the gallery is the same for everyone), or that are their own
 * credential (an invitation link's token: whoever holds it may read whom it invites).
 */
const globalParams = new Set(['templates/:id', 'invitations/:token']);

type Call = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
const call = async (token: string, method: string, url: string, payload?: unknown): Promise<Call> => {
  const res = await b.app!.inject({
    method: method as 'GET',
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
  let body: unknown = res.body;
  try {
    body = res.body ? JSON.parse(res.body) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.statusCode, body };
};
const owner = (method: string, url: string, payload?: unknown) => call(b.token, method, url, payload);

const graphFor = (connectionId: string) => ({
  nodes: [
    { id: 'trigger', type: 'core.webhook', connectionId, config: {}, position: { x: 0, y: 0 } },
    { id: 'post', type: 'core.http_request', config: { method: 'POST', url: 'http://127.0.0.1:9/in', body: '{{ trigger.body }}' }, position: { x: 250, y: 0 } },
  ],
  edges: [{ source: 'trigger', target: 'post' }],
});
const smsRule = () => ({ kind: 'sms', scope: 'sales', statuses: ['approved'], senderConnectionId: values['senderConnection']!, sender: '+15550002222', message: 'Paid, thanks!' });

async function made(res: Promise<Call>, what: string): Promise<Call['body']> {
  const r = await res;
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

/** A new object of its kind, for a route that removes the one it names (each call removes its own). */
const fresh: Record<string, () => Promise<string>> = {
  'flows/:id': async () => (await made(owner('POST', '/api/flows', { name: 'To remove' }), 'flow')).id,
  'connections/:id': async () => (await made(owner('POST', '/api/connections', { provider: 'webhook', name: 'To remove', config: {} }), 'connection')).id,
  'tokens/:id': async () => (await made(owner('POST', '/api/tokens', { name: 'To remove' }), 'token')).id,
  'status-rules/:ruleId': async () => (await made(owner('POST', `/api/connections/${values['connections/:id']}/status-rules`, smsRule()), 'status rule')).id,
  'users/:id': async () => addTestMember(b.database.pool, home, `to-remove-${++removed}@example.com`, 'editor'),
  'invitations/:id': async () => (await made(owner('POST', '/api/invitations', { email: `to-revoke-${++removed}@example.com`, role: 'viewer' }), 'invitation')).id,
};
let removed = 0;

/** `url` with each `:param` replaced by a real id of `home`; a param without a value fails the test. */
async function fill(route: RouteAccess, freshFor: boolean): Promise<{ url: string; global: boolean }> {
  const parts = route.url.split('/');
  let global = true;
  for (let i = 0; i < parts.length; i++) {
    if (!parts[i]!.startsWith(':')) continue;
    const key = `${parts[i - 1]}/${parts[i]}`;
    const own = routeValues[`${route.method} ${route.url}`]?.[key];
    const value = freshFor && fresh[key] ? await fresh[key]() : (own ?? values[key]);
    if (value === undefined) {
      throw new Error(`${route.method} ${route.url}: no value for ${parts[i]} after "${parts[i - 1]}/": add a real id of the fixtures to \`values\` in server/src/routes/access-matrix.test.ts`);
    }
    if (!globalParams.has(key)) global = false;
    parts[i] = encodeURIComponent(value);
  }
  return { url: parts.join('/'), global };
}

const writes = new Set(['POST', 'PUT', 'PATCH']);
/** A route that removes what it names: each call gets a new object to remove. */
const removes = (r: RouteAccess) => r.method === 'DELETE';

/** Bodies that pass validation, so that the other workspace's call reaches the lookup (an empty body would be a 400 first). */
const validBodies = (): Record<string, unknown> => ({
  'PUT /api/flows/:id': { name: 'Taken over' },
  'PATCH /api/flows/:id': { name: 'Taken over' },
  'PATCH /api/connections/:id': { name: 'Taken over' },
  'POST /api/connections/:id/exports': { sourceConnectionId: values['senderConnection'] },
  'POST /api/connections/:id/status-rules': smsRule(),
  'PUT /api/connections/:id/status-rules/:ruleId': smsRule(),
  'POST /api/messages/:id/reply': { text: 'Taken over' },
  'POST /api/runs/:id/steps/:nodeId/resolve': { action: 'mark_done' },
  'POST /api/flows/:id/test': { payload: { body: {} } },
  'POST /api/templates/:id/use': { name: 'Taken over', connections: {} },
  'POST /api/flows/import': { name: 'x' },
  'POST /api/flows': { name: 'In their own workspace' },
  'POST /api/connections': { provider: 'webhook', name: 'In their own workspace', config: {} },
  'POST /api/tokens': { name: 'In their own workspace' },
  'POST /api/workspaces': { name: 'Their second' },
  'POST /api/setup': { email: 'late@example.com', password: 'correct horse battery' },
  'POST /api/login': { email: 'owner@example.com', password: 'wrong password' },
  'PATCH /api/users/:id': { role: 'viewer' },
  'POST /api/invitations': { email: 'their-friend@example.com', role: 'viewer' },
  'POST /api/invitations/accept': { token: 'no-such-invitation', name: 'Nobody', password: 'long enough password' },
  'POST /api/me/password': { currentPassword: 'not their password', newPassword: 'another long password' },
  'PUT /api/settings/allowed-hosts': { hosts: ['their.internal'] },
  // The one DELETE that takes a body: the workspace's name, to confirm.
  'DELETE /api/workspaces/:id': { confirmName: 'My workspace' },
});

/** Every row of `home` in every table that has a workspace (partitions through their parent), and the workspace itself. */
async function snapshot(): Promise<string> {
  const { pool } = b.database;
  const tables = await pool.query<{ name: string }>(
    `select c.table_name as name from information_schema.columns c join pg_class k on k.relname = c.table_name and not k.relispartition
     where c.column_name = 'workspace_id' and c.table_schema = 'public' order by 1`,
  );
  expect(tables.rows.map((t) => t.name)).toEqual(expect.arrayContaining(['flows', 'connections', 'runs', 'messages', 'status_rules', 'api_tokens', 'audit_log']));
  const parts: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await pool.query(`select to_jsonb(t)::text as row from "${name}" t where workspace_id = $1 order by 1`, [home]);
    parts.push(`${name}: ${rows.rows.map((r) => r.row).join('\n')}`);
  }
  parts.push(JSON.stringify((await pool.query(`select * from workspaces where id = $1`, [home])).rows));
  parts.push(JSON.stringify((await pool.query(`select s.* from steps s join runs r on r.id = s.run_id where r.workspace_id = $1 order by 1, 2`, [home])).rows));
  return parts.join('\n');
}

beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
  const { pool, db } = b.database;
  home = (await owner('GET', '/api/me')).body.workspace.id;
  values['workspaces/:id'] = home;
  for (const role of ROLES) roleTokens[role] = await createApiToken(db, await addTestMember(pool, home, `matrix-${role}@example.com`, role), home, role, 'admin');
  const elsewhere = (await pool.query<{ id: string }>(`insert into workspaces (name) values ('Elsewhere') returning id`)).rows[0]!.id;
  strangerToken = await createApiToken(db, await addTestMember(pool, elsewhere, 'stranger@example.com', 'owner'), elsewhere, 'stranger');

  const hook = await made(owner('POST', '/api/connections', { provider: 'webhook', name: 'Matrix hook', config: {} }), 'webhook connection');
  const guru = await made(owner('POST', '/api/connections', { provider: 'guru', name: 'Matrix Guru', config: { apiToken: 'guru-matrix-token' } }), 'guru connection');
  const twilio = await made(
    owner('POST', '/api/connections', { provider: 'twilio', name: 'Matrix Twilio', config: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'matrix-token', baseUrl: 'http://127.0.0.1:9' } }),
    'twilio connection',
  );
  values['connections/:id'] = guru.id;
  values['senderConnection'] = twilio.id;
  // Testing the webhook connection calls no provider.
  routeValues['POST /api/connections/:id/test'] = { 'connections/:id': hook.id };
  values['options/:source'] = 'no-such-list';

  const flow = await made(owner('POST', '/api/flows', { name: 'Matrix flow', graph: graphFor(hook.id) }), 'flow');
  const started = await made(owner('POST', `/api/flows/${flow.id}/start`), 'start');
  values['flows/:id'] = flow.id;
  values['versions/:version'] = String(started.activeVersion.number);
  values['status-rules/:ruleId'] = (await made(owner('POST', `/api/connections/${guru.id}/status-rules`, smsRule()), 'status rule')).id;
  values['tokens/:id'] = (await made(owner('POST', '/api/tokens', { name: 'Matrix token' }), 'token')).id;
  values['templates/:id'] = (await owner('GET', '/api/templates')).body[0].id;

  const event = await pool.query<{ id: string }>(
    `insert into events (id, workspace_id, connection_id, type, dedupe_key, payload) values (bundles_uuid7_at(now()), $1, $2, 'webhook.request', 'matrix', '{"body": {}}') returning id`,
    [home, hook.id],
  );
  const run = await pool.query<{ id: string }>(
    `insert into runs (id, workspace_id, flow_id, version_id, event_id, status, started_at, finished_at)
     values (bundles_uuid7_at(now()), $1, $2, $3, $4, 'succeeded', now(), now()) returning id`,
    [home, flow.id, started.activeVersion.id, event.rows[0]!.id],
  );
  await pool.query(`insert into steps (run_id, node_id, status) values ($1, 'trigger', 'succeeded')`, [run.rows[0]!.id]);
  values['runs/:id'] = run.rows[0]!.id;
  values['steps/:nodeId'] = 'trigger';
  const message = await pool.query<{ id: string }>(
    `insert into messages (id, workspace_id, connection_id, provider, direction, channel, "from", "to", text, status)
     values (bundles_uuid7_at(now()), $1, $2, 'twilio', 'inbound', 'sms', '+15550001111', '+15550002222', 'Hello', 'received') returning id`,
    [home, twilio.id],
  );
  values['messages/:id'] = message.rows[0]!.id;
  const exp = await pool.query<{ id: string }>(
    `insert into connection_exports (workspace_id, connection_id, source_connection_id, kind, options, status) values ($1, $2, $3, 'contacts', '{}', 'succeeded') returning id`,
    [home, guru.id, twilio.id],
  );
  values['exports/:exportId'] = exp.rows[0]!.id;
  values['users/:id'] = await addTestMember(pool, home, 'matrix-target@example.com', 'editor');
  const invitation = await made(owner('POST', '/api/invitations', { email: 'matrix-invited@example.com', role: 'viewer' }), 'invitation');
  values['invitations/:id'] = invitation.id;
  values['invitations/:token'] = new URL(invitation.url).pathname.split('/').pop()!;
}, 60_000);
afterAll(() => b?.close());

describe('role × route', () => {
  it('reads the routes from the app itself, each with a role', () => {
    const table = b.app!.routeAccess;
    expect(table.length).toBeGreaterThan(40);
    for (const url of ['/api/flows/:id', '/api/connections', '/api/workspaces/:id/switch', '/api/tokens/:id']) expect(table.map((r) => r.url)).toContain(url);
    for (const r of table) expect(['public', ...ROLES], `${r.method} ${r.url}`).toContain(r.role);
  });

  it('refuses a member of another workspace every route on this workspace’s objects (403 or 404), and changes nothing here', async () => {
    const before = await snapshot();
    const bodies = validBodies();
    for (const route of b.app!.routeAccess) {
      const { url, global } = await fill(route, false);
      const key = `${route.method} ${route.url}`;
      const res = await call(strangerToken, route.method, url, writes.has(route.method) ? (bodies[key] ?? {}) : bodies[key]);
      expect(res.body?.error?.code === 'invalid_request' && !global, `${key}: a 400 before the lookup proves nothing: add a valid body to validBodies (${JSON.stringify(res.body)})`).toBe(false);
      if (!global) expect([403, 404], `${key} → ${res.status} ${JSON.stringify(res.body)}`).toContain(res.status);
      // A route on nothing of this workspace's answers the caller's own workspace: none of this one's objects.
      for (const [param, id] of Object.entries(values)) if (!globalParams.has(param) && id.length > 20) expect(JSON.stringify(res.body), key).not.toContain(id);
    }
    expect(await snapshot()).toEqual(before);
    const flow = await owner('GET', `/api/flows/${values['flows/:id']}`);
    expect(flow.body).toMatchObject({ name: 'Matrix flow', status: 'running', activeVersion: { number: 1 } });
    expect((await owner('GET', '/api/connections')).body).toHaveLength(3);
  });

  it('answers 403 forbidden below the declared role and something else at or above it, for every route and role', async () => {
    const failures: string[] = [];
    for (const route of b.app!.routeAccess) {
      for (const role of ROLES) {
        const { url } = await fill(route, removes(route));
        const res = await call(roleTokens[role], route.method, url, writes.has(route.method) ? {} : undefined);
        const below = route.role !== 'public' && !roleAtLeast(role, route.role);
        const what = `${role} ${route.method} ${url} (needs ${route.role}) → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
        if (below) {
          const e = res.body?.error;
          const shaped = res.status === 403 && e?.code === 'forbidden' && typeof e.message === 'string' && e.message.length > 0;
          if (!shaped || Object.keys(res.body).join() !== 'error' || Object.keys(e).some((k) => !['code', 'message', 'details'].includes(k))) failures.push(`refused wrongly: ${what}`);
        } else if (res.status === 403 || res.status === 401 || res.status >= 500) {
          failures.push(`not let through: ${what}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);

  it('fails for a :param it has no value for, saying where to add one', async () => {
    await expect(fill({ method: 'GET', url: '/api/widgets/:widgetId', role: 'viewer' }, false)).rejects.toThrow(
      'GET /api/widgets/:widgetId: no value for :widgetId after "widgets/": add a real id of the fixtures to `values` in server/src/routes/access-matrix.test.ts',
    );
  });
});

describe('a route without a role', () => {
  it('stops the app from starting, naming the route; one with a role is listed', async () => {
    const app = Fastify();
    await app.register(cookie);
    registerAuth(app, {} as Db);
    app.get('/api/declared', { config: { role: 'editor' } }, async () => ({}));
    expect(() => app.get('/api/naked', async () => ({}))).toThrow('GET /api/naked declares no role: add { config: { role } } next to the route');
    expect(() => app.post('/api/also-naked', { config: {} }, async () => ({}))).toThrow('POST /api/also-naked declares no role');
    expect(app.routeAccess).toContainEqual({ method: 'GET', url: '/api/declared', role: 'editor' });
    expect(app.routeAccess.map((r) => r.url)).not.toContain('/api/naked');
    await app.close();
  });
});
