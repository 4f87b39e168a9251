// The HTTP client handed to node code: fetch with a timeout, JSON in and out, network errors retryable.
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

export function createHttpClient(defaults: { timeoutMs?: number; userAgent?: string } = {}): HttpClient {
  return async (req: HttpRequest): Promise<HttpResponse> => {
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
    try {
      res = await fetch(req.url, {
        method: req.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'manual',
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
      const code = causeCode(err);
      throw new ProviderError({
        message: timedOut ? `No answer from ${new URL(req.url).host} within ${timeoutMs} ms` : `Could not reach ${new URL(req.url).host}: ${cause}`,
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
