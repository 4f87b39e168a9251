// RetailCRM API v5 calls: X-API-KEY, form bodies with JSON inside fields, 10 requests/s per key, errors classified.
import { createHash } from 'node:crypto';
import { ambiguousStatus, ProviderError, parseRetryAfter, type HttpClient, type HttpResponse, type RateLimiter } from '../define.js';

export interface RetailcrmAuth {
  domain: string;
  apiKey: string;
  site?: string;
  mgHost?: string;
  mgToken?: string;
  baseUrl?: string;
  mgBaseUrl?: string;
}

export interface RetailcrmCallContext {
  connection: { config: RetailcrmAuth };
  http: HttpClient;
  limiter: RateLimiter;
}

/** RetailCRM allows 10 requests/s per API key; the server's limiter shares the count across processes. */
export const RETAILCRM_REQUESTS_PER_SECOND = 10;
/** The first back-off step RetailCRM asks for; the runtime grows it with the attempt count. */
const RATE_LIMIT_RETRY_MS = 100;

/** `myshop.retailcrm.ru`, `https://myshop.retailcrm.ru/` and `myshop.retailcrm.ru/api/v5` all name the same account. */
export function normalizeDomain(domain: string): string {
  return domain
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/.*$/, '')
    .toLowerCase();
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function retailcrmApiBase(config: RetailcrmAuth): string {
  const root = config.baseUrl ? trimSlash(config.baseUrl) : `https://${normalizeDomain(config.domain)}`;
  return `${root}/api/v5`;
}

export function retailcrmLimiterKey(apiKey: string): string {
  return `retailcrm:${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
}

export interface RetailcrmRequest {
  method: 'GET' | 'POST';
  /** Path under `/api/v5`, e.g. `/orders/12`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** Form fields; objects are sent as JSON strings, as RetailCRM expects. */
  form?: Record<string, unknown>;
  /** Adds `site=<shop code>` when the connection names a shop. */
  site?: boolean;
}

export type RetailcrmBody = Record<string, unknown> & { success: true };

/** One API call; resolves with the JSON body of a successful answer, throws a classified ProviderError otherwise. */
export async function retailcrmCall(ctx: RetailcrmCallContext, req: RetailcrmRequest): Promise<RetailcrmBody> {
  const config = ctx.connection.config;
  const query = new URLSearchParams();
  const form = new URLSearchParams();
  const siteTarget = req.method === 'GET' ? query : form;
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined && v !== '') query.append(k, String(v));
  for (const [k, v] of Object.entries(req.form ?? {})) {
    if (v === undefined) continue;
    form.append(k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  if (req.site && config.site) siteTarget.set('site', config.site);
  const qs = query.toString();
  const url = `${retailcrmApiBase(config)}${req.path}${qs ? `?${qs}` : ''}`;

  await ctx.limiter.acquire(retailcrmLimiterKey(config.apiKey), RETAILCRM_REQUESTS_PER_SECOND);
  const res = await ctx.http({
    method: req.method,
    url,
    headers: {
      'x-api-key': config.apiKey,
      accept: 'application/json',
      ...(req.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    body: req.method === 'POST' ? form.toString() : undefined,
  });
  return readRetailcrmAnswer(res, config);
}

function looksLikeHtml(res: HttpResponse): boolean {
  return (res.headers['content-type'] ?? '').includes('html') || /^\s*</.test(res.text);
}

/** `errors` is a map (`{"customer[email]":"…"}`) or a list; both become one readable line. */
export function joinRetailcrmErrors(errors: unknown): string {
  if (Array.isArray(errors)) return errors.map(String).join('; ');
  if (errors && typeof errors === 'object') {
    return Object.entries(errors)
      .map(([field, msg]) => (/^\d+$/.test(field) ? String(msg) : `${field}: ${String(msg)}`))
      .join('; ');
  }
  return '';
}

export function readRetailcrmAnswer(res: HttpResponse, config: Pick<RetailcrmAuth, 'domain' | 'baseUrl'>): RetailcrmBody {
  const where = config.baseUrl ? trimSlash(config.baseUrl) : normalizeDomain(config.domain);
  const body = res.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    if (res.status >= 500 && res.status !== 503) {
      throw new ProviderError({ message: `RetailCRM answered HTTP ${res.status} without JSON: ${res.text.slice(0, 200)}`, code: res.status, status: res.status, ambiguous: ambiguousStatus(res.status), retryable: true, provider: 'retailcrm' });
    }
    if (looksLikeHtml(res) || (res.status >= 300 && res.status < 400)) {
      // RetailCRM answers an unknown account with a web page (or a redirect to one), never with JSON.
      throw new ProviderError({
        message: `RetailCRM account does not exist at ${where}: check the domain (e.g. myshop.retailcrm.ru)`,
        code: 'account_not_found',
        status: res.status,
        ambiguous: ambiguousStatus(res.status),
        retryable: false,
        provider: 'retailcrm',
      });
    }
    throw new ProviderError({ message: `RetailCRM answered HTTP ${res.status} with an unexpected body: ${res.text.slice(0, 200)}`, code: res.status, status: res.status, ambiguous: ambiguousStatus(res.status), retryable: res.status === 429 || res.status >= 500, provider: 'retailcrm' });
  }
  const json = body as Record<string, unknown>;
  if (res.status >= 200 && res.status < 300 && json.success !== false) return json as RetailcrmBody;

  const errorMsg = typeof json.errorMsg === 'string' ? json.errorMsg : `HTTP ${res.status}`;
  const details = joinRetailcrmErrors(json.errors);
  const message = details ? `${errorMsg} (${details})` : errorMsg;
  const rateLimited = res.status === 503 || res.status === 429 || /rate limit/i.test(errorMsg);
  if (rateLimited) {
    throw new ProviderError({
      message,
      code: res.status,
      status: res.status,
      ambiguous: ambiguousStatus(res.status),
      retryable: true,
      retryAfterMs: parseRetryAfter(res.headers['retry-after']) ?? RATE_LIMIT_RETRY_MS,
      provider: 'retailcrm',
    });
  }
  if (res.status >= 500) {
    throw new ProviderError({ message, code: res.status, status: res.status, ambiguous: ambiguousStatus(res.status), retryable: true, provider: 'retailcrm' });
  }
  const hint = res.status === 403 ? ': check the API key (Settings → Integration → API keys) and its permissions' : '';
  throw new ProviderError({ message: `${message}${hint}`, code: res.status, status: res.status, ambiguous: ambiguousStatus(res.status), retryable: false, provider: 'retailcrm' });
}

// ---------------------------------------------------------------------------------------------
// Message Gateway bot API (chats)

export function retailcrmMgBase(config: RetailcrmAuth): string | null {
  if (config.mgBaseUrl) return `${trimSlash(config.mgBaseUrl)}/api/bot/v1`;
  if (config.mgHost) return `https://${normalizeDomain(config.mgHost)}/api/bot/v1`;
  return null;
}

export async function retailcrmSendChatText(
  ctx: { connection: { config: RetailcrmAuth }; http: HttpClient },
  chatId: number,
  content: string,
): Promise<{ messageId: string; time?: string }> {
  const config = ctx.connection.config;
  const base = retailcrmMgBase(config);
  if (!base || !config.mgToken) {
    throw new ProviderError({
      message: 'This RetailCRM connection has no Message Gateway: set the MG host and bot token on the connection',
      code: 'mg_not_configured',
      retryable: false,
      provider: 'retailcrm',
    });
  }
  const res = await ctx.http({
    method: 'POST',
    url: `${base}/messages`,
    headers: { 'x-bot-token': config.mgToken },
    body: { chat_id: chatId, scope: 'public', type: 'text', content },
  });
  const body = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as Record<string, unknown>;
  if (res.status >= 200 && res.status < 300 && body.message_id !== undefined) {
    return { messageId: String(body.message_id), ...(typeof body.time === 'string' ? { time: body.time } : {}) };
  }
  const errors = Array.isArray(body.errors) ? body.errors.map(String).join('; ') : res.text.slice(0, 200) || `HTTP ${res.status}`;
  const retryable = res.status === 429 || res.status >= 500;
  throw new ProviderError({
    message: `Message Gateway: ${errors}${res.status === 401 || res.status === 403 ? ': check the bot token' : ''}`,
    code: res.status,
    status: res.status,
    ambiguous: ambiguousStatus(res.status),
    retryable,
    retryAfterMs: retryable ? (parseRetryAfter(res.headers['retry-after']) ?? RATE_LIMIT_RETRY_MS) : undefined,
    provider: 'retailcrm',
  });
}
