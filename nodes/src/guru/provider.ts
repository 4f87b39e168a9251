// Digital Manager Guru: a webhook-only connection. Guru posts sales and subscriptions as JSON with the account
// token in the body (`api_token`); there is no signature.
import { z } from 'zod';
import { defineProvider, ui, WebhookParseError } from '../define.js';
import { safeEqual } from '../webhooks.js';
import { guruEvents } from './events.js';
import { field, readGuruBody } from './read.js';
import { guruTestResult } from './test-message.js';

export const guruAuth = z.object({
  apiToken: z
    .string()
    .trim()
    .min(1)
    .register(ui, {
      title: 'Account token (Token API)',
      secret: true,
      description: 'In Guru: Minha Conta → API → Token API. Guru puts it in every webhook as api_token; deliveries with another token are refused.',
    }),
  baseUrl: z.string().url().optional().register(ui, { title: 'API base URL override', placeholder: 'https://digitalmanager.guru/api/v2' }),
});

export type GuruConnectionConfig = z.infer<typeof guruAuth>;

const tokenHint = 'copy the account token again from Guru: Minha Conta → API → Token API';

export const guru = defineProvider({
  id: 'guru',
  title: 'Digital Manager Guru',
  auth: guruAuth,
  setup: ({ webhookUrl }) =>
    [
      'Guru posts every change of a sale or a subscription to this URL, with your account token in the body:',
      '1. In the Guru admin open Configurações → Webhooks (digitalmanager.guru/admin/settings/webhooks).',
      '2. Add a webhook with this URL:',
      `   ${webhookUrl}`,
      '   as the resource choose sales (Vendas / Transações) or subscriptions (Assinaturas), and the statuses to send;',
      '   add a second webhook with the same URL for the other resource if you want both.',
      '3. Copy the account token: in the menu at the top right open Minha Conta → API, copy the Token API and paste it',
      '   into this connection. Deliveries whose api_token differs are refused (401, and Guru does not resend them).',
    ].join('\n'),
  webhook: {
    verify(req, connection) {
      const expected = connection.config.apiToken;
      if (!expected) return { ok: false, reason: `this connection has no account token: ${tokenHint}` };
      const body = readGuruBody(req);
      if (!body) return { ok: false, reason: 'the body is not a JSON object, so it carries no api_token' };
      const token = field(body, 'api_token');
      if (token === undefined || token === null || token === '') return { ok: false, reason: `the body has no api_token (${tokenHint})` };
      if (typeof token !== 'string') return { ok: false, reason: 'api_token in the body is not text' };
      return safeEqual(token, expected) ? { ok: true } : { ok: false, reason: `api_token does not match this connection's account token (${tokenHint})` };
    },
    parse(req) {
      const body = readGuruBody(req);
      if (!body) throw new WebhookParseError('Guru webhook body must be a JSON object');
      return guruEvents(body);
    },
  },
  async test(ctx) {
    return guruTestResult(await ctx.deliveries());
  },
});
