// The HTTP client handed to node code: fetch with a timeout, JSON in and out, network errors retryable.
import { Agent, fetch as guardedFetch } from 'undici';
import { ADDRESS_NOT_ALLOWED, guardFor, literalAddressRefusal, outboundGuard, type AddressGuard } from './address-guard.js';
import { ProviderError, type HttpClient, type HttpRequest, type HttpResponse } from './define.js';

// Failures that happen before a request can reach the server: it surely had no effect.
const notSentCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'ERR_INVALID_URL']);

/** Whether a network error with this code may come after the server received the request (a reset, a hang-up). */
export function mayHaveArrived(code: string | undefined): boolean {
  return code === undefined || !notSentCodes.has(code);
}

function causeCode(err: unknown): string | undefined {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function refused(reason: string): ProviderError {
  return new ProviderError({ message: `Not called: ${reason}.`, code: 'address_not_allowed', retryable: false });
}

const dispatchers = new WeakMap<AddressGuard, Agent>();
function dispatcherOf(guard: AddressGuard): Agent {
  let agent = dispatchers.get(guard);
  if (!agent) dispatchers.set(guard, (agent = new Agent({ connect: { lookup: guard.lookup } })));
  return agent;
}

const widenedClients = new WeakMap<AddressGuard, HttpClient>();

/**
 * The client for calls made on a workspace's behalf: `base` when the workspace allows nothing more than
 * the operator, else one that also reaches the workspace's allowed hosts (one per list, kept).
 */
export function httpClientFor(allowedHosts: readonly string[] | undefined, base: HttpClient): HttpClient {
  const guard = allowedHosts && allowedHosts.length > 0 ? guardFor(allowedHosts) : null;
  if (!guard || guard === outboundGuard()) return base;
  let client = widenedClients.get(guard);
  if (!client) widenedClients.set(guard, (client = createHttpClient({ guard })));
  return client;
}

/**
 * Calls reach only the addresses the guard allows (`guard`, else the process's: see address-guard.ts),
 * checked on the address connected to.
 */
export function createHttpClient(defaults: { timeoutMs?: number; userAgent?: string; guard?: AddressGuard } = {}): HttpClient {
  return async (req: HttpRequest): Promise<HttpResponse> => {
    const guard = defaults.guard ?? outboundGuard();
    const dispatcher = guard ? dispatcherOf(guard) : undefined;
    if (guard) {
      let target: URL;
      try {
        target = new URL(req.url);
      } catch {
        throw new ProviderError({ message: `Not a URL: ${req.url}`, code: 'invalid_url', retryable: false });
      }
      const reason = literalAddressRefusal(guard, target);
      if (reason) throw refused(reason);
    }
    const headers: Record<string, string> = { 'user-agent': defaults.userAgent ?? 'Bundles/1.0', ...req.headers };
    let body: string | Buffer | undefined;
    if (req.body === undefined || req.body === null) body = undefined;
    else if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) body = req.body;
    else {
      body = JSON.stringify(req.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    const timeoutMs = req.timeoutMs ?? defaults.timeoutMs ?? 15_000;
    let res: Response;
    const init = { method: req.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' as const };
    try {
      // Redirects are answers, never followed: a redirect to a refused address goes nowhere.
      res = dispatcher ? ((await guardedFetch(req.url, { ...init, dispatcher })) as unknown as Response) : await fetch(req.url, init);
    } catch (err) {
      const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: string } | undefined) : undefined;
      if (cause?.code === ADDRESS_NOT_ALLOWED) throw refused(cause.message ?? 'a private or local address');
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      const causeText = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      const code = causeCode(err);
      throw new ProviderError({
        message: timedOut ? `No answer from ${new URL(req.url).host} within ${timeoutMs} ms` : `Could not reach ${new URL(req.url).host}: ${causeText}`,
        code: timedOut ? 'timeout' : 'network_error',
        retryable: true,
        // A timeout or a connection dropped mid-way may come after the server acted on the request.
        ambiguous: timedOut || mayHaveArrived(code),
      });
    }
    const text = await res.text();
    const outHeaders: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      outHeaders[name] = value;
    });
    let parsed: unknown = text;
    if ((outHeaders['content-type'] ?? '').includes('json') && text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, headers: outHeaders, body: parsed, text };
  };
}
