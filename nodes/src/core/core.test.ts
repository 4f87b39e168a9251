import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isControlResult, ProviderError, WebhookParseError, type WebhookRequest } from '../define.js';
import { testActionContext, testConnection, expectSecretFields } from '../testing.js';
import { coreBranch } from './branch.js';
import { evaluateConditions, testCondition, type ConditionsConfig } from './conditions.js';
import { coreDelay } from './delay.js';
import { coreErrorTrigger } from './error-trigger.js';
import { coreForEach } from './for-each.js';
import { coreFilter } from './filter.js';
import { coreHttpRequest } from './http-request.js';
import { core, http, webhook } from './provider.js';
import { coreSet } from './set.js';
import { coreWebhook } from './webhook.js';

const coreContext = <Config>(config: Config, ids: { runId?: string; nodeId?: string } = {}) =>
  testActionContext({ provider: 'core', config, connection: {}, ...ids });

describe('condition operators', () => {
  it('eq compares numbers with numeric strings as numbers', () => {
    expect(testCondition('eq', 1042, '1042')).toBe(true);
    expect(testCondition('eq', '59.90', 59.9)).toBe(true);
    expect(testCondition('eq', 1042, '1043')).toBe(false);
    expect(testCondition('eq', '', 0)).toBe(false);
  });

  it('eq and ne compare strings exactly', () => {
    expect(testCondition('eq', 'paid', 'paid')).toBe(true);
    expect(testCondition('eq', 'paid', 'Paid')).toBe(false);
    expect(testCondition('ne', 'paid', 'complete')).toBe(true);
    expect(testCondition('ne', 'paid', 'paid')).toBe(false);
    expect(testCondition('ne', '7', 7)).toBe(false);
  });

  it('eq compares arrays and objects by value', () => {
    expect(testCondition('eq', ['sms', 'whatsapp'], ['sms', 'whatsapp'])).toBe(true);
    expect(testCondition('eq', ['sms', 'whatsapp'], ['whatsapp', 'sms'])).toBe(false);
    expect(testCondition('eq', { code: 'paid' }, { code: 'paid' })).toBe(true);
    expect(testCondition('ne', { code: 'paid' }, { code: 'new' })).toBe(true);
  });

  it('in accepts an array or a comma-separated list', () => {
    expect(testCondition('in', 'paid', ['paid', 'complete'])).toBe(true);
    expect(testCondition('in', 'new', ['paid', 'complete'])).toBe(false);
    expect(testCondition('in', 'paid', 'new, paid ,complete')).toBe(true);
    expect(testCondition('in', 'cancel', 'new, paid, complete')).toBe(false);
    expect(testCondition('in', 2, '1,2,3')).toBe(true);
    expect(testCondition('in', '3', [1, 2, 3])).toBe(true);
    expect(testCondition('in', 'paid', undefined)).toBe(false);
  });

  it('contains looks into strings and arrays', () => {
    expect(testCondition('contains', 'Order 1042 is paid', 'paid')).toBe(true);
    expect(testCondition('contains', 'Order 1042 is paid', 'PAID')).toBe(false);
    expect(testCondition('contains', 'Order 1042 is paid', 1042)).toBe(true);
    expect(testCondition('contains', ['vip', 'wholesale'], 'vip')).toBe(true);
    expect(testCondition('contains', [10, 20], '20')).toBe(true);
    expect(testCondition('contains', ['vip'], 'retail')).toBe(false);
    expect(testCondition('contains', 1042, 4)).toBe(false);
  });

  it('exists is false only for undefined, null and the empty string', () => {
    expect(testCondition('exists', undefined, undefined)).toBe(false);
    expect(testCondition('exists', null, undefined)).toBe(false);
    expect(testCondition('exists', '', undefined)).toBe(false);
    expect(testCondition('exists', 0, undefined)).toBe(true);
    expect(testCondition('exists', false, undefined)).toBe(true);
    expect(testCondition('exists', '+5511998765432', undefined)).toBe(true);
  });

  it('gt, gte, lt, lte compare numbers and numeric strings as numbers', () => {
    expect(testCondition('gt', '10', '9')).toBe(true);
    expect(testCondition('gt', 100, '99.5')).toBe(true);
    expect(testCondition('gt', 5, 5)).toBe(false);
    expect(testCondition('gte', 5, '5')).toBe(true);
    expect(testCondition('gte', 4, 5)).toBe(false);
    expect(testCondition('lt', '9', 10)).toBe(true);
    expect(testCondition('lt', 10, 10)).toBe(false);
    expect(testCondition('lte', '10', 10)).toBe(true);
    expect(testCondition('lte', 11, 10)).toBe(false);
  });

  it('gt and lt compare ISO dates and Date objects by time', () => {
    expect(testCondition('gt', '2026-02-01T00:00:00Z', '2026-01-31T23:59:59Z')).toBe(true);
    expect(testCondition('lt', '2026-02-01T00:00:00Z', '2026-01-31T23:59:59Z')).toBe(false);
    // Same instant in two time zones.
    expect(testCondition('gte', '2026-03-01T12:00:00+02:00', '2026-03-01T10:00:00Z')).toBe(true);
    expect(testCondition('lte', '2026-03-01T12:00:00+02:00', '2026-03-01T10:00:00Z')).toBe(true);
    expect(testCondition('lt', new Date('2026-01-01T00:00:00Z'), new Date('2026-01-02T00:00:00Z'))).toBe(true);
    expect(testCondition('gt', new Date('2026-01-01T00:00:00Z'), new Date('2026-01-02T00:00:00Z'))).toBe(false);
  });

  it('gt and lt compare other strings alphabetically and anything else as false', () => {
    expect(testCondition('lt', 'apple', 'banana')).toBe(true);
    expect(testCondition('gt', 'apple', 'banana')).toBe(false);
    expect(testCondition('gt', { total: 10 }, 5)).toBe(false);
    expect(testCondition('lt', { total: 10 }, 5)).toBe(false);
    expect(testCondition('gt', null, 5)).toBe(false);
  });

  it('mode all needs every condition, mode any one of them', () => {
    const conditions: ConditionsConfig['conditions'] = [
      { left: 'paid', op: 'eq', right: 'paid' },
      { left: 59.9, op: 'gt', right: 100 },
    ];
    expect(evaluateConditions({ mode: 'all', conditions })).toEqual({ passed: false, results: [true, false] });
    expect(evaluateConditions({ mode: 'any', conditions })).toEqual({ passed: true, results: [true, false] });
    expect(evaluateConditions({ mode: 'any', conditions: [{ left: null, op: 'exists' }] })).toEqual({ passed: false, results: [false] });
    expect(evaluateConditions({ mode: 'all', conditions: [conditions[0]!, { left: 150, op: 'gte', right: '100' }] })).toEqual({
      passed: true,
      results: [true, true],
    });
  });
});

describe('core.filter', () => {
  it('passes its result on as plain output when the conditions hold', async () => {
    const config = coreFilter.config.parse({ conditions: [{ left: 'paid', op: 'in', right: 'paid, complete' }] });
    const out = await coreFilter.execute(coreContext(config));
    expect(isControlResult(out)).toBe(false);
    expect(out).toEqual({ passed: true, results: [true] });
  });

  it('ends the run as filtered when they fail', async () => {
    const config = coreFilter.config.parse({ conditions: [{ left: 'new', op: 'in', right: ['paid', 'complete'] }] });
    const out = await coreFilter.execute(coreContext(config));
    expect(isControlResult(out)).toBe(true);
    expect(out).toMatchObject({ control: 'filtered', output: { passed: false, results: [false] } });
  });
});

describe('core.branch', () => {
  it('continues on the true handle when the conditions hold', async () => {
    const config = coreBranch.config.parse({ mode: 'any', conditions: [{ left: 250, op: 'gt', right: '100' }, { left: '', op: 'exists' }] });
    const out = await coreBranch.execute(coreContext(config));
    expect(isControlResult(out)).toBe(true);
    expect(out).toMatchObject({ control: 'branch', handle: 'true', output: { passed: true, results: [true, false] } });
  });

  it('continues on the false handle when they fail', async () => {
    const config = coreBranch.config.parse({ conditions: [{ left: 250, op: 'gt', right: '100' }, { left: '', op: 'exists' }] });
    const out = await coreBranch.execute(coreContext(config));
    expect(isControlResult(out)).toBe(true);
    expect(out).toMatchObject({ control: 'branch', handle: 'false', output: { passed: false, results: [true, false] } });
  });
});

describe('core.delay', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('waits a number of seconds from now', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-05-04T10:00:00.000Z'));
    const out = await coreDelay.execute(coreContext(coreDelay.config.parse({ seconds: '90' })));
    expect(isControlResult(out)).toBe(true);
    expect(out).toMatchObject({ control: 'wait', output: { resumeAt: '2026-05-04T10:01:30.000Z' } });
    expect((out as { until: Date }).until).toEqual(new Date('2026-05-04T10:01:30.000Z'));
  });

  it('waits until a given time', async () => {
    const out = await coreDelay.execute(coreContext(coreDelay.config.parse({ until: '2026-12-01T09:00:00+03:00' })));
    expect(isControlResult(out)).toBe(true);
    expect((out as { until: Date }).until.toISOString()).toBe('2026-12-01T06:00:00.000Z');
    expect(out).toMatchObject({ control: 'wait', output: { resumeAt: '2026-12-01T06:00:00.000Z' } });
  });

  it('takes seconds or until, not both and not neither', () => {
    const both = coreDelay.config.safeParse({ seconds: 60, until: '2026-12-01T09:00:00Z' });
    expect(both.success).toBe(false);
    expect(both.error?.issues[0]).toMatchObject({ path: ['seconds'], message: 'give either seconds or until' });
    const neither = coreDelay.config.safeParse({});
    expect(neither.success).toBe(false);
    expect(neither.error?.issues[0]).toMatchObject({ path: ['seconds'], message: 'give either seconds or until' });
    expect(coreDelay.config.safeParse({ until: '' }).success).toBe(false);
  });

  it('refuses an invalid time and a negative or too long delay', () => {
    const bad = coreDelay.config.safeParse({ until: 'next tuesday-ish' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['until'], message: 'until is not a valid time' });
    expect(coreDelay.config.safeParse({ seconds: -1 }).success).toBe(false);
    expect(coreDelay.config.safeParse({ seconds: 91 * 24 * 3600 }).success).toBe(false);
    expect(coreDelay.config.safeParse({ seconds: 90 * 24 * 3600 }).success).toBe(true);
  });
});

describe('core.http_request', () => {
  interface Received {
    method: string;
    url: string;
    headers: IncomingHttpHeaders;
    body: string;
  }
  const received: Received[] = [];
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        if (path === '/api/orders') {
          res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req_7f3a' });
          res.end(JSON.stringify({ id: 'ord_1042', received: body ? JSON.parse(body) : null }));
        } else if (path === '/ping') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('pong');
        } else if (path === '/api/orders/9999') {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'order 9999 not found' }));
        } else if (path === '/api/broken') {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('internal error');
        } else if (path === '/api/busy') {
          res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': '2' });
          res.end('slow down');
        } else if (path === '/api/busy-no-hint') {
          res.writeHead(429, { 'content-type': 'text/plain' });
          res.end('slow down');
        } else {
          res.writeHead(418);
          res.end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const run = (config: Record<string, unknown>, ids = { runId: 'run_8c1d', nodeId: 'notify_erp' }) =>
    coreHttpRequest.execute(coreContext(coreHttpRequest.config.parse(config), ids));

  async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
    const err = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }

  it('answers status, headers and the parsed JSON body on 2xx, sending the body as JSON', async () => {
    const out = await run({ method: 'POST', url: `${base}/api/orders`, headers: { 'x-shop': 'myshop' }, body: { orderId: 1042, status: 'paid' } });
    expect(out).toMatchObject({
      status: 201,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req_7f3a' },
      body: { id: 'ord_1042', received: { orderId: 1042, status: 'paid' } },
    });
    expect(Object.keys(out as object).sort()).toEqual(['body', 'headers', 'status']);
    // This hop's headers (and Date) are not the answer's: every run would store them for nothing.
    expect(Object.keys((out as { headers: object }).headers).sort()).toEqual(['content-type', 'x-request-id']);
    const req = received.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-shop']).toBe('myshop');
    expect(coreHttpRequest.output.safeParse(out).success).toBe(true);
  });

  it('sends the idempotency key runId:nodeId', async () => {
    await run({ method: 'PUT', url: `${base}/api/orders`, body: { status: 'paid' } }, { runId: 'run_42', nodeId: 'update_erp' });
    expect(received.at(-1)!.headers['idempotency-key']).toBe('run_42:update_erp');
  });

  it('keeps a text body as text and sends no body with GET', async () => {
    const out = await run({ method: 'GET', url: `${base}/ping`, body: { ignored: true } });
    expect(out).toMatchObject({ status: 200, body: 'pong' });
    const req = received.at(-1)!;
    expect(req.method).toBe('GET');
    expect(req.body).toBe('');
  });

  it('fails permanently on 404 with the status as code', async () => {
    const err = await rejection(run({ method: 'GET', url: `${base}/api/orders/9999` }));
    expect(err.retryable).toBe(false);
    expect(err.code).toBe(404);
    expect(err.status).toBe(404);
    expect(err.message).toContain('HTTP 404');
    expect(err.message).toContain('order 9999 not found');
  });

  it('retries on 500', async () => {
    const err = await rejection(run({ url: `${base}/api/broken`, body: { a: 1 } }));
    expect(err.retryable).toBe(true);
    expect(err.code).toBe(500);
    expect(err.retryAfterMs).toBeUndefined();
  });

  it('retries on 429, honouring Retry-After', async () => {
    const hinted = await rejection(run({ url: `${base}/api/busy`, body: { a: 1 } }));
    expect(hinted.retryable).toBe(true);
    expect(hinted.code).toBe(429);
    expect(hinted.retryAfterMs).toBe(2000);
    const plain = await rejection(run({ url: `${base}/api/busy-no-hint`, body: { a: 1 } }));
    expect(plain.retryable).toBe(true);
    expect(plain.retryAfterMs).toBeUndefined();
  });

  it('retries when the connection is refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await rejection(run({ url: `http://127.0.0.1:${port}/api/orders`, body: { a: 1 } }));
    expect(err.retryable).toBe(true);
    expect(err.code).toBe('network_error');
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });
});

describe('core.set', () => {
  it('returns its fields as the output', async () => {
    const fields = { greeting: 'Hello Ana', total: 59.9, items: [{ sku: 'TSHIRT-M', qty: 2 }], vip: false };
    const out = await coreSet.execute(coreContext(coreSet.config.parse({ fields })));
    expect(out).toEqual(fields);
  });
});

describe('webhook provider', () => {
  const hooks = webhook.definition.webhook!;
  const hookUrl = 'https://bundles.example.com/hooks/conn_1/s3cr3t';
  const orderJson = { order: { id: 1042, total: 59.9 }, customer: { name: 'Ana Souza', phone: '+5511998765432' } };

  function request(opts: Partial<WebhookRequest> = {}): WebhookRequest {
    const body = opts.body === undefined ? orderJson : opts.body;
    return {
      method: 'POST',
      url: hookUrl,
      headers: { 'content-type': 'application/json' },
      query: {},
      rawBody: Buffer.from(JSON.stringify(body)),
      body,
      ...opts,
    };
  }
  const secured = testConnection('webhook', { secretHeader: 'X-Webhook-Secret', secret: 'whs_5e6f7a8b' }, hookUrl);

  describe('verify', () => {
    it('refuses a request without the secret header', () => {
      expect(hooks.verify(request(), secured)).toEqual({ ok: false, reason: 'missing header X-Webhook-Secret' });
    });

    it('refuses a wrong value, of the same or another length', () => {
      const wrong = { 'content-type': 'application/json', 'x-webhook-secret': 'whs_0000000' };
      expect(hooks.verify(request({ headers: wrong }), secured)).toEqual({ ok: false, reason: 'wrong value in header X-Webhook-Secret' });
      const sameLength = { 'content-type': 'application/json', 'x-webhook-secret': 'whs_5e6f7a8c' };
      expect(hooks.verify(request({ headers: sameLength }), secured)).toEqual({ ok: false, reason: 'wrong value in header X-Webhook-Secret' });
    });

    it('accepts the right value', () => {
      const right = { 'content-type': 'application/json', 'x-webhook-secret': 'whs_5e6f7a8b' };
      expect(hooks.verify(request({ headers: right }), secured)).toEqual({ ok: true });
    });

    it('accepts everything when no secret is configured', () => {
      expect(hooks.verify(request(), testConnection('webhook', {}, hookUrl))).toEqual({ ok: true });
      expect(hooks.verify(request(), testConnection('webhook', { secretHeader: 'X-Webhook-Secret' }, hookUrl))).toEqual({ ok: true });
    });
  });

  describe('parse', () => {
    const open = testConnection('webhook', {}, hookUrl);

    it('turns a JSON body into one webhook.request event with body, headers and query', () => {
      const events = hooks.parse(
        request({ headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'evt_1042', 'X-Shop': 'myshop' }, query: { source: 'erp' } }),
        open,
      );
      expect(events).toEqual([
        {
          type: 'webhook.request',
          dedupeKey: 'idem:evt_1042',
          keyKind: 'id',
          payload: {
            body: orderJson,
            headers: { 'content-type': 'application/json', 'idempotency-key': 'evt_1042', 'x-shop': 'myshop' },
            query: { source: 'erp' },
          },
        },
      ]);
      expect(coreWebhook.output.safeParse(events[0]!.payload).success).toBe(true);
    });

    it('gives every request without an Idempotency-Key its own dedupe key', () => {
      const keys = [hooks.parse(request(), open)[0]!.dedupeKey, hooks.parse(request(), open)[0]!.dedupeKey];
      expect(keys[0]).toMatch(/^req:/);
      expect(keys[1]).toMatch(/^req:/);
      expect(keys[0]).not.toBe(keys[1]);
    });

    it('drops credential headers', () => {
      const headers = {
        'content-type': 'application/json',
        Authorization: 'Bearer sk_live_abc',
        cookie: 'session=s_1',
        'Proxy-Authorization': 'Basic dXNlcjpwYXNz',
        'user-agent': 'ERP/2.1',
      };
      const [event] = hooks.parse(request({ headers }), open);
      expect(event!.payload.headers).toEqual({ 'content-type': 'application/json', 'user-agent': 'ERP/2.1' });
    });

    it('refuses a GET', () => {
      expect(() => hooks.parse(request({ method: 'GET', body: undefined, rawBody: Buffer.alloc(0) }), open)).toThrow(WebhookParseError);
      expect(() => hooks.parse(request({ method: 'GET', body: undefined, rawBody: Buffer.alloc(0) }), open)).toThrow('send a POST request');
    });

    it('keeps an empty body as null', () => {
      const [event] = hooks.parse({ ...request(), body: undefined, rawBody: Buffer.alloc(0) }, open);
      expect(event!.payload.body).toBeNull();
    });
  });

  describe('core.webhook match', () => {
    const payload = (headers: Record<string, string>) => ({ body: orderJson, headers: { 'content-type': 'application/json', ...headers }, query: {} });
    const config = coreWebhook.config.parse({ secretHeader: 'X-Shop-Token', secret: 'tok_9f8e7d' });

    it('starts the bundle only for requests carrying the node’s secret header', () => {
      expect(coreWebhook.match!(payload({ 'x-shop-token': 'tok_9f8e7d' }), config)).toBe(true);
      expect(coreWebhook.match!(payload({ 'x-shop-token': 'tok_000000' }), config)).toBe(false);
      expect(coreWebhook.match!(payload({ 'x-shop-token': 'tok_9f8e7' }), config)).toBe(false);
      expect(coreWebhook.match!(payload({}), config)).toBe(false);
    });

    it('matches everything without a node-level secret', () => {
      expect(coreWebhook.match!(payload({}), coreWebhook.config.parse({}))).toBe(true);
      expect(coreWebhook.match!(payload({}), coreWebhook.config.parse({ secretHeader: 'X-Shop-Token' }))).toBe(true);
    });
  });
});

describe('condition comparisons of dates and look-alikes', () => {
  it('compares ISO times as times, and other text as text', () => {
    expect(testCondition('gt', new Date('2026-02-01T00:00:00Z'), '2026-01-01T00:00:00Z')).toBe(true);
    expect(testCondition('lt', '2026-01-01', '2026-01-01T10:00:00Z')).toBe(true);
    // "Level 5" is not a date, whatever Date.parse thinks: these compare as text both times.
    expect(testCondition('lt', 'Level 5', 'Level 12')).toBe(testCondition('lt', 'Level 5', 'Level 13'));
  });
});

describe('core, webhook, http secrets', () => {
  it('marks exactly the credentials secret', () => {
    expectSecretFields(core, []);
    expectSecretFields(webhook, ['secret']);
    expectSecretFields(http, ['headerValue', 'password', 'token']);
  });
});

describe('core.error_trigger', () => {
  const match = (payload: Record<string, unknown>, config: Record<string, unknown>) => coreErrorTrigger.match!(payload, coreErrorTrigger.config.parse(config));
  const failed = coreErrorTrigger.fixtures![0]!;
  const uncertain = { ...failed, run: { ...(failed.run as object), status: 'uncertain' } };
  it('takes failed and uncertain runs of any bundle by default', () => {
    expect(match(failed, {})).toBe(true);
    expect(match(uncertain, {})).toBe(true);
  });
  it('keeps to the bundles and statuses chosen', () => {
    const flowId = (failed.run as { flowId: string }).flowId;
    expect(match(failed, { flows: [flowId] })).toBe(true);
    expect(match(failed, { flows: ['another'] })).toBe(false);
    expect(match(failed, { statuses: ['uncertain'] })).toBe(false);
    expect(match(uncertain, { statuses: ['uncertain'] })).toBe(true);
  });
  it('declares the payload it gets as its output', () => {
    expect(coreErrorTrigger.output.safeParse(failed).success).toBe(true);
    expect(() => coreErrorTrigger.config.parse({ statuses: ['succeeded'] })).toThrow();
  });
});

describe('core.for_each', () => {
  const run = (config: Record<string, unknown>) => coreForEach.execute(coreContext(coreForEach.config.parse(config)));
  it('hands the list and how many at once to the runtime', async () => {
    const result = await run({ items: [{ sku: 'A1' }, { sku: 'B2' }], concurrency: 3 });
    expect(isControlResult(result) && result.control === 'each' ? [result.items, result.concurrency] : null).toEqual([[{ sku: 'A1' }, { sku: 'B2' }], 3]);
    const byDefault = await run({ items: [] });
    expect(isControlResult(byDefault) && byDefault.control === 'each' ? byDefault.concurrency : null).toBe(1);
  });
  it('refuses what is not a list, or a list over At most, for good', async () => {
    await expect(run({ items: 'A1,B2' })).rejects.toMatchObject({ code: 'not_a_list', retryable: false, message: expect.stringContaining('got string') });
    await expect(run({ items: [1, 2, 3], max: 2 })).rejects.toMatchObject({ code: 'too_many_items', message: 'The list has 3 items, over the limit of 2 (“At most”).' });
    expect(() => coreForEach.config.parse({ items: [], concurrency: 11 })).toThrow();
    expect(() => coreForEach.config.parse({ items: [], max: 1001 })).toThrow();
  });
});
