// core.http_request: any HTTP call; non-2xx fails the step, 429/5xx are retried.
import { z } from 'zod';
import { ProviderError, parseRetryAfter, ui } from '../define.js';
import { core } from './provider.js';

export const coreHttpRequest = core.action({
  id: 'core.http_request',
  title: 'HTTP request',
  description: 'Call any HTTP API.',
  config: z.object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST').register(ui, { title: 'Method', widget: 'select' }),
    url: z.string().url().register(ui, { title: 'URL', mappable: true, placeholder: 'https://api.example.com/orders' }),
    headers: z.record(z.string(), z.string()).optional().register(ui, { title: 'Headers' }),
    body: z.any().optional().register(ui, { title: 'Body', widget: 'textarea', mappable: true }),
  }),
  output: z.object({ status: z.number(), headers: z.record(z.string(), z.string()), body: z.any() }),
  needsConnection: false,
  async execute({ config, http, idempotencyKey }) {
    const res = await http({
      method: config.method,
      url: config.url,
      headers: { 'idempotency-key': idempotencyKey, ...config.headers },
      body: config.method === 'GET' ? undefined : config.body,
    });
    if (res.status >= 200 && res.status < 300) return { status: res.status, headers: res.headers, body: res.body };
    const retryable = res.status === 429 || res.status >= 500;
    throw new ProviderError({
      message: `HTTP ${res.status} from ${new URL(config.url).host}: ${res.text.slice(0, 300)}`,
      code: res.status,
      status: res.status,
      retryable,
      retryAfterMs: parseRetryAfter(res.headers['retry-after']),
    });
  },
});
