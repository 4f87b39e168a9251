import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliverySummary } from '../define.js';
import { nodeManifest, providerManifest } from '../manifest.js';
import { expectSecretFields, testProviderContext } from '../testing.js';
import { startFakeMonetizze, type FakeMonetizze } from '../../../tests/fakes/monetizze.js';
import { monetizzeSaleFixtures } from './fixtures/postbacks.js';
import { monetizze, type MonetizzeConnectionConfig } from './provider.js';
import { monetizzeSaleStatusChanged } from './sale-status-changed.js';

const chave = '82e98fd17562ae451ba4f9e3b9c2eab6';
const test = (config: MonetizzeConnectionConfig, deliveries?: () => Promise<DeliverySummary>) => monetizze.definition.test!(testProviderContext('monetizze', config, deliveries));

describe('monetizze test connection with a consumer key', () => {
  let fake: FakeMonetizze;
  beforeAll(async () => {
    fake = await startFakeMonetizze();
  });
  afterAll(() => fake.close());

  it('gets a token with X_CONSUMER_KEY, then reads the last day of transactions with TOKEN', async () => {
    const before = new Date();
    const res = await test({ chaveUnica: chave, consumerKey: fake.consumerKey, baseUrl: fake.url });
    expect(res).toEqual({ ok: true, message: 'Connected: Monetizze accepted the consumer key and its transactions are readable (2 transactions in the last 24 hours).' });
    const [token, list] = fake.requests.slice(-2);
    expect(token).toMatchObject({ method: 'GET', path: '/2.1/token' });
    expect(token!.headers['x_consumer_key']).toBe(fake.consumerKey);
    expect(list).toMatchObject({ method: 'GET', path: '/2.1/transactions' });
    expect(list!.headers['token']).toBe(fake.tokensIssued.at(-1));
    expect(list!.query.date_max).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(Date.parse(`${list!.query.date_min!.replace(' ', 'T')}Z`)).toBeLessThan(before.getTime() - 23 * 3600 * 1000);
  });

  it('says the consumer key was refused, and where to find it, without calling further', async () => {
    const before = fake.requests.length;
    const res = await test({ chaveUnica: chave, consumerKey: 'wrong-key', baseUrl: fake.url });
    expect(res.ok).toBe(false);
    expect(res.message).toBe('Monetizze refused the consumer key (Chave de acesso inválida): copy it again from Monetizze → Ferramentas → API, or leave it empty to test by postbacks.');
    expect(fake.requests.length - before).toBe(1);
  });

  it('says the API is not answering on 5xx, and names a token answer without a token', async () => {
    fake.failNext(1, { status: 502, body: '<html>Bad gateway</html>' });
    const down = await test({ chaveUnica: chave, consumerKey: fake.consumerKey, baseUrl: fake.url });
    expect(down).toEqual({ ok: false, message: 'Monetizze API (token) is not answering right now: <html>Bad gateway</html>. Try again in a moment.' });
    fake.failNext(1, { status: 200, body: { status: 'erro' } });
    expect(await test({ chaveUnica: chave, consumerKey: fake.consumerKey, baseUrl: fake.url })).toEqual({
      ok: false,
      message: 'Monetizze answered the token request without a token ({"status":"erro"})',
    });
  });
});

describe('monetizze test connection without a consumer key', () => {
  const at = (iso: string) => new Date(iso);
  const summary = (d: DeliverySummary) => async () => d;

  it('ok when the last postback was accepted (and mentions a later refusal)', async () => {
    expect(await test({ chaveUnica: chave }, summary({ lastAccepted: { at: at('2024-05-14T10:00:00Z') }, lastRejected: null }))).toEqual({
      ok: true,
      message: 'Postbacks arrive: the last one was accepted at 2024-05-14T10:00:00.000Z.',
    });
    const both = await test({ chaveUnica: chave }, summary({ lastAccepted: { at: at('2024-05-14T10:00:00Z') }, lastRejected: { at: at('2024-05-14T11:00:00Z'), reason: 'missing chave_unica field' } }));
    expect(both.ok).toBe(true);
    expect(both.message).toContain('A later one was refused at 2024-05-14T11:00:00.000Z (missing chave_unica field).');
  });

  it('not ok when postbacks only were refused: the reason and what to fix', async () => {
    const res = await test({ chaveUnica: chave }, summary({ lastAccepted: null, lastRejected: { at: at('2024-05-14T11:00:00Z'), reason: 'chave_unica does not match' } }));
    expect(res.ok).toBe(false);
    expect(res.message).toMatch(/^Postbacks arrive but are refused: the last one at 2024-05-14T11:00:00.000Z \(chave_unica does not match\)\./);
    expect(res.message).toContain('Ferramentas → Postback');
  });

  it('cannot tell yet when nothing arrived: the steps to send a test, with the URL', async () => {
    const res = await test({ chaveUnica: chave });
    expect(res.ok).toBeNull();
    expect(res.message).toMatch(/^Nothing has arrived yet\. To make Monetizze send a test:\n1\. /);
    expect(res.message).toContain('http://127.0.0.1/hooks/test/secret');
    expect(res.message).toContain('"Testar"');
  });
});

describe('monetizze definition', () => {
  it('marks exactly the keys secret', () => {
    expectSecretFields(monetizze, ['chaveUnica', 'consumerKey']);
  });

  it('explains where to paste the URL', () => {
    const setup = providerManifest(monetizze.definition, 'https://bundles.example.com/hooks/c1/s3cr3t').setup!;
    expect(setup).toContain('Ferramentas → Postback');
    expect(setup).toContain('https://bundles.example.com/hooks/c1/s3cr3t');
    expect(setup).toContain('chave única');
  });

  it('validates the connection config', () => {
    expect(monetizze.definition.auth.safeParse({ chaveUnica: ' k ' }).data).toEqual({ chaveUnica: 'k' });
    expect(monetizze.definition.auth.safeParse({}).success).toBe(false);
    expect(monetizze.definition.auth.safeParse({ chaveUnica: 'k', baseUrl: 'nope' }).success).toBe(false);
  });
});

describe('monetizze.sale_status_changed', () => {
  const match = (payload: Record<string, unknown>, config: Record<string, unknown>) =>
    monetizzeSaleStatusChanged.match!(payload, monetizzeSaleStatusChanged.config.parse(config));
  const [boleto, paid, refunded, abandoned] = monetizzeSaleFixtures as [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>];

  it('matches any sale with no filters', () => {
    for (const f of monetizzeSaleFixtures) expect(match(f, {})).toBe(true);
  });

  it('filters on statuses', () => {
    expect(match(boleto, { statuses: ['awaiting_payment'] })).toBe(true);
    expect(match(paid, { statuses: ['awaiting_payment'] })).toBe(false);
    expect(match(abandoned, { statuses: ['awaiting_payment', 'abandoned'] })).toBe(true);
    expect(match(refunded, { statuses: ['paid', 'complete'] })).toBe(false);
    expect(monetizzeSaleStatusChanged.config.safeParse({ statuses: ['approved'] }).success).toBe(false);
  });

  it('filters on product codes', () => {
    expect(match(boleto, { productCodes: ['184512'] })).toBe(true);
    expect(match(boleto, { productCodes: ['999'] })).toBe(false);
    expect(match({ ...boleto, product: { code: null, name: null } }, { productCodes: ['184512'] })).toBe(false);
    expect(match(paid, { statuses: ['paid'], productCodes: ['999', '184512'] })).toBe(true);
  });

  it('has config and output as the contract says', () => {
    const manifest = nodeManifest(monetizzeSaleStatusChanged);
    expect(Object.keys(manifest.configSchema.properties as object).sort()).toEqual(['productCodes', 'statuses']);
    expect(Object.keys(manifest.outputSchema.properties as object).sort()).toEqual(
      ['abandoned', 'boletoLine', 'boletoUrl', 'buyer', 'checkoutUrl', 'paymentMethod', 'product', 'saleCode', 'status', 'statusCode', 'value'].sort(),
    );
    expect(monetizzeSaleStatusChanged.config.parse({})).toEqual({ statuses: [], productCodes: [] });
    for (const f of monetizzeSaleFixtures) expect(monetizzeSaleStatusChanged.output.safeParse(f).success).toBe(true);
    expect(monetizzeSaleStatusChanged.output.safeParse({ ...boleto, statusCode: 7 }).success).toBe(false);
  });
});
