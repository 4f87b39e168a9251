// Monetizze API 2.1, only as far as "Test connection" needs it: a token for the consumer key, then one cheap read.
import { ambiguousStatus, ProviderError, parseRetryAfter, type HttpClient, type HttpResponse } from '../define.js';

export const MONETIZZE_API_URL = 'https://api.monetizze.com.br/2.1';

export interface MonetizzeApiContext {
  connection: { config: { consumerKey?: string; baseUrl?: string } };
  http: HttpClient;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

function detailOf(res: HttpResponse): string {
  const body = typeof res.body === 'object' && res.body !== null ? (res.body as Record<string, unknown>) : {};
  for (const field of ['error', 'message', 'msg', 'erro', 'mensagem']) {
    const value = body[field];
    if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, 200);
  }
  return res.text.trim().slice(0, 200) || `HTTP ${res.status}`;
}

/** A non-2xx answer of the API, classified by its status (Monetizze's own error codes are not documented publicly). */
export function monetizzeApiError(res: HttpResponse, what: string): ProviderError {
  const detail = detailOf(res);
  const base = { code: res.status, status: res.status, provider: 'monetizze' };
  if (res.status === 429 || res.status >= 500) {
    return new ProviderError({
      ...base,
      message: `Monetizze API (${what}) is not answering right now: ${detail}. Try again in a moment.`,
      retryable: true,
      ambiguous: ambiguousStatus(res.status),
      retryAfterMs: parseRetryAfter(res.headers['retry-after']),
    });
  }
  if (res.status === 401 || res.status === 403) {
    return new ProviderError({
      ...base,
      message: `Monetizze refused the consumer key (${detail}): copy it again from Monetizze → Ferramentas → API, or leave it empty to test by postbacks.`,
      retryable: false,
    });
  }
  return new ProviderError({ ...base, message: `Monetizze API (${what}): ${detail}`, retryable: false });
}

/** "yyyy-mm-dd H:i:s" in UTC, the date format of the API's filters. */
const apiDate = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');

/**
 * The API as third-party clients call it (skaisser/monetizze, rafapaulino/MonetizzeApi, which follow
 * https://api.monetizze.com.br/2.1/apidoc): GET {base}/token with header X_CONSUMER_KEY → {"token": …}, then
 * GET {base}/transactions with header TOKEN and date filters → {"recordCount": …, "dados": […]}. The method of
 * the token call (one client POSTs), the error bodies and the filters are unconfirmed: all kept in this function.
 */
export async function probeMonetizzeApi(ctx: MonetizzeApiContext, consumerKey: string, now = new Date()): Promise<{ recordCount: number | null }> {
  const base = trimSlash(ctx.connection.config.baseUrl ?? MONETIZZE_API_URL);
  const tokenRes = await ctx.http({ method: 'GET', url: `${base}/token`, headers: { X_CONSUMER_KEY: consumerKey, accept: 'application/json' } });
  if (tokenRes.status < 200 || tokenRes.status >= 300) throw monetizzeApiError(tokenRes, 'token');
  const token = typeof tokenRes.body === 'object' && tokenRes.body !== null ? (tokenRes.body as { token?: unknown }).token : undefined;
  if (typeof token !== 'string' || token === '') {
    throw new ProviderError({ message: `Monetizze answered the token request without a token (${detailOf(tokenRes)})`, code: 'no_token', status: tokenRes.status, retryable: false, provider: 'monetizze' });
  }
  const query = new URLSearchParams({ date_min: apiDate(new Date(now.getTime() - 24 * 3600 * 1000)), date_max: apiDate(now) });
  const listRes = await ctx.http({ method: 'GET', url: `${base}/transactions?${query}`, headers: { TOKEN: token, accept: 'application/json' } });
  if (listRes.status < 200 || listRes.status >= 300) throw monetizzeApiError(listRes, 'transactions');
  const count = typeof listRes.body === 'object' && listRes.body !== null ? Number((listRes.body as { recordCount?: unknown }).recordCount) : NaN;
  return { recordCount: Number.isFinite(count) ? count : null };
}
