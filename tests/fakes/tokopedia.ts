// A fake Tokopedia (token endpoint + seller chat API) on 127.0.0.1, faithful to PROVIDERS.md: Basic auth on
// the token endpoint, Bearer on the API, the {header, data} envelope, 429 with X-Ratelimit-* headers.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeTokopediaRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
  json?: unknown;
  receivedAt: number;
}

export interface FakeTokopediaReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface FakeTokopediaOptions {
  fsId?: string;
  clientId?: string;
  clientSecret?: string;
  shopId?: string;
  /** `expires_in` of issued tokens, in seconds. Default 86400. */
  tokenTtlSeconds?: number;
}

/** hex HMAC-SHA256(webhook secret, raw body): the `Authorization-Hmac` header of Tokopedia's notifications. */
export function signTokopediaBody(secret: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** A chat notification as Tokopedia posts it; override any field. */
export function tokopediaChatPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    msg_id: 10000,
    buyer_id: 654321,
    message: 'Hello World',
    thumbnail: 'https://images.tokopedia.net/img/cache/100-square/default_picture_user/default_toped-20.jpg',
    full_name: 'Budi',
    shop_id: 123456,
    ...overrides,
  };
}

/** A product shared in chat (attachment type 3; shape unconfirmed). */
export function tokopediaProductPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return tokopediaChatPayload({
    message: '',
    payload: { attachment_type: 3, product: { product_id: 15123456, name: 'Kaos Polos', price: 50000, product_url: 'https://www.tokopedia.com/tokoku/kaos-polos' } },
    ...overrides,
  });
}

/** An image sent in chat (attachment type 2; shape unconfirmed). */
export function tokopediaImagePayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return tokopediaChatPayload({ message: '', payload: { attachment_type: 2, image: { image_url: 'https://images.tokopedia.net/img/chat/photo-1.jpg' } }, ...overrides });
}

/** Raw body and headers of a signed chat notification, ready to post or to hand to `verify`. */
export function signedTokopediaWebhook(secret: string, payload: Record<string, unknown> = tokopediaChatPayload()) {
  const rawBody = JSON.stringify(payload);
  return { rawBody, headers: { 'content-type': 'application/json', 'authorization-hmac': signTokopediaBody(secret, rawBody) } };
}

export async function startFakeTokopedia(opts: FakeTokopediaOptions = {}) {
  const fsId = opts.fsId ?? '13004';
  const clientId = opts.clientId ?? 'tkpd-client-id';
  const clientSecret = opts.clientSecret ?? 'tkpd-client-secret';
  const shopId = opts.shopId ?? '123456';
  let tokenTtlSeconds = opts.tokenTtlSeconds ?? 86400;
  let ipWhitelisted = true;
  const requests: FakeTokopediaRequest[] = [];
  const tokens = new Map<string, number>();
  const tokensIssued: string[] = [];
  const replies: Array<{ msgId: string; shopId: number; message: string; replyTime: number }> = [];
  const messages: Array<Record<string, unknown>> = [
    { msg_id: 10000, buyer_id: 654321, full_name: 'Budi', last_reply_msg: 'Hello World', last_reply_time: 1715670000000, read_status: 1 },
  ];
  const failures: FakeTokopediaReply[] = [];
  let tokenCounter = 0;

  const envelope = (data: unknown, reason = '', errorCode: number | string = 0, messages = '') => ({
    header: { process_time: 0.0015, messages, reason, error_code: errorCode },
    data,
  });
  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }
  const fail = (res: ServerResponse, status: number, reason: string, code: number | string = status) => send(res, status, envelope(null, reason, code));

  function handleToken(req: FakeTokopediaRequest, res: ServerResponse) {
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    if (req.method !== 'POST' || req.query.grant_type !== 'client_credentials') return send(res, 400, { error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
    if (req.headers.authorization !== expected) return send(res, 401, { error: 'invalid_client', error_description: 'client authentication failed' });
    const token = `c:tkpd${++tokenCounter}${Math.random().toString(36).slice(2, 10)}`;
    tokens.set(token, Date.now() + tokenTtlSeconds * 1000);
    tokensIssued.push(token);
    return send(res, 200, { access_token: token, expires_in: tokenTtlSeconds, token_type: 'Bearer' });
  }

  function handleApi(req: FakeTokopediaRequest, res: ServerResponse) {
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const expiresAt = tokens.get(token);
    if (expiresAt === undefined || expiresAt <= Date.now()) return fail(res, 401, 'invalid or expired token', 'UNAUTHORIZED');
    if (!ipWhitelisted) return fail(res, 403, 'IP address is not whitelisted', 'FORBIDDEN');
    const failure = failures.shift();
    if (failure) return send(res, failure.status, failure.body ?? envelope(null, `HTTP ${failure.status}`, failure.status), failure.headers);

    let m: RegExpMatchArray | null;
    if ((m = req.path.match(/^\/v1\/chat\/fs\/([^/]+)\/messages$/)) && req.method === 'GET') {
      if (m[1] !== fsId) return fail(res, 403, 'fs_id is not allowed for this client', 'FORBIDDEN');
      if (req.query.shop_id !== shopId) return fail(res, 400, 'invalid shop_id format', 'BAD_REQUEST');
      const perPage = Number(req.query.per_page ?? 10);
      const page = Number(req.query.page ?? 1);
      if (!(perPage >= 1 && perPage <= 15)) return fail(res, 400, 'per_page must be between 1 and 15', 'BAD_REQUEST');
      return send(res, 200, envelope(messages.slice((page - 1) * perPage, page * perPage)));
    }
    if ((m = req.path.match(/^\/v1\/chat\/fs\/([^/]+)\/messages\/([^/]+)\/replies$/)) && req.method === 'GET') {
      if (m[1] !== fsId) return fail(res, 403, 'fs_id is not allowed for this client', 'FORBIDDEN');
      return send(res, 200, envelope(replies.filter((r) => r.msgId === m![2]).map((r) => ({ msg_id: Number(r.msgId), msg: r.message, reply_time: r.replyTime, sender_id: r.shopId }))));
    }
    if ((m = req.path.match(/^\/v1\/chat\/fs\/([^/]+)\/messages\/([^/]+)\/reply$/)) && req.method === 'POST') {
      if (m[1] !== fsId) return fail(res, 403, 'fs_id is not allowed for this client', 'FORBIDDEN');
      const b = req.json as { shop_id?: unknown; message?: unknown } | undefined;
      if (!b || typeof b.shop_id !== 'number' || String(b.shop_id) !== shopId) return fail(res, 400, 'invalid shop_id format', 'BAD_REQUEST');
      if (typeof b.message !== 'string' || b.message.trim() === '') return fail(res, 400, 'message is required', 'BAD_REQUEST');
      if (!/^\d+$/.test(m[2]!)) return fail(res, 400, 'invalid msg_id format', 'BAD_REQUEST');
      const reply = { msgId: m[2]!, shopId: b.shop_id, message: b.message, replyTime: req.receivedAt };
      replies.push(reply);
      return send(res, 200, envelope({ msg_id: Number(reply.msgId), sender_id: reply.shopId, msg: reply.message, reply_time: reply.replyTime }));
    }
    if ((m = req.path.match(/^\/v1\/fs\/([^/]+)\/register$/)) && req.method === 'POST') {
      if (m[1] !== fsId) return fail(res, 403, 'fs_id is not allowed for this client', 'FORBIDDEN');
      return send(res, 200, envelope(null, '', 0, 'Success'));
    }
    return fail(res, 404, 'endpoint not found', 'NOT_FOUND');
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const recorded: FakeTokopediaRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, rawBody, receivedAt: Date.now() };
      if (rawBody && String(req.headers['content-type'] ?? '').includes('json')) {
        try {
          recorded.json = JSON.parse(rawBody);
        } catch {
          recorded.json = undefined;
        }
      }
      requests.push(recorded);
      if (url.pathname === '/token') handleToken(recorded, res);
      else handleApi(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    fsId,
    clientId,
    clientSecret,
    shopId,
    requests,
    replies,
    messages,
    tokensIssued,
    /** The next `n` API calls (after the token check) get this answer; a 429 without headers gets X-Ratelimit-* headers. */
    failNext(n: number, reply: FakeTokopediaReply) {
      const r =
        reply.status === 429 && !reply.headers
          ? { ...reply, headers: { 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '1.5' } }
          : reply;
      for (let i = 0; i < n; i++) failures.push(r);
    },
    /** Every issued token stops working (as after a rotation on Tokopedia's side). */
    revokeTokens() {
      tokens.clear();
    },
    setTokenTtl(seconds: number) {
      tokenTtlSeconds = seconds;
    },
    /** false: every API call is answered 403, as from an IP Tokopedia has not whitelisted. */
    setIpWhitelisted(on: boolean) {
      ipWhitelisted = on;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

export type FakeTokopedia = Awaited<ReturnType<typeof startFakeTokopedia>>;
