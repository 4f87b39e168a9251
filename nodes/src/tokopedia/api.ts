// Tokopedia Open API calls: client-credentials token cached in connection.memo, Bearer calls, envelope errors classified.
import { ambiguousStatus, ProviderError, parseRetryAfter, type HttpClient, type HttpResponse } from '../define.js';

export interface TokopediaAuth {
  fsId: string;
  clientId: string;
  clientSecret: string;
  shopId: string;
  webhookSecret: string;
  authUrl?: string;
  baseUrl?: string;
}

export interface TokopediaCallContext {
  connection: { config: TokopediaAuth; memo: Map<string, unknown> };
  http: HttpClient;
}

const DEFAULT_AUTH_URL = 'https://accounts.tokopedia.com';
const DEFAULT_BASE_URL = 'https://fs.tokopedia.net';
/** Renew this long before the token expires (at most half its life, for short-lived tokens). */
const TOKEN_REFRESH_MARGIN_MS = 60_000;
const TOKEN_MEMO_KEY = 'tokopedia:token';

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export function tokopediaApiBase(config: TokopediaAuth): string {
  return trimSlash(config.baseUrl ?? DEFAULT_BASE_URL);
}

interface CachedToken {
  accessToken: string;
  /** Date.now() after which a new token is fetched. */
  renewAt: number;
}

type TokenMemo = Promise<CachedToken>;

function permanent(message: string, code: string | number, status?: number): ProviderError {
  return new ProviderError({ message, code, status, retryable: false, provider: 'tokopedia' });
}

async function fetchToken(ctx: TokopediaCallContext): Promise<CachedToken> {
  const { clientId, clientSecret, authUrl } = ctx.connection.config;
  const res = await ctx.http({
    method: 'POST',
    url: `${trimSlash(authUrl ?? DEFAULT_AUTH_URL)}/token?grant_type=client_credentials`,
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
    // An empty body: fetch sends `Content-Length: 0` itself (undici refuses one set by hand).
    body: '',
  });
  const body = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as Record<string, unknown>;
  if (res.status >= 200 && res.status < 300 && typeof body.access_token === 'string') {
    const lifetimeMs = (Number(body.expires_in) || 3600) * 1000;
    return { accessToken: body.access_token, renewAt: Date.now() + lifetimeMs - Math.min(TOKEN_REFRESH_MARGIN_MS, lifetimeMs / 2) };
  }
  const detail = String(body.error_description ?? body.error ?? (res.text.slice(0, 200) || `HTTP ${res.status}`));
  if (res.status === 429 || res.status >= 500) {
    throw new ProviderError({ message: `Tokopedia token endpoint: ${detail}`, code: res.status, status: res.status, ambiguous: ambiguousStatus(res.status), retryable: true, retryAfterMs: retryAfter(res), provider: 'tokopedia' });
  }
  throw permanent(`Tokopedia refused the client id and secret (${detail}): check them in the Tokopedia developer console`, String(body.error ?? res.status), res.status);
}

/** The access token, fetched once per connection and process until shortly before it expires; concurrent callers share one fetch. */
export async function tokopediaToken(ctx: TokopediaCallContext, renew = false): Promise<string> {
  const memo = ctx.connection.memo;
  const cached = memo.get(TOKEN_MEMO_KEY) as TokenMemo | undefined;
  if (cached && !renew) {
    const token = await cached.catch(() => null);
    if (token && token.renewAt > Date.now()) return token.accessToken;
  }
  if (memo.get(TOKEN_MEMO_KEY) === cached) {
    const pending = fetchToken(ctx);
    memo.set(TOKEN_MEMO_KEY, pending);
    pending.catch(() => {
      if (memo.get(TOKEN_MEMO_KEY) === pending) memo.delete(TOKEN_MEMO_KEY);
    });
  }
  return (await (memo.get(TOKEN_MEMO_KEY) as TokenMemo)).accessToken;
}

/** Tokopedia counts per endpoint and says when the window resets (seconds) in X-Ratelimit-Reset-After. */
function retryAfter(res: HttpResponse): number {
  const reset = Number(res.headers['x-ratelimit-reset-after']);
  if (res.headers['x-ratelimit-reset-after'] !== undefined && Number.isFinite(reset)) return Math.max(0, Math.ceil(reset * 1000));
  return parseRetryAfter(res.headers['retry-after']) ?? 1000;
}

export interface TokopediaEnvelope {
  header?: { process_time?: number; messages?: string; reason?: string; error_code?: number | string };
  data?: unknown;
}

export const IP_WHITELIST_HINT = "call refused: is this server's IP whitelisted in Tokopedia?";

export function readTokopediaAnswer(res: HttpResponse): TokopediaEnvelope {
  const envelope = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as TokopediaEnvelope;
  if (res.status >= 200 && res.status < 300) return envelope;
  const header = envelope.header ?? {};
  const reason = header.reason || header.messages || res.text.slice(0, 200) || `HTTP ${res.status}`;
  const code = header.error_code && header.error_code !== 0 ? header.error_code : res.status;
  const base = { code, status: res.status, ambiguous: ambiguousStatus(res.status), provider: 'tokopedia' };
  if (res.status === 429) return throwError({ ...base, message: `Tokopedia rate limit: ${reason}`, retryable: true, retryAfterMs: retryAfter(res) });
  if (res.status >= 500) return throwError({ ...base, message: `Tokopedia: ${reason}`, retryable: true, retryAfterMs: parseRetryAfter(res.headers['retry-after']) });
  if (res.status === 403) return throwError({ ...base, message: `${IP_WHITELIST_HINT} (${reason})`, retryable: false });
  if (res.status === 401) return throwError({ ...base, message: `Tokopedia refused the access token (${reason}): check the client id, secret and fs_id`, retryable: false });
  return throwError({ ...base, message: `Tokopedia: ${reason}`, retryable: false });
}

function throwError(opts: ConstructorParameters<typeof ProviderError>[0]): never {
  throw new ProviderError(opts);
}

export interface TokopediaRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
}

/** One API call with the cached token; a 401 drops the token and tries once more with a new one. */
export async function tokopediaCall(ctx: TokopediaCallContext, req: TokopediaRequest): Promise<TokopediaEnvelope> {
  const qs = new URLSearchParams(Object.entries(req.query ?? {}).map(([k, v]): [string, string] => [k, String(v)])).toString();
  const url = `${tokopediaApiBase(ctx.connection.config)}${req.path}${qs ? `?${qs}` : ''}`;
  let res: HttpResponse | undefined;
  for (const renew of [false, true]) {
    const token = await tokopediaToken(ctx, renew);
    res = await ctx.http({ method: req.method, url, headers: { authorization: `Bearer ${token}` }, body: req.body });
    if (res.status !== 401) break;
  }
  return readTokopediaAnswer(res!);
}
