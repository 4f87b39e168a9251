// A workspace's admin may allow private hosts and ranges for that workspace's calls only: a core.http_request
// to a loopback service and a Twilio base-URL override on loopback are refused until its admin allows the
// address in Settings, then called; another workspace on the same Bundles is still refused, and the list is
// checked entry by entry (422 naming the entry).
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { addTestMember, createApiToken, createTestDatabase, startTestBundles, type TestBundles } from '@bundles/server/testing';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { startSink, type Sink } from '../support/sink.js';
import { createConnection, startChainFlow, twilioConfig, waitForFinishedRuns } from '../support/providers.js';

let a: TestBundles;
let other: TestBundles;
let sink: Sink;
let twilio: FakeTwilio;

beforeAll(async () => {
  // The operator allows nothing private: the sink and the fake Twilio on 127.0.0.1 need a workspace's leave.
  a = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), { allowedHosts: [] });
  [sink, twilio] = await Promise.all([startSink(), startFakeTwilio()]);
  const { pool, db } = a.database;
  const ws = await pool.query<{ id: string }>(`insert into workspaces (name) values ('Other shop') returning id`);
  const token = await createApiToken(db, await addTestMember(pool, ws.rows[0]!.id, 'other@example.com', 'owner'), ws.rows[0]!.id, 'other');
  other = {
    ...a,
    api: async (method, url, body) => {
      const res = await a.app!.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}` }, ...(body !== undefined ? { payload: body as object } : {}) });
      return { status: res.statusCode, body: res.body ? res.json() : null, headers: res.headers };
    },
  };
});
afterAll(async () => {
  await a?.close();
  await sink?.close();
  await twilio?.close();
});

let n = 0;
async function callSink(b: TestBundles) {
  const hook = await createConnection(b, 'webhook', `hook ${++n}`, {});
  const flowId = await startChainFlow(b, `Call the sink ${n}`, [
    { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {} },
    { id: 'call', type: 'core.http_request', config: { url: `${sink.url}/call-${n}`, method: 'POST' } },
  ]);
  await fetch(hook.webhookUrl!, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const [run] = await waitForFinishedRuns(b, flowId, 1);
  return { step: run!.steps.find((s) => s.nodeId === 'call')!, path: `/call-${n}` };
}

describe("a workspace's allowed private addresses", () => {
  it('refuses a loopback call until the admin allows it, then calls it; another workspace stays refused', async () => {
    const before = await callSink(a);
    expect(before.step).toMatchObject({ status: 'failed', error: { code: 'address_not_allowed' } });

    const put = await a.api('PUT', '/api/settings/allowed-hosts', { hosts: [' 127.0.0.1 ', '10.0.0.0/8', '127.0.0.1'] });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toEqual({ hosts: ['127.0.0.1', '10.0.0.0/8'], operator: [] });
    expect((await a.api('GET', '/api/settings/allowed-hosts')).body.hosts).toEqual(['127.0.0.1', '10.0.0.0/8']);

    const after = await callSink(a);
    expect(after.step.status, JSON.stringify(after.step.error)).toBe('succeeded');
    expect(sink.requests.map((r) => r.url)).toEqual([after.path]);

    const theirs = await callSink(other);
    expect(theirs.step).toMatchObject({ status: 'failed', error: { code: 'address_not_allowed' } });
    expect(sink.requests.map((r) => r.url)).toEqual([after.path]);
    expect((await other.api('GET', '/api/settings/allowed-hosts')).body.hosts).toEqual([]);
  });

  it("applies to a provider's base-URL override (Twilio's SDK transport), and is taken back at once", async () => {
    const conn = await createConnection(other, 'twilio', 'Twilio on loopback', twilioConfig(twilio));
    const refused = await other.api('POST', `/api/connections/${conn.id}/test`);
    expect(JSON.stringify(refused.body)).toContain('address');
    expect(refused.body.ok).not.toBe(true);

    expect((await other.api('PUT', '/api/settings/allowed-hosts', { hosts: ['localhost', '127.0.0.0/8'] })).status).toBe(200);
    const allowed = await other.api('POST', `/api/connections/${conn.id}/test`);
    expect(allowed.body, JSON.stringify(allowed.body)).toMatchObject({ ok: true });

    expect((await other.api('PUT', '/api/settings/allowed-hosts', { hosts: [] })).status).toBe(200);
    const again = await other.api('POST', `/api/connections/${conn.id}/test`);
    expect(again.body.ok).not.toBe(true);
  });

  it('names each entry that is not a host, an address or a range, and keeps the list as it was', async () => {
    const res = await a.api('PUT', '/api/settings/allowed-hosts', { hosts: ['ok.internal', 'not a host!', '10.0.0.0/99', 7] });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_settings');
    expect(res.body.error.details.issues.map((i: { field: string }) => i.field)).toEqual(['hosts[1]', 'hosts[2]', 'hosts[3]']);
    expect((await a.api('GET', '/api/settings/allowed-hosts')).body.hosts).toEqual(['127.0.0.1', '10.0.0.0/8']);
    const tooMany = await a.api('PUT', '/api/settings/allowed-hosts', { hosts: Array.from({ length: 51 }, (_, i) => `h${i}.internal`) });
    expect(tooMany.status).toBe(422);
  });
});
