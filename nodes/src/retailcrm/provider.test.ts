import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, WebhookParseError, type RateLimiter, type WebhookRequest } from '../define.js';
import { nodeManifest, providerManifest, secretFields } from '../manifest.js';
import { localLimiter, testActionContext, testConnection, testProviderContext, expectSecretFields } from '../testing.js';
import { startFakeRetailcrm, retailcrmNoAccountPage, type FakeRetailcrm } from '../../../tests/fakes/retailcrm.js';
import { retailcrmLimiterKey, retailcrmApiBase } from './api.js';
import { retailcrm, RETAILCRM_TRIGGER_BODY, type RetailcrmConnectionConfig } from './provider.js';
import { retailcrmTriggerBodies } from './fixtures/order-changed.js';
import * as nodes from './index.js';
import { retailcrmGetOrder } from './get-order.js';

function formRequest(raw: string, body: unknown = Object.fromEntries(new URLSearchParams(raw))): WebhookRequest {
  return rawRequest(raw, body);
}

/** A request whose body the server left unparsed (body undefined). */
function rawRequest(raw: string, body?: unknown): WebhookRequest {
  return {
    method: 'POST',
    url: 'https://bundles.example.com/hooks/conn_1/s3cret',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    query: {},
    rawBody: Buffer.from(raw),
    body,
  };
}

const webhook = retailcrm.definition.webhook!;
const conn = testConnection<RetailcrmConnectionConfig>('retailcrm', { domain: 'myshop.retailcrm.ru', apiKey: 'k' });

describe('retailcrm webhook', () => {
  it('verifies every request: the URL secret is the server’s check', () => {
    expect(webhook.verify(formRequest(retailcrmTriggerBodies.statusPaid), conn as never)).toEqual({ ok: true });
  });

  it('parses the trigger form body with a dedupe key per change', () => {
    const [event] = webhook.parse(formRequest(retailcrmTriggerBodies.statusPaid), conn as never);
    expect(event).toEqual({
      type: 'retailcrm.order_changed',
      dedupeKey: 'order:1042:status:paid',
      keyKind: 'content',
      subject: 'order:1042',
      payload: { id: '1042', status: 'paid', event: 'status', type: 'order' },
    });
    const [created] = webhook.parse(formRequest(retailcrmTriggerBodies.createdWithoutStatus), conn as never);
    expect(created!.payload).toEqual({ id: '1044', status: '', event: 'new', type: 'order' });
    expect(created!.dedupeKey).toBe('order:1044:new:');
  });

  it('is lenient: repeated fields, JSON bodies, raw bytes only, spaces', () => {
    const repeated = webhook.parse(formRequest('', { id: ['77', '78'], status: ['paid'], event: 'status' }), conn as never);
    expect(repeated[0]!.payload).toEqual({ id: '77', status: 'paid', event: 'status' });
    const json = webhook.parse(formRequest('', { id: 55, status: 'complete', event: 'new' }), conn as never);
    expect(json[0]!.payload).toEqual({ id: '55', status: 'complete', event: 'new' });
    const raw = webhook.parse(rawRequest('id=+9+&status=paid'), conn as never);
    expect(raw[0]!.payload).toEqual({ id: '9', status: 'paid', event: 'status' });
    const rawJson = webhook.parse(rawRequest('{"id":"10","event":"new"}'), conn as never);
    expect(rawJson[0]!.payload).toMatchObject({ id: '10', event: 'new' });
  });

  it('rejects a body without id with the body to use', () => {
    expect(() => webhook.parse(formRequest('type=order&status=paid&id=&event=status'), conn as never)).toThrow(WebhookParseError);
    expect(() => webhook.parse(formRequest('status=paid'), conn as never)).toThrow(/no order "id"/);
  });

  it('setup text carries the webhook URL and the exact trigger body', () => {
    const text = retailcrm.definition.setup!({ webhookUrl: 'https://x.test/hooks/c/s', config: {} });
    expect(text).toContain('https://x.test/hooks/c/s');
    expect(text).toContain(RETAILCRM_TRIGGER_BODY);
  });
});

describe('retailcrm definitions', () => {
  it('marks secrets and builds manifests for every node', () => {
    expect(secretFields(retailcrm.definition).sort()).toEqual(['apiKey', 'mgToken']);
    expect(providerManifest(retailcrm.definition).authSchema).toMatchObject({ properties: { apiKey: { 'x-secret': true } } });
    const list = Object.values(nodes).filter((n) => typeof n === 'object' && 'kind' in n);
    expect(list.map((n) => n.id).sort()).toEqual([
      'retailcrm.create_order',
      'retailcrm.find_or_create_customer',
      'retailcrm.get_order',
      'retailcrm.order_changed',
      'retailcrm.send_chat_message',
      'retailcrm.update_order_status',
    ]);
    for (const node of list) {
      const manifest = nodeManifest(node);
      expect(manifest.configSchema).toHaveProperty('type', 'object');
      expect(manifest.outputSchema).toHaveProperty('type', 'object');
    }
    expect(nodeManifest(nodes.retailcrmOrderChanged).configSchema).toMatchObject({
      properties: { statuses: { 'x-options': 'statuses', 'x-widget': 'multiselect' } },
    });
  });

  it('every trigger fixture parses against the output schema', () => {
    const t = nodes.retailcrmOrderChanged;
    expect(t.fixtures!.length).toBeGreaterThan(0);
    for (const f of t.fixtures!) expect(t.output.safeParse(f).success).toBe(true);
    expect(t.output.safeParse({ id: 1042, status: 'paid', event: 'status' }).success).toBe(false);
  });

  it('builds the API base from the domain in any form, or from baseUrl', () => {
    expect(retailcrmApiBase({ domain: 'https://MyShop.retailcrm.ru/', apiKey: 'k' })).toBe('https://myshop.retailcrm.ru/api/v5');
    expect(retailcrmApiBase({ domain: 'myshop.retailcrm.ru', apiKey: 'k' })).toBe('https://myshop.retailcrm.ru/api/v5');
    expect(retailcrmApiBase({ domain: 'myshop.retailcrm.ru', apiKey: 'k', baseUrl: 'http://127.0.0.1:9/' })).toBe('http://127.0.0.1:9/api/v5');
  });
});

describe('retailcrm against the fake', () => {
  let fake: FakeRetailcrm;
  let config: RetailcrmConnectionConfig;
  beforeAll(async () => {
    fake = await startFakeRetailcrm();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    config = { domain: 'myshop.retailcrm.ru', apiKey: fake.apiKey, site: 'myshop', baseUrl: fake.url };
    fake.setRateLimit(10);
  });

  it('tests the connection with the shop list', async () => {
    const ok = await retailcrm.definition.test!(testProviderContext('retailcrm', config));
    expect(ok).toEqual({ ok: true, message: expect.stringContaining('myshop') });
    expect(fake.requests.at(-1)!.path).toBe('/api/v5/credentials');
    expect(fake.requests.at(-1)!.headers['x-api-key']).toBe(fake.apiKey);
  });

  it('test connection says the key was refused on 403', async () => {
    const res = await retailcrm.definition.test!(testProviderContext('retailcrm', { ...config, apiKey: 'wrong' }));
    expect(res.ok).toBe(false);
    expect(res.message).toMatch(/refused the API key.*Wrong "apiKey" value/);
  });

  it('test connection flags a shop code the key does not reach', async () => {
    const res = await retailcrm.definition.test!(testProviderContext('retailcrm', { ...config, site: 'othershop' }));
    expect(res).toEqual({ ok: false, message: expect.stringContaining('"othershop"') });
  });

  it('lists the active statuses live', async () => {
    const options = await retailcrm.definition.options!.statuses!(testProviderContext('retailcrm', config));
    expect(options[0]).toEqual({ value: 'new', label: 'New (new)' });
    expect(options.map((o) => o.value)).toContain('paid');
    expect(options.map((o) => o.value)).not.toContain('archived');
    expect(fake.requests.at(-1)!.path).toBe('/api/v5/reference/statuses');
  });

  async function errorOf(promise: Promise<unknown>): Promise<ProviderError> {
    const err = await promise.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }
  const getOrder = (cfg: RetailcrmConnectionConfig, orderId: number) =>
    retailcrmGetOrder.execute(testActionContext({ provider: 'retailcrm', config: { orderId }, connection: cfg }));

  it('403 wrong key is permanent with RetailCRM’s errorMsg', async () => {
    const err = await errorOf(getOrder({ ...config, apiKey: 'nope' }, 1));
    expect(err.retryable).toBe(false);
    expect(err.status).toBe(403);
    expect(err.message).toContain('Wrong "apiKey" value.');
  });

  it('404 is permanent; validation errors are joined into the message', async () => {
    const err = await errorOf(getOrder(config, 999999));
    expect(err).toMatchObject({ retryable: false, status: 404, message: 'Not found' });
    fake.failNext(1, { status: 400, body: { success: false, errorMsg: 'Order is not created', errors: { 'customer[email]': 'This value is not a valid email address.' } } });
    const bad = await errorOf(getOrder(config, 1));
    expect(bad.retryable).toBe(false);
    expect(bad.message).toBe('Order is not created (customer[email]: This value is not a valid email address.)');
    fake.failNext(1, { status: 400, body: { success: false, errorMsg: 'Errors', errors: ['first', 'second'] } });
    expect((await errorOf(getOrder(config, 1))).message).toBe('Errors (first; second)');
  });

  it('503 rate limit is retryable after about 100 ms', async () => {
    fake.failNext(1, { status: 503, body: { success: false, errorMsg: 'Rate limit exceeded' } });
    const err = await errorOf(getOrder(config, 1));
    expect(err).toMatchObject({ retryable: true, status: 503, retryAfterMs: 100, message: 'Rate limit exceeded' });
    fake.failNext(1, { status: 429, body: { success: false, errorMsg: 'Rate limit exceeded' }, headers: { 'retry-after': '2' } });
    expect(await errorOf(getOrder(config, 1))).toMatchObject({ retryable: true, retryAfterMs: 2000 });
  });

  it('an HTML page means the account does not exist', async () => {
    fake.failNext(1, { status: 404, body: retailcrmNoAccountPage });
    const err = await errorOf(getOrder(config, 1));
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/account does not exist.*check the domain/);
  });

  it('the fake answers 503 over 10 requests/s, and that is retryable', async () => {
    const noWait: RateLimiter = { acquire: async () => {} };
    // 25 calls span at most two one-second windows, so one of them holds more than 10.
    const calls = Array.from({ length: 25 }, () =>
      retailcrmGetOrder.execute({ ...testActionContext({ provider: 'retailcrm', config: { orderId: 1 }, connection: config }), limiter: noWait }).catch((e: unknown) => e),
    );
    const results = await Promise.all(calls);
    const limited = results.filter((r) => r instanceof ProviderError && r.retryable && r.message === 'Rate limit exceeded');
    expect(limited.length).toBeGreaterThan(0);
  });

  it('acquires the limiter before every call, keyed by the hashed API key, and waits past 10 per second', async () => {
    const order = fake.addOrder({ status: 'paid' });
    const limiter = localLimiter();
    const keys: string[] = [];
    const spy: RateLimiter = {
      acquire: (key, perSecond) => {
        keys.push(`${key}/${perSecond}`);
        return limiter.acquire(key, perSecond);
      },
    };
    // Start at the top of a second so that all 11 calls fall in one window.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
    const before = fake.requests.length;
    const results = await Promise.all(
      Array.from({ length: 11 }, () =>
        retailcrmGetOrder.execute({ ...testActionContext({ provider: 'retailcrm', config: { orderId: order.id }, connection: config }), limiter: spy }),
      ),
    );
    expect(results.every((r) => 'order' in r)).toBe(true);
    const expectedKey = `retailcrm:${createHash('sha256').update(fake.apiKey).digest('hex').slice(0, 16)}`;
    expect(retailcrmLimiterKey(fake.apiKey)).toBe(expectedKey);
    expect(keys).toEqual(Array(11).fill(`${expectedKey}/10`));
    expect(fake.requests.length - before).toBe(11);
    expect(limiter.waits).toBeGreaterThan(0);
  });
});

describe('retailcrm secrets', () => {
  it('marks exactly the credentials secret', () => {
    expectSecretFields(retailcrm, ['apiKey', 'mgToken']);
  });
});
