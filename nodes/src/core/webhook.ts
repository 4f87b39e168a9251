// core.webhook: a run for every POST to the connection's webhook URL.
import { z } from 'zod';
import { ui } from '../define.js';
import { safeEqual } from '../webhooks.js';
import { webhook } from './provider.js';

export const coreWebhook = webhook.trigger({
  id: 'core.webhook',
  title: 'Webhook received',
  description: 'Starts on every JSON or form POST to the connection’s webhook URL.',
  event: 'webhook.request',
  config: z.object({
    secretHeader: z.string().min(1).optional().register(ui, { title: 'Require header', description: 'Only requests carrying this header start the bundle' }),
    secret: z.string().min(1).optional().register(ui, { title: 'Header value', widget: 'secret' }),
  }),
  output: z.object({
    body: z.any(),
    headers: z.record(z.string(), z.string()),
    query: z.record(z.string(), z.any()),
  }),
  match(payload, config) {
    if (!config.secretHeader || !config.secret) return true;
    const headers = payload.headers as Record<string, string>;
    const got = headers[config.secretHeader.toLowerCase()];
    return typeof got === 'string' && safeEqual(got, config.secret);
  },
  fixtures: [
    {
      body: { order: { id: 1042, total: 59.9 }, customer: { name: 'Ana Souza', phone: '+5511998765432' } },
      headers: { 'content-type': 'application/json', 'idempotency-key': 'evt_1042' },
      query: {},
    },
  ],
});
