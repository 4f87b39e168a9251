// The built-in providers: `core` (no connection) and `webhook` (generic inbound HTTP).
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { defineProvider, ui, WebhookParseError } from '../define.js';
import { safeEqual } from '../webhooks.js';

export const core = defineProvider({
  id: 'core',
  title: 'Built-in',
  auth: z.object({}),
});

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
    parse(req, connection) {
      if (req.method !== 'POST') throw new WebhookParseError('send a POST request');
      const headers = lowerHeaders(req.headers);
      for (const h of hiddenHeaders) delete headers[h];
      // The connection's own secret header checked the request; it is not part of the event.
      if (connection.config.secretHeader) delete headers[connection.config.secretHeader.toLowerCase()];
      const dedupe = headers['idempotency-key'];
      return [
        {
          type: 'webhook.request',
          // The sender's Idempotency-Key names one event; without one every request is an event of its own.
          dedupeKey: dedupe ? `idem:${dedupe}` : `req:${randomUUID()}`,
          keyKind: 'id',
          payload: { body: req.body ?? null, headers, query: req.query },
        },
      ];
    },
  },
});

export const httpAuthTypes = ['header', 'bearer', 'basic'] as const;

/** Credentials for core.http_request, kept (encrypted) in a connection instead of in the bundle's graph. */
export const http = defineProvider({
  id: 'http',
  title: 'HTTP API',
  auth: z
    .object({
      authType: z.enum(httpAuthTypes).default('bearer').register(ui, { title: 'Authentication', widget: 'select', description: 'header: a header of your choice; bearer: Authorization: Bearer <token>; basic: user name and password' }),
      headerName: z.string().trim().min(1).optional().register(ui, { title: 'Header name', placeholder: 'X-Api-Key', description: 'For header authentication' }),
      headerValue: z.string().min(1).optional().register(ui, { title: 'Header value', secret: true }),
      token: z.string().min(1).optional().register(ui, { title: 'Bearer token', secret: true }),
      username: z.string().min(1).optional().register(ui, { title: 'User name' }),
      password: z.string().min(1).optional().register(ui, { title: 'Password', secret: true }),
      baseUrl: z.string().url().optional().register(ui, { title: 'Base URL', placeholder: 'https://api.example.com', description: 'Request URLs that are paths (/orders) are resolved against it' }),
    })
    .superRefine((c, ctx) => {
      const need = (field: 'headerName' | 'headerValue' | 'token' | 'username' | 'password') => {
        if (c[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `is required for ${c.authType} authentication` });
      };
      if (c.authType === 'header') (['headerName', 'headerValue'] as const).forEach(need);
      if (c.authType === 'bearer') need('token');
      if (c.authType === 'basic') (['username', 'password'] as const).forEach(need);
    }),
  setup: () => 'Enter the credentials the API expects; HTTP request nodes that use this connection send them with every request.',
});

/** The headers an `http` connection adds to a request. */
export function httpAuthHeaders(config: Record<string, unknown>): Record<string, string> {
  const str = (k: string) => (typeof config[k] === 'string' ? (config[k] as string) : '');
  if (config.authType === 'header' && str('headerName')) return { [str('headerName').toLowerCase()]: str('headerValue') };
  if (config.authType === 'basic') return { authorization: `Basic ${Buffer.from(`${str('username')}:${str('password')}`).toString('base64')}` };
  if (config.authType === 'bearer' && str('token')) return { authorization: `Bearer ${str('token')}` };
  return {};
}
