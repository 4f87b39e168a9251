// The built-in providers: `core` (no connection) and `webhook` (generic inbound HTTP).
import { timingSafeEqual, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineProvider, ui, WebhookParseError } from '../define.js';

export const core = defineProvider({
  id: 'core',
  title: 'Built-in',
  auth: z.object({}),
});

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function lowerHeaders(headers: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

// Headers that would leak our own or the caller's credentials into runs.
const hiddenHeaders = new Set(['authorization', 'cookie', 'proxy-authorization']);

export const webhook = defineProvider({
  id: 'webhook',
  title: 'Webhook',
  auth: z.object({
    secretHeader: z.string().min(1).optional().register(ui, { title: 'Secret header name', placeholder: 'X-Webhook-Secret' }),
    secret: z.string().min(1).optional().register(ui, { title: 'Secret header value', secret: true }),
    baseUrl: z.string().url().optional(),
  }),
  setup: ({ webhookUrl }) =>
    `POST JSON or a form to ${webhookUrl}. Send an Idempotency-Key header to have repeated deliveries counted once.`,
  webhook: {
    verify(req, connection) {
      const { secretHeader, secret } = connection.config;
      if (!secretHeader || !secret) return { ok: true };
      const got = req.headers[secretHeader.toLowerCase()];
      if (!got) return { ok: false, reason: `missing header ${secretHeader}` };
      return safeEqual(got, secret) ? { ok: true } : { ok: false, reason: `wrong value in header ${secretHeader}` };
    },
    parse(req) {
      if (req.method !== 'POST') throw new WebhookParseError('send a POST request');
      const headers = lowerHeaders(req.headers);
      for (const h of hiddenHeaders) delete headers[h];
      const dedupe = headers['idempotency-key'];
      return [
        {
          type: 'webhook.request',
          dedupeKey: dedupe ? `idem:${dedupe}` : `req:${randomUUID()}`,
          payload: { body: req.body ?? null, headers, query: req.query },
        },
      ];
    },
  },
});
