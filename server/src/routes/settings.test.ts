// /api/settings/retention over a whole Bundles on its own database: defaults, partial changes, 422s, workspaces apart.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { DEFAULT_RETENTION } from '@bundles/shared';
import { createApiToken } from '../services/tokens.js';
import { addTestMember, createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';

let b: TestBundles;
let otherWorkspace = '';
let otherToken = '';

const storedSettings = async (workspaceId: string) =>
  (await b.database.pool.query<{ settings: unknown }>('select settings from workspaces where id = $1', [workspaceId])).rows[0]!.settings;

const asOther = async (method: 'GET' | 'PUT', body?: object) => {
  const res = await b.app!.inject({ method, url: '/api/settings/retention', headers: { authorization: `Bearer ${otherToken}` }, ...(body ? { payload: body } : {}) });
  return { status: res.statusCode, body: res.json() };
};

beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')));
  // A second workspace with a user and a token of its own, and settings of its own (a key of the future too).
  const { pool, db } = b.database;
  const ws = await pool.query<{ id: string }>(`insert into workspaces (name, settings) values ('Other shop', '{"retention":{"runsDays":7},"theme":"dark"}') returning id`);
  otherWorkspace = ws.rows[0]!.id;
  const userId = await addTestMember(pool, otherWorkspace, 'other@example.com');
  otherToken = await createApiToken(db, userId, otherWorkspace, 'test');
});
afterAll(() => b?.close());

describe('retention settings', () => {
  let ownWorkspace = '';

  it('answers the defaults when nothing was set', async () => {
    const res = await b.api('GET', '/api/settings/retention');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ runsDays: 30, messagesDays: 180, deliveriesDays: 14, auditDays: 365, defaults: { runsDays: 30, messagesDays: 180, deliveriesDays: 14, auditDays: 365 } });
    expect(res.body.defaults).toEqual(DEFAULT_RETENTION);
    ownWorkspace = (await b.api('GET', '/api/me')).body.workspace.id;
    expect(await storedSettings(ownWorkspace)).toEqual({});
  });

  it('changes only the fields sent, at the JSON path the retention job reads, keeping settings’ other keys', async () => {
    await b.database.pool.query(`update workspaces set settings = settings || '{"theme":"light"}' where id = $1`, [ownWorkspace]);
    const first = await b.api('PUT', '/api/settings/retention', { messagesDays: 365 });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ runsDays: 30, messagesDays: 365, deliveriesDays: 14, auditDays: 365, defaults: DEFAULT_RETENTION });
    const second = await b.api('PUT', '/api/settings/retention', { runsDays: 90, deliveriesDays: 3650 });
    expect(second.body).toMatchObject({ runsDays: 90, messagesDays: 365, deliveriesDays: 3650 });
    expect((await b.api('GET', '/api/settings/retention')).body).toEqual(second.body);

    expect(await storedSettings(ownWorkspace)).toEqual({ theme: 'light', retention: { runsDays: 90, messagesDays: 365, deliveriesDays: 3650 } });
    const { rows } = await b.database.pool.query(
      `select settings #>> '{retention,runsDays}' as runs, settings #>> '{retention,messagesDays}' as messages, settings #>> '{retention,deliveriesDays}' as deliveries from workspaces where id = $1`,
      [ownWorkspace],
    );
    expect(rows[0]).toEqual({ runs: '90', messages: '365', deliveries: '3650' });
  });

  it.each([
    ['0', 0],
    ['3651', 3651],
    ['1.5', 1.5],
    ['a string', '30'],
    ['null', null],
  ])('refuses %s with 422 naming the field, and stores nothing', async (_what, value) => {
    const before = await storedSettings(ownWorkspace);
    const res = await b.api('PUT', '/api/settings/retention', { runsDays: 1, deliveriesDays: value });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: {
        code: 'invalid_settings',
        message: 'Invalid retention: deliveriesDays must be a whole number of days from 1 to 3650.',
        details: { issues: [{ field: 'deliveriesDays', message: 'must be a whole number of days from 1 to 3650' }] },
      },
    });
    expect(await storedSettings(ownWorkspace)).toEqual(before);
  });

  it('refuses a field it does not know (a typo would otherwise change nothing), and a body that is no object', async () => {
    const typo = await b.api('PUT', '/api/settings/retention', { runDays: 10 });
    expect(typo.status).toBe(422);
    expect(typo.body.error.details.issues).toEqual([{ field: 'runDays', message: 'is not a retention setting' }]);
    const notAnObject = await b.api('PUT', '/api/settings/retention', [30]);
    expect(notAnObject.status).toBe(400);
    expect(notAnObject.body.error.code).toBe('invalid_request');
  });

  it('leaves another workspace’s settings as they were, and changes them apart', async () => {
    expect(await storedSettings(otherWorkspace)).toEqual({ retention: { runsDays: 7 }, theme: 'dark' });
    expect((await asOther('GET')).body).toMatchObject({ runsDays: 7, messagesDays: 180, deliveriesDays: 14 });
    const res = await asOther('PUT', { deliveriesDays: 1 });
    expect(res.body).toMatchObject({ runsDays: 7, messagesDays: 180, deliveriesDays: 1 });
    expect(await storedSettings(otherWorkspace)).toEqual({ retention: { runsDays: 7, deliveriesDays: 1 }, theme: 'dark' });
    expect((await b.api('GET', '/api/settings/retention')).body).toMatchObject({ runsDays: 90, messagesDays: 365, deliveriesDays: 3650 });
  });

  it('documents both routes with their answer', async () => {
    const docs = await b.app!.inject({ method: 'GET', url: '/api/docs/json' });
    const path = docs.json().paths['/api/settings/retention'];
    expect(Object.keys(path).sort()).toEqual(['get', 'put']);
    expect(Object.keys(path.put.responses['200'].content['application/json'].schema.properties).sort()).toEqual(['auditDays', 'defaults', 'deliveriesDays', 'messagesDays', 'runsDays']);
  });
});

describe('workspace settings', () => {
  const asOtherWorkspace = async (method: 'GET' | 'PUT', body?: object) => {
    const res = await b.app!.inject({ method, url: '/api/settings/workspace', headers: { authorization: `Bearer ${otherToken}` }, ...(body ? { payload: body } : {}) });
    return { status: res.statusCode, body: res.json() };
  };

  it('answers the name and the time zone, the name as /api/me does', async () => {
    const me = (await b.api('GET', '/api/me')).body;
    const res = await b.api('GET', '/api/settings/workspace');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: me.workspace.id, name: 'My workspace', timeZone: 'UTC' });
  });

  it('renames the workspace trimmed, and /api/me answers the new name at once', async () => {
    const res = await b.api('PUT', '/api/settings/workspace', { name: '  Loja da Ana  ' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Loja da Ana', timeZone: 'UTC' });
    expect((await b.api('GET', '/api/me')).body.workspace.name).toBe('Loja da Ana');
    expect((await b.api('GET', '/api/settings/workspace')).body.name).toBe('Loja da Ana');
  });

  it('sets name and time zone together, keeping settings’ other keys, and the time-zone route agrees', async () => {
    const ownWorkspace = (await b.api('GET', '/api/me')).body.workspace.id;
    const before = (await storedSettings(ownWorkspace)) as Record<string, unknown>;
    const res = await b.api('PUT', '/api/settings/workspace', { name: 'Loja', timeZone: 'america/sao_paulo' });
    expect(res.body).toMatchObject({ name: 'Loja', timeZone: 'America/Sao_Paulo' });
    expect(await storedSettings(ownWorkspace)).toEqual({ ...before, timeZone: 'America/Sao_Paulo' });
    expect((await b.api('GET', '/api/settings/time-zone')).body).toEqual({ timeZone: 'America/Sao_Paulo' });
    // A field not sent keeps its value.
    expect((await b.api('PUT', '/api/settings/workspace', { timeZone: 'UTC' })).body).toMatchObject({ name: 'Loja', timeZone: 'UTC' });
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   '],
    ['101 characters', 'x'.repeat(101)],
  ])('refuses a name %s with 422 naming the field, and changes nothing', async (_what, name) => {
    const res = await b.api('PUT', '/api/settings/workspace', { name, timeZone: 'Europe/Lisbon' });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: {
        code: 'invalid_settings',
        message: 'Invalid workspace settings: name must be 1 to 100 characters (spaces around it do not count).',
        details: { issues: [{ field: 'name', message: 'must be 1 to 100 characters (spaces around it do not count)' }] },
      },
    });
    expect((await b.api('GET', '/api/settings/workspace')).body).toMatchObject({ name: 'Loja', timeZone: 'UTC' });
  });

  it('names both fields when both are bad, and refuses a field it does not know', async () => {
    const both = await b.api('PUT', '/api/settings/workspace', { name: '', timeZone: 'Mars/Olympus' });
    expect(both.status).toBe(422);
    expect(both.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual(['name', 'timeZone']);
    const unknown = await b.api('PUT', '/api/settings/workspace', { title: 'Loja' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('invalid_request');
  });

  it('renames only the caller’s workspace', async () => {
    expect((await asOtherWorkspace('GET')).body).toMatchObject({ id: otherWorkspace, name: 'Other shop' });
    expect((await asOtherWorkspace('PUT', { name: 'Outra loja' })).body).toMatchObject({ name: 'Outra loja' });
    expect((await b.api('GET', '/api/settings/workspace')).body.name).toBe('Loja');
  });
});
