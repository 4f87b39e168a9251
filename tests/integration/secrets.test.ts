// Secrets stay secret: a connection's secret header and every secret value that reached us in a request
// are gone from stored payloads, API answers and logs; HTTP credentials live in an `http` connection, not in
// the graph; a server started with another secret key refuses to start and says what to do.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, testSecretKey, type TestBundles } from '@bundles/server/testing';
import { startSink, type Sink } from '../support/sink.js';
import { createConnection, deliveries, events, postHook, postJson, runDetail, startChainFlow, waitForFinishedRuns } from '../support/providers.js';

let b: TestBundles;
let sink: Sink;
const logLines: string[] = [];

beforeAll(async () => {
  const logDestination = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  [b, sink] = await Promise.all([startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), { logDestination }), startSink()]);
});
afterAll(async () => {
  await b?.close();
  await sink?.close();
});

/** Everything the API answers about a connection's events and runs, as one text to search. */
async function everythingStored(connectionId: string, flowId: string): Promise<string> {
  const runs = (await b.api('GET', `/api/runs?flowId=${flowId}`)).body.items as Array<{ id: string }>;
  const details = await Promise.all(runs.map((r) => runDetail(b, r.id)));
  const { rows } = await b.database.pool.query(`select payload::text as p from events where connection_id = $1 union all select body::text from webhook_deliveries where connection_id = $1`, [connectionId]);
  return JSON.stringify([await events(b, connectionId), await deliveries(b, connectionId), details, rows]);
}

describe('secrets in requests', () => {
  it('the generic webhook’s secret header, a trigger’s shared secret and a secret repeated in the body are not stored, answered or logged', async () => {
    const headerSecret = 'hdr-s3cr3t-7f2a9c';
    const triggerSecret = 'trg-t0ken-51be0d';
    const conn = await createConnection(b, 'webhook', 'Signed shop', { secretHeader: 'X-Shop-Secret', secret: headerSecret });
    const flowId = await startChainFlow(b, 'Signed shop', [
      { id: 'trigger', type: 'core.webhook', connectionId: conn.id, config: { secretHeader: 'X-Trigger-Token', secret: triggerSecret } },
      { id: 'note', type: 'core.set', config: { fields: { order: '{{ trigger.body.order }}' } } },
    ]);
    const res = await postJson(conn.webhookUrl!, { order: 'S-1', echo: `token=${triggerSecret}`, copy: headerSecret }, { 'x-shop-secret': headerSecret, 'x-trigger-token': triggerSecret });
    expect(res.status).toBe(200);
    const [run] = await waitForFinishedRuns(b, flowId, 1);
    expect(run!.status).toBe('succeeded');

    const stored = await everythingStored(conn.id, flowId);
    expect(stored).toContain('S-1');
    expect(stored).not.toContain(headerSecret);
    expect(stored).not.toContain(triggerSecret);
    const [event] = await events(b, conn.id);
    expect(event!.payload).toMatchObject({ body: { order: 'S-1', echo: 'token=[redacted]', copy: '[redacted]' }, headers: { 'x-trigger-token': '[redacted]' } });
    expect(Object.keys((event!.payload as { headers: object }).headers)).not.toContain('x-shop-secret');
    expect(logLines.join('\n')).not.toContain(headerSecret);
    expect(logLines.join('\n')).not.toContain(triggerSecret);
  });
});

describe('HTTP credentials', () => {
  it('come from an http connection, encrypted, and reach the API they are for', async () => {
    const token = 'erp-bearer-2c4e6a8b';
    const erp = await createConnection(b, 'http', 'Shop ERP', { authType: 'bearer', token, baseUrl: sink.url });
    expect(erp).toMatchObject({ secretsSet: ['token'], config: { authType: 'bearer', baseUrl: sink.url } });
    expect(JSON.stringify(erp)).not.toContain(token);
    const hook = await createConnection(b, 'webhook', 'ERP feed', {});
    const flowId = await startChainFlow(b, 'Orders to ERP', [
      { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {} },
      { id: 'erp', type: 'core.http_request', connectionId: erp.id, config: { url: '/orders', body: { order: '{{ trigger.body.order }}' } } },
    ]);
    expect((await postJson(hook.webhookUrl!, { order: 'E-1' })).status).toBe(200);
    const [run] = await waitForFinishedRuns(b, flowId, 1);
    expect(run!.status, JSON.stringify(run!.error)).toBe('succeeded');
    const call = sink.requests.find((r) => r.url === '/orders')!;
    expect(call.headers.authorization).toBe(`Bearer ${token}`);
    expect(JSON.stringify(await runDetail(b, run!.id))).not.toContain(token);
  });

  it('an http connection says which fields its authentication needs', async () => {
    const res = await b.api('POST', '/api/connections', { provider: 'http', name: 'Half set', config: { authType: 'header', headerName: 'X-Api-Key' } });
    expect(res.status).toBe(422);
    expect(res.body.error.details.issues).toEqual([{ field: 'headerValue', message: 'is required for header authentication' }]);
  });

  it('a credential header in the graph is refused on start, naming the node and the field', async () => {
    const hook = await createConnection(b, 'webhook', 'Leaky feed', {});
    const flow = await b.api('POST', '/api/flows', {
      name: 'Leaky',
      graph: {
        nodes: [
          { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {} },
          { id: 'erp', type: 'core.http_request', config: { url: `${sink.url}/orders`, headers: { Authorization: 'Bearer leaked' } } },
        ],
        edges: [{ source: 'trigger', target: 'erp' }],
      },
    });
    const refused = flow.status === 422 ? flow : await b.api('POST', `/api/flows/${flow.body.id}/start`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.issues).toEqual([{ nodeId: 'erp', field: 'headers.Authorization', message: expect.stringContaining('HTTP connection') }]);
  });
});

describe('the secret key', () => {
  it('a start with another key is refused with what to do; --forget-secrets clears the secrets so they can be entered again', async () => {
    const databaseUrl = await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'));
    const first = await startTestBundles(databaseUrl);
    const conn = await createConnection(first, 'twilio', 'Twilio SMS', { accountSid: 'AC' + 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6', authToken: 'f00dcafef00dcafef00dcafef00dcafe' });
    await first.close();

    const otherKey = 'c'.repeat(64);
    expect(otherKey).not.toBe(testSecretKey);
    const refused = await startTestBundles(databaseUrl, { secretKey: otherKey, setup: false }).then(
      () => null,
      (err: Error) => err,
    );
    expect(refused?.message).toMatch(/not the key this database's connection secrets were encrypted with.*--forget-secrets/s);

    const again = await startTestBundles(databaseUrl, { secretKey: otherKey, setup: false, forgetSecrets: true });
    try {
      const login = await again.app!.inject({ method: 'POST', url: '/api/login', payload: { email: 'owner@example.com', password: 'correct horse battery' } });
      const cookie = String(login.headers['set-cookie']).split(';')[0]!;
      const res = await again.app!.inject({ method: 'GET', url: `/api/connections/${conn.id}`, headers: { cookie } });
      expect(JSON.parse(res.body)).toMatchObject({ secretsSet: [], status: 'broken', lastTest: { ok: false, message: expect.stringContaining('enter them again') } });
    } finally {
      await again.close();
    }
    // The new key is the database's key now: it starts without the flag.
    await (await startTestBundles(databaseUrl, { secretKey: otherKey, setup: false })).close();
  });
});

describe('a body the connection cannot accept stays out of the log too', () => {
  it('a rejected delivery keeps its reason, not its body', async () => {
    const conn = await createConnection(b, 'webhook', 'Rejecting', { secretHeader: 'X-Shop-Secret', secret: 'right-secret-001' });
    expect((await postHook(conn.webhookUrl!, { 'content-type': 'application/json', 'x-shop-secret': 'wrong-secret-002' }, '{"card":"4111111111111111"}')).status).toBe(401);
    const [d] = await deliveries(b, conn.id);
    expect(d).toMatchObject({ outcome: 'rejected', reason: 'wrong value in header X-Shop-Secret', body: null });
  });
});
