// /metrics and /api/docs for an operator who wants them closed (BUNDLES_METRICS_TOKEN, BUNDLES_DOCS_PUBLIC=false),
// and the proxy setting that decides whether X-Forwarded-* is believed.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { configFromEnv, trustProxyOf } from '../config.js';
import { createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';

let closed: TestBundles;
beforeAll(async () => {
  closed = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), { metricsToken: 'metrics-secret-0001', docsPublic: false });
});
afterAll(() => closed?.close());

describe('endpoints an operator can close', () => {
  it('/metrics wants the metrics token when one is set', async () => {
    const none = await closed.app!.inject({ method: 'GET', url: '/metrics' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
    const wrong = await closed.app!.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-secret-0002' } });
    expect(wrong.statusCode).toBe(401);
    const right = await closed.app!.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-secret-0001' } });
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('bundles_');
  });

  it('/api/docs wants a login when it is not public', async () => {
    for (const url of ['/api/docs', '/api/docs/json']) {
      expect((await closed.app!.inject({ method: 'GET', url })).statusCode, url).toBe(401);
      const withToken = await closed.app!.inject({ method: 'GET', url, headers: { authorization: `Bearer ${closed.token}` } });
      expect(withToken.statusCode, url).toBeLessThan(400);
    }
  });

  it('reads the settings from the environment: open by default, proxies not believed unless set', () => {
    const open = configFromEnv({});
    expect([open.metricsToken, open.docsPublic, open.trustProxy]).toEqual([undefined, true, false]);
    const shut = configFromEnv({ BUNDLES_METRICS_TOKEN: 't', BUNDLES_DOCS_PUBLIC: 'false', BUNDLES_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' });
    expect([shut.metricsToken, shut.docsPublic, shut.trustProxy]).toEqual(['t', false, ['10.0.0.0/8', '127.0.0.1']]);
    expect([trustProxyOf('true'), trustProxyOf('2'), trustProxyOf('false'), trustProxyOf(undefined)]).toEqual([true, 2, false, false]);
  });
});
