// SALESmanago API v2 calls: POST JSON carrying clientId, apiKey, requestTime, sha and owner; every answer's
// `success` is checked (refusals often come with HTTP 200) and errors are classified retryable or permanent.
import { createHash } from 'node:crypto';
import { ambiguousStatus, ProviderError, parseRetryAfter, type HttpClient, type HttpResponse } from '../define.js';

export interface SalesmanagoAuth {
  server: string;
  clientId: string;
  apiKey: string;
  apiSecret: string;
  owner: string;
  baseUrl?: string;
}

export interface SalesmanagoCallContext {
  connection: { config: SalesmanagoAuth };
  http: HttpClient;
}

/** What SALESmanago answers when it carried a call out: `success: true` and whatever the method returns. */
export type SalesmanagoBody = Record<string, unknown> & { success: true };

/** The first back-off step after a 429 without Retry-After; the runtime grows it with the attempt count. */
const RATE_LIMIT_RETRY_MS = 1000;

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** `app3`, `app3.salesmanago.com` and `https://app3.salesmanago.pl/` all name a server; a bare id gets `.salesmanago.com`. */
export function salesmanagoHost(server: string): string {
  const host = server
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
  return host.includes('.') ? host : `${host}.salesmanago.com`;
}

export function salesmanagoBase(config: Pick<SalesmanagoAuth, 'server' | 'baseUrl'>): string {
  return config.baseUrl ? trimSlash(config.baseUrl) : `https://${salesmanagoHost(config.server)}`;
}

/** Hex SHA-1 of apiKey + clientId + apiSecret: SALESmanago's proof that the caller knows the secret. */
export function salesmanagoSha(apiKey: string, clientId: string, apiSecret: string): string {
  return createHash('sha1').update(apiKey + clientId + apiSecret).digest('hex');
}

/** The fields every call carries. */
export function salesmanagoAuthFields(config: SalesmanagoAuth, now = Date.now()): Record<string, unknown> {
  return { clientId: config.clientId, apiKey: config.apiKey, requestTime: now, sha: salesmanagoSha(config.apiKey, config.clientId, config.apiSecret), owner: config.owner };
}

/** One call; resolves with the body of a successful answer, throws a classified ProviderError otherwise. */
export async function salesmanagoCall(ctx: SalesmanagoCallContext, path: string, body: Record<string, unknown>): Promise<SalesmanagoBody> {
  const config = ctx.connection.config;
  let res: HttpResponse;
  try {
    res = await ctx.http({
      method: 'POST',
      url: `${salesmanagoBase(config)}${path}`,
      headers: { accept: 'application/json', 'content-type': 'application/json;charset=UTF-8' },
      body: JSON.stringify({ ...salesmanagoAuthFields(config), ...body }),
    });
  } catch (err) {
    if (err instanceof ProviderError) {
      throw new ProviderError({ message: `SALESmanago: ${err.message}`, code: err.code, retryable: err.retryable, ambiguous: err.ambiguous, retryAfterMs: err.retryAfterMs, provider: 'salesmanago' });
    }
    throw err;
  }
  return readSalesmanagoAnswer(res);
}

function jsonObject(res: HttpResponse): Record<string, unknown> | null {
  let body = res.body;
  if (typeof body === 'string' && /^\s*\{/.test(body)) {
    try {
      body = JSON.parse(body);
    } catch {
      return null;
    }
  }
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
}

/** `message` is a list of strings (sometimes one string); joined into one bounded line. */
export function salesmanagoMessage(body: Record<string, unknown> | null): string {
  const raw = body?.message;
  const parts = Array.isArray(raw) ? raw.filter((m) => typeof m === 'string' || typeof m === 'number').map(String) : typeof raw === 'string' ? [raw] : [];
  return parts.join('; ').slice(0, 500);
}

/**
 * Whether a refusal says "too many calls, later". A guess: SALESmanago documents no rate-limit answer, so
 * besides HTTP 429 a message about a request or rate limit is read as one (not "contact limit", a plan's limit).
 */
export function isSalesmanagoRateLimit(message: string): boolean {
  return /rate.?limit|too many requests|requests? limit|limit of requests|throttl/i.test(message);
}

/** SALESmanago's answers to bad credentials (e.g. "Not authenticated", "User not authenticated"). */
function isAuthRefusal(message: string): boolean {
  return /not authenticated|authenticat|unauthori[sz]ed|invalid (client|api|sha)/i.test(message);
}

const AUTH_HINT = ': check the client id, API secret and owner e-mail (SALESmanago → Integration Center → API)';

function fail(opts: Omit<ConstructorParameters<typeof ProviderError>[0], 'provider'>): never {
  throw new ProviderError({ ...opts, provider: 'salesmanago' });
}

export function readSalesmanagoAnswer(res: HttpResponse): SalesmanagoBody {
  const body = jsonObject(res);
  const vendor = salesmanagoMessage(body);
  const status = res.status;
  const base = { code: status, status, ambiguous: ambiguousStatus(status) };
  if (status === 429) {
    fail({ ...base, message: vendor || 'SALESmanago: too many requests (HTTP 429)', retryable: true, retryAfterMs: parseRetryAfter(res.headers['retry-after']) ?? RATE_LIMIT_RETRY_MS });
  }
  if (status >= 500) {
    fail({ ...base, message: vendor || `SALESmanago answered HTTP ${status}`, retryable: true, retryAfterMs: parseRetryAfter(res.headers['retry-after']) });
  }
  if (status >= 300 && status < 400) {
    fail({ ...base, message: `SALESmanago answered HTTP ${status} (a redirect): check the server name (www, app2, app3…)`, retryable: false });
  }
  if (!body) {
    // A 2xx that is not JSON may still have been carried out: the step is not resent blindly.
    const ok = status >= 200 && status < 300;
    fail({ ...base, message: `SALESmanago answered HTTP ${status} without JSON: ${res.text.slice(0, 200)}`, retryable: false, ambiguous: ok || base.ambiguous });
  }
  if (status >= 200 && status < 300 && body.success === true) return body as SalesmanagoBody;
  const message = vendor || (body.success === undefined ? `SALESmanago answered HTTP ${status} without "success"` : `SALESmanago refused the call (HTTP ${status})`);
  if (isSalesmanagoRateLimit(message)) {
    fail({ ...base, code: 'rate_limited', message, retryable: true, retryAfterMs: parseRetryAfter(res.headers['retry-after']) ?? RATE_LIMIT_RETRY_MS });
  }
  const auth = status === 401 || status === 403 || isAuthRefusal(message);
  // A 2xx that says neither yes nor no may have been carried out.
  const unclear = status >= 200 && status < 300 && body.success === undefined;
  fail({ ...base, code: auth ? 'not_authenticated' : status === 200 ? 'refused' : status, message: auth ? `${message}${AUTH_HINT}` : message, retryable: false, ambiguous: unclear || base.ambiguous });
}
