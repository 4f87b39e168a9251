import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError, type HttpResponse } from '../define.js';
import { createHttpClient } from '../http.js';
import { startFakeSalesmanago, type FakeSalesmanago } from '../../../tests/fakes/salesmanago.js';
import { isSalesmanagoRateLimit, readSalesmanagoAnswer, salesmanagoBase, salesmanagoCall, salesmanagoHost, salesmanagoSha, type SalesmanagoAuth } from './api.js';

const res = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json', ...headers },
  body,
  text: typeof body === 'string' ? body : JSON.stringify(body),
});

function errorOf(fn: () => unknown): ProviderError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error('expected a ProviderError');
}

describe('salesmanago auth fields', () => {
  it('computes the sha of PROVIDERS.md’s test vector', () => {
    expect(salesmanagoSha('key', 'client', 'secret')).toBe('95ab89dbf30d7b0d522bea318b001ed9ceba514d');
  });

  it('builds the base URL from the server, a host or the override', () => {
    expect(salesmanagoHost('app3')).toBe('app3.salesmanago.com');
    expect(salesmanagoHost(' https://APP2.salesmanago.pl/api ')).toBe('app2.salesmanago.pl');
    expect(salesmanagoBase({ server: 'www' })).toBe('https://www.salesmanago.com');
    expect(salesmanagoBase({ server: 'app3', baseUrl: 'http://127.0.0.1:4010/' })).toBe('http://127.0.0.1:4010');
  });
});

describe('salesmanago answers', () => {
  it('returns the body of success: true', () => {
    expect(readSalesmanagoAnswer(res(200, { success: true, message: [], contactId: 'c1' }))).toMatchObject({ contactId: 'c1' });
  });

  it('turns HTTP 200 with success: false into a permanent error carrying the vendor’s message', () => {
    const err = errorOf(() => readSalesmanagoAnswer(res(200, { success: false, message: ['Contact with this email is blocked', 'code 17'] })));
    expect(err).toMatchObject({ message: 'Contact with this email is blocked; code 17', retryable: false, ambiguous: false, provider: 'salesmanago', status: 200 });
  });

  it('adds where to look when the credentials are refused', () => {
    const err = errorOf(() => readSalesmanagoAnswer(res(200, { success: false, message: ['Not authenticated'] })));
    expect(err.code).toBe('not_authenticated');
    expect(err.message).toMatch(/^Not authenticated: check the client id, API secret and owner/);
  });

  it('makes 429, 5xx and rate-limit refusals retryable; 500 is ambiguous, 503 and 429 are not', () => {
    const limited = errorOf(() => readSalesmanagoAnswer(res(429, '', { 'retry-after': '3' })));
    expect(limited).toMatchObject({ retryable: true, ambiguous: false, retryAfterMs: 3000 });
    expect(errorOf(() => readSalesmanagoAnswer(res(429, { success: false, message: [] })))).toMatchObject({ retryable: true, retryAfterMs: 1000 });
    expect(errorOf(() => readSalesmanagoAnswer(res(500, '<html>oops</html>')))).toMatchObject({ retryable: true, ambiguous: true });
    expect(errorOf(() => readSalesmanagoAnswer(res(503, '')))).toMatchObject({ retryable: true, ambiguous: false });
    expect(errorOf(() => readSalesmanagoAnswer(res(200, { success: false, message: ['API rate limit exceeded'] })))).toMatchObject({ retryable: true, code: 'rate_limited' });
    expect(isSalesmanagoRateLimit('Contact limit reached for your plan')).toBe(false);
  });

  it('refuses other answers permanently; a 2xx that does not say whether it worked is ambiguous', () => {
    expect(errorOf(() => readSalesmanagoAnswer(res(404, '<html>404</html>')))).toMatchObject({ retryable: false, ambiguous: false });
    expect(errorOf(() => readSalesmanagoAnswer(res(302, '')))).toMatchObject({ retryable: false, message: expect.stringMatching(/check the server name/) });
    expect(errorOf(() => readSalesmanagoAnswer(res(200, '<html>maintenance</html>')))).toMatchObject({ retryable: false, ambiguous: true });
    expect(errorOf(() => readSalesmanagoAnswer(res(200, { contactId: 'c1' })))).toMatchObject({ retryable: false, ambiguous: true });
  });
});

describe('salesmanago calls against the fake', () => {
  let fake: FakeSalesmanago;
  beforeAll(async () => {
    fake = await startFakeSalesmanago();
  });
  afterAll(() => fake.close());
  const config = (over: Partial<SalesmanagoAuth> = {}): SalesmanagoAuth => ({ server: 'app3', clientId: fake.clientId, apiKey: 'any-key', apiSecret: fake.apiSecret, owner: fake.owner, baseUrl: fake.url, ...over });
  const ctx = (over: Partial<SalesmanagoAuth> = {}) => ({ connection: { config: config(over) }, http: createHttpClient() });

  it('posts JSON with the auth fields at the top level', async () => {
    const before = Date.now();
    await salesmanagoCall(ctx(), '/api/contact/hasContact', { email: 'a@example.com' });
    const call = fake.requests.at(-1)!;
    expect(call.method).toBe('POST');
    expect(call.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(call.json).toEqual({ clientId: fake.clientId, apiKey: 'any-key', requestTime: expect.any(Number), sha: salesmanagoSha('any-key', fake.clientId, fake.apiSecret), owner: fake.owner, email: 'a@example.com' });
    expect(call.json!.requestTime as number).toBeGreaterThanOrEqual(before);
  });

  it('is refused with HTTP 200 for a wrong secret or owner, as the vendor does', async () => {
    await expect(salesmanagoCall(ctx({ apiSecret: 'wrong' }), '/api/contact/hasContact', { email: 'a@example.com' })).rejects.toMatchObject({ code: 'not_authenticated', status: 200, retryable: false });
    await expect(salesmanagoCall(ctx({ owner: 'nobody@example.com' }), '/api/contact/hasContact', { email: 'a@example.com' })).rejects.toMatchObject({ message: 'Owner nobody@example.com not found', retryable: false });
  });

  it('classifies the failures the fake is told to give', async () => {
    fake.failNext(1, { status: 429, body: { success: false, message: ['Too many requests'] }, headers: { 'retry-after': '0' } });
    fake.failNext(1, { status: 500, body: 'Internal Server Error' });
    fake.failNext(1, { status: 200, body: { success: false, message: ['Illegal value of field: value'] } });
    await expect(salesmanagoCall(ctx(), '/api/contact/hasContact', {})).rejects.toMatchObject({ retryable: true, ambiguous: false, retryAfterMs: 0 });
    await expect(salesmanagoCall(ctx(), '/api/contact/hasContact', {})).rejects.toMatchObject({ retryable: true, ambiguous: true, status: 500 });
    await expect(salesmanagoCall(ctx(), '/api/contact/hasContact', {})).rejects.toMatchObject({ retryable: false, message: 'Illegal value of field: value' });
  });

  it('says a lost answer may have arrived, naming SALESmanago', async () => {
    fake.loseNext(1, '/api/contact/hasContact');
    await expect(salesmanagoCall(ctx(), '/api/contact/hasContact', { email: 'a@example.com' })).rejects.toMatchObject({ retryable: true, ambiguous: true, provider: 'salesmanago' });
  });
});
