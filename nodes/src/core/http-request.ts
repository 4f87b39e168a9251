// core.http_request: any HTTP call; non-2xx fails the step, 429/5xx are retried. Credentials come from an
// optional `http` connection, never from the graph.
import { z } from 'zod';
import { ambiguousStatus, ProviderError, parseRetryAfter, ui } from '../define.js';
import { core, httpAuthHeaders } from './provider.js';

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Methods HTTP itself defines as idempotent (RFC 9110 §9.2.2): repeating one changes nothing more. */
const idempotentMethods = new Set(['GET', 'PUT', 'DELETE']);
/** Headers that carry credentials: they belong in an HTTP connection, where they are encrypted. */
export const credentialHeaders = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key', 'api-key']);

const isPath = (url: string) => url.startsWith('/') && !url.startsWith('//');

export const coreHttpRequest = core.action({
  id: 'core.http_request',
  title: 'HTTP request',
  description: 'Call any HTTP API; credentials come from an HTTP connection.',
  config: z.object({
    method: z.enum(methods).default('POST').register(ui, { title: 'Method', widget: 'select' }),
    url: z
      .string()
      .refine((u) => isPath(u) || URL.canParse(u), 'a URL such as https://api.example.com/orders, or a path with a connection that has a base URL')
      .register(ui, { title: 'URL', mappable: true, placeholder: 'https://api.example.com/orders' }),
    headers: z.record(z.string(), z.string()).optional().register(ui, { title: 'Headers' }),
    body: z.any().optional().register(ui, { title: 'Body', widget: 'textarea', mappable: true }),
    idempotent: z
      .boolean()
      .default(false)
      .register(ui, {
        title: 'Safe to send again',
        widget: 'switch',
        description: 'The API honours the Idempotency-Key header, so a POST or PATCH whose answer was lost may be sent again (otherwise the step ends as uncertain)',
      }),
  }),
  output: z.object({ status: z.number(), headers: z.record(z.string(), z.string()), body: z.any() }),
  needsConnection: 'optional',
  connectionProvider: 'http',
  effect: (config) => (config.method === 'GET' ? 'read' : 'write'),
  idempotent: (config) => idempotentMethods.has(config.method) || config.idempotent === true,
  check(config) {
    const headers = (config as { headers?: Record<string, unknown> }).headers ?? {};
    return Object.keys(headers)
      .filter((name) => credentialHeaders.has(name.toLowerCase()))
      .map((name) => ({ field: `headers.${name}`, message: `${name} carries credentials: put them in an HTTP connection (encrypted) and choose it on this node` }));
  },
  async execute({ config, connection, http, idempotencyKey }) {
    const base: unknown = connection.config.baseUrl;
    let url = config.url;
    if (isPath(url)) {
      if (typeof base !== 'string' || base === '') {
        throw new ProviderError({ message: `${url} is a path: choose an HTTP connection with a base URL, or write the whole URL`, code: 'invalid_url', retryable: false });
      }
      url = `${base.replace(/\/+$/, '')}${url}`;
    }
    const res = await http({
      method: config.method,
      url,
      headers: { 'idempotency-key': idempotencyKey, ...config.headers, ...httpAuthHeaders(connection.config) },
      body: config.method === 'GET' ? undefined : config.body,
    });
    if (res.status >= 200 && res.status < 300) return { status: res.status, headers: endToEndHeaders(res.headers), body: res.body };
    const retryable = res.status === 429 || res.status >= 500;
    throw new ProviderError({
      message: `HTTP ${res.status} from ${new URL(url).host}: ${res.text.slice(0, 300)}`,
      code: res.status,
      status: res.status,
      retryable,
      retryAfterMs: parseRetryAfter(res.headers['retry-after']),
      ambiguous: ambiguousStatus(res.status),
    });
  },
});

/**
 * Connection-level headers (RFC 9110 §7.6.1: they describe this hop, not the answer) and Date are left
 * out of the step's output: every run would store them, and no later step has a use for them.
 */
const hopHeaders = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection', 'date']);
function endToEndHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !hopHeaders.has(name.toLowerCase())));
}
