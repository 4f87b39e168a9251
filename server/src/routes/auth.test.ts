import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';
import { hashToken } from '../services/tokens.js';

let b: TestBundles;
beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), { setup: false });
});
afterAll(() => b?.close());

describe('auth', () => {
  it('sets up the owner once, then answers 409', async () => {
    expect((await b.api('GET', '/api/setup')).body).toEqual({ required: true });
    const short = await b.api('POST', '/api/setup', { email: 'owner@example.com', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.code).toBe('invalid_request');
    const first = await b.api('POST', '/api/setup', { email: 'Owner@Example.com', password: 'correct horse battery', workspace: 'Loja' });
    expect(first.status).toBe(200);
    expect(first.body.token).toMatch(/^bnd_/);
    b.token = first.body.token;
    const again = await b.api('POST', '/api/setup', { email: 'x@example.com', password: 'another password' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_set_up');
    expect((await b.api('GET', '/api/setup')).body).toEqual({ required: false });
  });

  it('stores API tokens only as hashes', async () => {
    const { rows } = await b.database.pool.query('select token_hash from api_tokens');
    expect(rows.map((r) => r.token_hash)).toEqual([hashToken(b.token)]);
    expect(JSON.stringify(rows)).not.toContain(b.token);
  });

  it('requires a token or a session on every /api route but setup and login', async () => {
    for (const url of ['/api/flows', '/api/connections', '/api/runs', '/api/node-types', '/api/messages', '/api/events', '/api/me']) {
      const res = await b.app!.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
    const bad = await b.app!.inject({ method: 'GET', url: '/api/flows', headers: { authorization: 'Bearer bnd_nope' } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('invalid_token');
    expect((await b.api('GET', '/api/flows')).status).toBe(200);
  });

  it('decides on the path as routed: no spelling of an /api path answers without a login', async () => {
    for (const url of ['/%61pi/providers', '/api/%70roviders', '/%61pi/flows?x=1', '/%2561pi/flows', '//api/flows', '/api//flows', '/api/flows/', '/api/docs/../flows', '/api/docs%2F..%2Fflows']) {
      const res = await b.app!.inject({ method: 'GET', url });
      // Refused, or not an API route at all (the editor's page answers every other path).
      if (res.statusCode === 200) expect(String(res.headers['content-type']), url).toContain('text/html');
      else expect([401, 404], url).toContain(res.statusCode);
    }
    // The spellings the router takes for an /api route are refused as that route is.
    for (const url of ['/%61pi/providers', '/api/%70roviders', '//api/flows']) {
      const res = await b.app!.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
    const ok = await b.app!.inject({ method: 'GET', url: '/%61pi/providers', headers: { authorization: `Bearer ${b.token}` } });
    expect(ok.statusCode).toBe(200);
  });

  it('refuses a change made with the login cookie from another origin (another port of the same host too)', async () => {
    const login = await b.app!.inject({ method: 'POST', url: '/api/login', payload: { email: 'owner@example.com', password: 'correct horse battery' } });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const create = (headers: Record<string, string>) =>
      b.app!.inject({ method: 'POST', url: '/api/flows', headers: { cookie, host: '127.0.0.1:3000', ...headers }, payload: { name: 'From a page' } });
    const foreign: Array<Record<string, string>> = [{ origin: 'http://127.0.0.1:8080' }, { origin: 'http://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of foreign) {
      const res = await create(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json().error.code).toBe('cross_origin');
    }
    // The editor's own page, and a client that names no page (no browser), may.
    expect((await create({ origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-origin' })).statusCode).toBe(201);
    expect((await create({})).statusCode).toBe(201);
    // Reading needs no origin; a token is no ambient credential, whatever page sent it.
    expect((await b.app!.inject({ method: 'GET', url: '/api/flows', headers: { cookie, origin: 'http://127.0.0.1:8080' } })).statusCode).toBe(200);
    const withToken = await b.app!.inject({ method: 'POST', url: '/api/flows', headers: { authorization: `Bearer ${b.token}`, origin: 'http://127.0.0.1:8080' }, payload: { name: 'Script' } });
    expect(withToken.statusCode).toBe(201);
    // Signed out again: the session tests count sessions.
    expect((await b.app!.inject({ method: 'POST', url: '/api/logout', headers: { cookie } })).statusCode).toBe(204);
  });

  it('pauses sign-ins after 10 failures for an account, or 30 from one address, with Retry-After; right ones clear the account', async () => {
    const attempt = (email: string, password: string, ip = '203.0.113.7') =>
      b.app!.inject({ method: 'POST', url: '/api/login', remoteAddress: ip, payload: { email, password } });
    for (let i = 0; i < 10; i++) expect((await attempt('victim@example.com', `guess ${i} guess`)).statusCode).toBe(401);
    const paused = await attempt('victim@example.com', 'guess 10 guess');
    expect(paused.statusCode).toBe(429);
    expect(paused.json().error.code).toBe('too_many_attempts');
    expect(Number(paused.headers['retry-after'])).toBeGreaterThan(800);
    // From another address too: the account is paused, whoever tries (the right password included).
    expect((await attempt('victim@example.com', 'correct horse battery', '198.51.100.9')).statusCode).toBe(429);
    // The owner signs in from elsewhere: a failure or two, then the right password clears the account's count.
    await attempt('owner@example.com', 'wrong wrong wrong', '198.51.100.10');
    const signedIn = await attempt('owner@example.com', 'correct horse battery', '198.51.100.10');
    expect(signedIn.statusCode).toBe(200);
    await b.app!.inject({ method: 'POST', url: '/api/logout', headers: { cookie: String(signedIn.headers['set-cookie']).split(';')[0]! } });
    const { rows } = await b.database.pool.query(`select key, failures from login_throttle where key like 'account:owner%'`);
    expect(rows).toEqual([]);
    // One address trying many accounts: stopped after 30 failures (the 10 above came from it).
    for (let i = 0; i < 20; i++) expect((await attempt(`user${i}@example.com`, 'nope nope nope')).statusCode).toBe(401);
    const spray = await attempt('someone@example.com', 'nope nope nope');
    expect(spray.statusCode).toBe(429);
    expect(spray.json().error.message).toContain('this address');
    await b.database.pool.query(`delete from login_throttle`);
  });

  it('logs in with a password into an httpOnly session cookie, and out again', async () => {
    const wrong = await b.app!.inject({ method: 'POST', url: '/api/login', payload: { email: 'owner@example.com', password: 'nope nope nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.message).toBe('Wrong e-mail or password.');
    const ok = await b.app!.inject({ method: 'POST', url: '/api/login', payload: { email: 'owner@example.com', password: 'correct horse battery' } });
    expect(ok.statusCode).toBe(200);
    const setCookie = String(ok.headers['set-cookie']);
    expect(setCookie).toMatch(/bundles_session=[^;]+/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    const cookie = setCookie.split(';')[0]!;
    const me = await b.app!.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ user: { email: 'owner@example.com' }, workspace: { name: 'Loja' } });
    const { rows } = await b.database.pool.query('select token_hash from sessions');
    expect(rows).toHaveLength(2); // setup's session and this one, hashed
    expect(JSON.stringify(rows)).not.toContain(cookie.split('=')[1]);
    const out = await b.app!.inject({ method: 'POST', url: '/api/logout', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect((await b.app!.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(401);
  });

  it('creates further API tokens', async () => {
    const res = await b.api('POST', '/api/tokens', { name: 'ci' });
    expect(res.status).toBe(201);
    const other = await b.app!.inject({ method: 'GET', url: '/api/flows', headers: { authorization: `Bearer ${res.body.token}` } });
    expect(other.statusCode).toBe(200);
  });
});
