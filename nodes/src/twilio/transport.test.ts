// The transport under the twilio SDK: form encoding, and sendRequest against a local HTTP server
// (credentials, body, query, answers of any status, timeouts and network errors), then through the
// SDK client: a Twilio that does not answer is a retryable 'timeout'.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProviderError } from '../define.js';
import { testActionContext } from '../testing.js';
import { startFakeTwilio, type FakeTwilio } from '../../../tests/fakes/twilio.js';
import { createAddressGuard, setOutboundGuard } from '../address-guard.js';
import { encodeForm, sendRequest, TransportError, type TransportRequest } from './transport.js';
import { twilioSendSms } from './index.js';

// The client's timeout is 15 s and not configurable: for the client test only, the transport is
// called with a shorter default. Every other call goes through unchanged.
const forced = vi.hoisted(() => ({ defaultTimeoutMs: undefined as number | undefined }));
vi.mock('./transport.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./transport.js')>();
  return {
    ...actual,
    sendRequest: (opts: TransportRequest, uri: string, defaultTimeoutMs: number, allowedHosts?: readonly string[]) =>
      actual.sendRequest(opts, uri, forced.defaultTimeoutMs ?? defaultTimeoutMs, allowedHosts),
  };
});

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  remotePort: number | undefined;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

let server: http.Server;
let base = '';
let handler: Handler;
const seen: Seen[] = [];
// Answers left hanging; closed after each test (not the kept-alive sockets: the client reuses those).
const hanging = new Set<http.ServerResponse>();
const hang: Handler = (_req, res) => void hanging.add(res);

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, remotePort: req.socket.remotePort });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  seen.length = 0;
  for (const res of hanging) res.destroy();
  hanging.clear();
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const answer = (status: number, body: string, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
};

async function failure(p: Promise<unknown>): Promise<TransportError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TransportError);
  return err as TransportError;
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('encodeForm', () => {
  it('repeats the key of an array, skips undefined and writes scalars as text', () => {
    expect(encodeForm({ To: ['+15550001111', '+15550002222'], Body: 'Olá & bem-vindo', Skip: undefined, MaxPrice: 0.5, Flag: false })).toBe(
      'To=%2B15550001111&To=%2B15550002222&Body=Ol%C3%A1+%26+bem-vindo&MaxPrice=0.5&Flag=false',
    );
  });

  it('writes an empty array as nothing and an object as JSON', () => {
    expect(encodeForm({ MediaUrl: [], ContentVariables: { 1: 'Ana' } })).toBe('ContentVariables=%7B%221%22%3A%22Ana%22%7D');
    expect(encodeForm({})).toBe('');
  });

  it('writes null as an empty value and a date in ISO form, as the SDK\'s own encoder does', () => {
    expect(encodeForm({ StatusCallback: null, SendAt: new Date('2026-11-21T10:00:00Z'), List: [null, 'x'] })).toBe(
      'StatusCallback=&SendAt=2026-11-21T10%3A00%3A00.000Z&List=&List=x',
    );
  });

  it('reads back as the same fields', () => {
    const form = new URLSearchParams(encodeForm({ To: ['a', 'b'], From: 'c', Gone: undefined }));
    expect(form.getAll('To')).toEqual(['a', 'b']);
    expect(form.get('From')).toBe('c');
    expect(form.has('Gone')).toBe(false);
  });
});

describe('sendRequest', () => {
  it('sends Basic auth, a form body with its length and the query parameters after those of the URL', async () => {
    handler = answer(201, '{"sid":"SM1"}', { 'x-extra': 'yes' });
    const res = await sendRequest(
      {
        method: 'post',
        uri: 'ignored: the uri argument is used',
        username: 'AC123',
        password: 'tok',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        params: { PageSize: 20, To: ['x', 'y'] },
        data: { To: '+15550001111', Body: 'hé', MediaUrl: ['https://a/1.png', 'https://a/2.png'], StatusCallback: undefined },
      },
      `${base}/2010-04-01/Accounts/AC123/Messages.json?Page=2`,
      5_000,
    );
    expect(res).toMatchObject({ statusCode: 201, body: '{"sid":"SM1"}' });
    expect(res.headers['x-extra']).toBe('yes');
    expect(seen).toHaveLength(1);
    const req = seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/2010-04-01/Accounts/AC123/Messages.json?Page=2&PageSize=20&To=x&To=y');
    expect(req.headers.authorization).toBe('Basic ' + Buffer.from('AC123:tok').toString('base64'));
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers.accept).toBe('application/json');
    expect(req.body).toBe('To=%2B15550001111&Body=h%C3%A9&MediaUrl=https%3A%2F%2Fa%2F1.png&MediaUrl=https%3A%2F%2Fa%2F2.png');
    expect(req.headers['content-length']).toBe(String(Buffer.byteLength(req.body)));
    expect(req.headers['transfer-encoding']).toBeUndefined();
  });

  it('adds the query to a URL without one, and sends no body and no Authorization when it has none', async () => {
    handler = answer(200, '{"ok":true}');
    await sendRequest({ method: 'get', uri: '', params: { PageSize: 50 } }, `${base}/Accounts.json`, 5_000);
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/Accounts.json?PageSize=50', body: '' });
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.headers['content-length']).toBeUndefined();
  });

  it('sends JSON when the content type says so, and the auth strategy when there is no username and password', async () => {
    handler = answer(200, '{}');
    await sendRequest(
      { method: 'post', uri: '', headers: { 'Content-Type': 'application/json' }, data: { a: [1, 2], b: { c: true } }, authStrategy: { getAuthString: async () => 'Bearer xyz' } },
      `${base}/v1/things`,
      5_000,
    );
    expect(JSON.parse(seen[0]!.body)).toEqual({ a: [1, 2], b: { c: true } });
    expect(seen[0]!.headers.authorization).toBe('Bearer xyz');
    expect(seen[0]!.headers['content-length']).toBe(String(Buffer.byteLength(seen[0]!.body)));
  });

  it('returns a 4xx or 5xx as an answer, not as an error', async () => {
    handler = answer(400, '{"code":21211,"message":"bad To"}');
    expect(await sendRequest({ method: 'post', uri: '', data: { To: '1' } }, `${base}/m`, 5_000)).toMatchObject({
      statusCode: 400,
      body: '{"code":21211,"message":"bad To"}',
    });
    handler = answer(503, 'Service Unavailable', { 'content-type': 'text/plain', 'retry-after': '3' });
    const res = await sendRequest({ method: 'get', uri: '' }, `${base}/m`, 5_000);
    expect(res).toMatchObject({ statusCode: 503, body: 'Service Unavailable' });
    expect(res.headers['retry-after']).toBe('3');
  });

  it('does not follow a redirect', async () => {
    handler = answer(302, '', { location: '/elsewhere' });
    const res = await sendRequest({ method: 'get', uri: '' }, `${base}/m`, 5_000);
    expect(res.statusCode).toBe(302);
    expect(seen.map((s) => s.url)).toEqual(['/m']);
  });

  it('keeps the connection alive between requests', async () => {
    handler = answer(200, '{}');
    await sendRequest({ method: 'get', uri: '' }, `${base}/one`, 5_000);
    await sendRequest({ method: 'get', uri: '' }, `${base}/two`, 5_000);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.remotePort).toBe(seen[0]!.remotePort);
  });

  it("fails with 'timeout' when the server never answers, after the request's own timeout", async () => {
    handler = hang;
    const err = await failure(sendRequest({ method: 'post', uri: '', data: { a: 1 }, timeout: 200 }, `${base}/hang`, 60_000));
    expect(err.code).toBe('timeout');
    expect(err.message).toContain('200 ms');
  });

  it("fails with 'timeout' after the default timeout when the request has none", async () => {
    handler = hang;
    const err = await failure(sendRequest({ method: 'get', uri: '' }, `${base}/hang`, 200));
    expect(err.code).toBe('timeout');
  });

  it("fails with 'timeout' when the answer stops halfway", async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"sid":');
      hang(req, res, '');
    };
    const err = await failure(sendRequest({ method: 'get', uri: '' }, `${base}/half`, 200));
    expect(err.code).toBe('timeout');
  });

  it("fails with 'timeout' when the answer keeps trickling past the timeout (the whole exchange is timed)", async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      hanging.add(res);
      const drip = setInterval(() => (res.destroyed ? clearInterval(drip) : res.write(' ')), 50);
      res.on('close', () => clearInterval(drip));
    };
    const started = Date.now();
    const err = await failure(sendRequest({ method: 'get', uri: '' }, `${base}/drip`, 300));
    expect(err.code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('sends no body for a content type the SDK does not send bodies for', async () => {
    handler = answer(200, '{}');
    await sendRequest({ method: 'post', uri: '', headers: { 'Content-Type': 'text/plain' }, data: { a: 1 } }, `${base}/plain`, 5_000);
    expect(seen[0]!.body).toBe('');
  });

  it("fails with 'network_error' when the connection is refused", async () => {
    const port = await closedPort();
    const err = await failure(sendRequest({ method: 'get', uri: '' }, `http://127.0.0.1:${port}/x`, 5_000));
    expect(err.code).toBe('network_error');
    expect(err.message).toContain(`127.0.0.1:${port}`);
  });

  it('refuses a name that resolves to an address the guard does not allow, before any byte is sent, and sends once it is allowed', async () => {
    handler = answer(200, '{}');
    const port = new URL(base).port;
    setOutboundGuard(createAddressGuard(['127.0.0.2']));
    try {
      const err = await failure(sendRequest({ method: 'post', uri: '', data: { a: 1 } }, `http://localhost:${port}/by-name`, 5_000));
      expect(err).toMatchObject({ code: 'address_not_allowed', mayHaveArrived: false });
      expect(seen).toEqual([]);
      // The workspace's own allow list widens the guard for its calls.
      const res = await sendRequest({ method: 'post', uri: '', data: { a: 1 } }, `http://localhost:${port}/allowed`, 5_000, ['localhost', '127.0.0.1', '::1']);
      expect(res.statusCode).toBe(200);
      expect(seen.map((s) => s.url)).toEqual(['/allowed']);
    } finally {
      setOutboundGuard(null);
    }
  });

  it("fails with 'network_error' when the server drops the connection", async () => {
    handler = (req) => req.socket.destroy();
    const err = await failure(sendRequest({ method: 'post', uri: '', data: { a: 1 } }, `${base}/drop`, 5_000));
    expect(err.code).toBe('network_error');
  });
});

describe('the twilio client over this transport', () => {
  let fake: FakeTwilio;
  beforeAll(async () => {
    fake = await startFakeTwilio();
  });
  afterAll(() => fake.close());

  it("maps a Twilio that does not answer to a retryable ProviderError 'timeout'", async () => {
    fake.setLatency(10_000);
    forced.defaultTimeoutMs = 200;
    try {
      const ctx = testActionContext({
        provider: 'twilio',
        config: twilioSendSms.config.parse({ from: '+15550002222', to: '+5511998765432', body: 'hi' }),
        connection: { accountSid: fake.accountSid, authToken: fake.authToken, baseUrl: fake.url },
      });
      const err = await twilioSendSms.execute(ctx as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ProviderError);
      expect(err).toMatchObject({ code: 'timeout', retryable: true, provider: 'twilio' });
      expect(fake.requests.filter((r) => r.path.endsWith('/Messages.json'))).toHaveLength(1);
    } finally {
      forced.defaultTimeoutMs = undefined;
      fake.setLatency(0);
    }
  });
});
