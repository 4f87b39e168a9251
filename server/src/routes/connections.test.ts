import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createApiToken } from '../services/tokens.js';
import { addTestMember, createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';

let b: TestBundles;
let logs = '';
const authToken = 'tw-auth-token-0123456789abcdef';
const apiKey = 'rc-api-key-ABCDEFGHIJKLMNOP';

beforeAll(async () => {
  const logDestination = new PassThrough();
  logDestination.on('data', (c) => (logs += c.toString()));
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), { logDestination });
});
afterAll(() => b?.close());

describe('connections', () => {
  let twilioId = '';

  it('creates a connection with an unguessable webhook URL and never answers its secrets', async () => {
    const res = await b.api('POST', '/api/connections', {
      provider: 'twilio',
      name: 'Twilio main',
      config: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken, baseUrl: 'http://127.0.0.1:9' },
    });
    expect(res.status).toBe(201);
    twilioId = res.body.id;
    expect(res.body.config).toEqual({ accountSid: 'AC0123456789abcdef0123456789abcdef', baseUrl: 'http://127.0.0.1:9' });
    expect(res.body.secretsSet).toEqual(['authToken']);
    const url = new URL(res.body.webhookUrl);
    const [, hooks, id, secret] = url.pathname.split('/');
    expect(hooks).toBe('hooks');
    expect(id).toBe(twilioId);
    expect(secret!.length).toBeGreaterThanOrEqual(32);

    const list = await b.api('GET', '/api/connections');
    const one = await b.api('GET', `/api/connections/${twilioId}`);
    for (const body of [res.body, list.body, one.body]) expect(JSON.stringify(body)).not.toContain(authToken);
  });

  it('keeps secrets encrypted at rest', async () => {
    const { rows } = await b.database.pool.query('select config, secrets from connections where id = $1', [twilioId]);
    expect(JSON.stringify(rows[0].config)).not.toContain(authToken);
    expect(rows[0].secrets).toMatch(/^v1\./);
    expect(rows[0].secrets).not.toContain(authToken);
    const loaded = await b.runtime.connections.get(twilioId);
    expect(loaded!.context.config.authToken).toBe(authToken);
  });

  it('refuses invalid configs with the field named', async () => {
    const res = await b.api('POST', '/api/connections', { provider: 'twilio', name: 'Broken', config: { accountSid: 'AC1' } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_connection');
    expect(res.body.error.details.issues).toContainEqual({ field: 'authToken', message: 'is required' });
    const unknown = await b.api('POST', '/api/connections', { provider: 'nope', name: 'x', config: {} });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('unknown_provider');
  });

  it('updates a connection, keeping secrets that are not sent again', async () => {
    const res = await b.api('PATCH', `/api/connections/${twilioId}`, { name: 'Twilio BR', config: { accountSid: 'AC0123456789abcdef0123456789abcdef', publicUrl: 'https://hooks.example.com' } });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Twilio BR');
    expect(res.body.secretsSet).toEqual(['authToken']);
    const loaded = await b.runtime.connections.get(twilioId);
    expect(loaded!.context.config).toMatchObject({ authToken, publicUrl: 'https://hooks.example.com' });
  });

  it('tests a connection and records the answer (provider unreachable here)', async () => {
    const res = await b.api('POST', `/api/connections/${twilioId}/test`);
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(res.body.message.length).toBeGreaterThan(5);
    const after = await b.api('GET', `/api/connections/${twilioId}`);
    expect(after.body.status).toBe('broken');
    expect(after.body.lastTest.ok).toBe(false);
  });

  it('answers a webhook connection test without a provider call', async () => {
    const hook = await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Generic', config: { secretHeader: 'X-Token', secret: 's3cr3t-value' } });
    const res = await b.api('POST', `/api/connections/${hook.body.id}/test`);
    expect(res.body.ok).toBe(true);
    expect(JSON.stringify(hook.body)).not.toContain('s3cr3t-value');
  });

  it('refuses deleting a connection while a running bundle uses it', async () => {
    const rc = await b.api('POST', '/api/connections', { provider: 'retailcrm', name: 'Loja RC', config: { domain: 'loja.retailcrm.ru', apiKey } });
    expect(rc.status).toBe(201);
    const flow = await b.api('POST', '/api/flows', {
      name: 'Paid → SMS',
      graph: {
        nodes: [
          { id: 'trigger', type: 'retailcrm.order_changed', connectionId: rc.body.id, config: { events: ['status'], statuses: ['paid'], loadOrder: false } },
          { id: 'sms', type: 'twilio.send_sms', connectionId: twilioId, config: { from: '+15550002222', to: '+15550001111', body: 'Order {{ trigger.id }} is paid' } },
        ],
        edges: [{ source: 'trigger', target: 'sms' }],
      },
    });
    expect(flow.status, JSON.stringify(flow.body)).toBe(201);
    expect((await b.api('POST', `/api/flows/${flow.body.id}/start`)).status).toBe(200);
    for (const id of [rc.body.id, twilioId]) {
      const del = await b.api('DELETE', `/api/connections/${id}`);
      expect(del.status).toBe(409);
      expect(del.body.error.message).toContain('Paid → SMS');
    }
    await b.api('POST', `/api/flows/${flow.body.id}/stop`);
    expect((await b.api('DELETE', `/api/connections/${twilioId}`)).status).toBe(204);
    expect((await b.api('GET', `/api/connections/${twilioId}`)).status).toBe(404);
  });

  it('refuses a RetailCRM connection named with fewer than 5 characters', async () => {
    const res = await b.api('POST', '/api/connections', { provider: 'retailcrm', name: 'RC', config: { domain: 'loja.retailcrm.ru', apiKey } });
    expect(res.status).toBe(422);
    expect(res.body.error.details.issues[0].field).toBe('name');
  });

  it('never writes a secret to the log', async () => {
    // Drive a webhook through the log path too: its URL carries the connection's secret.
    const hook = await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Logged', config: {} });
    await fetch(hook.body.webhookUrl.replace('/hooks/', '/hooks/'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    const urlSecret = new URL(hook.body.webhookUrl).pathname.split('/')[3]!;
    await new Promise((r) => setTimeout(r, 100));
    expect(logs.length).toBeGreaterThan(100);
    for (const secret of [authToken, apiKey, 's3cr3t-value', urlSecret, b.token]) expect(logs).not.toContain(secret);
    expect(logs).toContain('/hooks/');
    expect(logs).toContain('***');
  });
});

describe('partial connection updates', () => {
  it('merges PATCHed config fields into the stored ones and clears a field sent as null', async () => {
    const created = await b.api('POST', '/api/connections', {
      provider: 'twilio',
      name: 'Partial',
      config: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken, publicUrl: 'https://a.example.com' },
    });
    const patched = await b.api('PATCH', `/api/connections/${created.body.id}`, { config: { authToken: 'rotated-token-987' } });
    expect(patched.status).toBe(200);
    expect(patched.body.config).toEqual({ accountSid: 'AC0123456789abcdef0123456789abcdef', publicUrl: 'https://a.example.com' });
    expect((await b.runtime.connections.get(created.body.id))!.context.config.authToken).toBe('rotated-token-987');
    const cleared = await b.api('PATCH', `/api/connections/${created.body.id}`, { config: { publicUrl: null } });
    expect(cleared.body.config).toEqual({ accountSid: 'AC0123456789abcdef0123456789abcdef' });
  });
});

describe('connections by role', () => {
  it('lists connections to a viewer and an editor by name and health, without settings, secrets named or webhook URL', async () => {
    const made = await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Role hook', config: { secretHeader: 'X-Token', secret: 'role-s3cr3t' } });
    expect(made.status).toBe(201);
    expect(made.body.webhookUrl).toMatch(/\/hooks\//);
    const ws = (await b.api('GET', '/api/me')).body.workspace.id;
    for (const role of ['viewer', 'editor'] as const) {
      const userId = await addTestMember(b.database.pool, ws, `conn-${role}@example.com`, role);
      const token = await createApiToken(b.database.db, userId, ws, role, role === 'viewer' ? 'read' : 'write');
      const res = await b.app!.inject({ method: 'GET', url: '/api/connections', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, role).toBe(200);
      const seen = res.json().find((c: { id: string }) => c.id === made.body.id);
      expect(seen, role).toEqual({ ...made.body, config: {}, secretsSet: [], webhookUrl: null, setup: null });
      expect(res.body).not.toContain(made.body.webhookUrl);
      expect(res.body).not.toContain('X-Token');
      const one = await b.app!.inject({ method: 'GET', url: `/api/connections/${made.body.id}`, headers: { authorization: `Bearer ${token}` } });
      expect(one.statusCode, role).toBe(403);
    }
    const admin = (await b.api('GET', '/api/connections')).body.find((c: { id: string }) => c.id === made.body.id);
    expect(admin.config).toEqual({ secretHeader: 'X-Token' });
    expect(admin.webhookUrl).toBe(made.body.webhookUrl);
  });
});
