// Monetizze: sales postbacks (a form carrying the account's chave_unica), tested through the API when a
// consumer key is given, else through what the delivery log says.
import { z } from 'zod';
import { defineProvider, ProviderError, ui, type DeliverySummary } from '../define.js';
import { safeEqual } from '../webhooks.js';
import { MONETIZZE_API_URL, probeMonetizzeApi } from './api.js';
import { readBoundedPostback, readPostback } from './postback.js';
import { monetizzeEvents, postbackKey } from './sale.js';

export { MONETIZZE_SALE_EVENT } from './sale.js';

export const monetizzeAuth = z.object({
  chaveUnica: z
    .string()
    .trim()
    .min(1)
    .register(ui, { title: 'Chave única', secret: true, description: 'Monetizze → Ferramentas → Postback shows it; every postback carries it as chave_unica' }),
  consumerKey: z
    .string()
    .trim()
    .min(1)
    .optional()
    .register(ui, { title: 'API consumer key (optional)', secret: true, description: 'Monetizze → Ferramentas → API; only used by "Test connection"' }),
  baseUrl: z.string().url().optional().register(ui, { title: 'API base URL override', placeholder: MONETIZZE_API_URL }),
});

export type MonetizzeConnectionConfig = z.infer<typeof monetizzeAuth>;

/** How to make Monetizze post here; the clicks are Monetizze's menu as its docs and example script name it. */
export function monetizzeSetupSteps(webhookUrl: string): string[] {
  return [
    '1. In Monetizze, open Ferramentas → Postback.',
    '2. Add a postback: choose the product (or all products) and tick the events to send: Aguardando pagamento, Finalizada, Cancelada, Devolvida, Bloqueada, Completa, Abandono de checkout.',
    `3. Paste this URL as the postback URL: ${webhookUrl}`,
    '4. Copy the "chave única" shown on that page into this connection: a postback without it is refused.',
    '5. Save, then press "Testar" next to the postback to send a test; "Test connection" here then says whether it arrived.',
  ];
}

/** "Test connection" without a consumer key: what the delivery log says of the postbacks. */
export function testByDeliveries(d: DeliverySummary, webhookUrl: string): { ok: boolean | null; message: string } {
  const rejectedLater = d.lastRejected && (!d.lastAccepted || d.lastRejected.at > d.lastAccepted.at);
  if (d.lastAccepted) {
    const note = rejectedLater ? ` A later one was refused at ${d.lastRejected!.at.toISOString()} (${d.lastRejected!.reason ?? 'no reason given'}).` : '';
    return { ok: true, message: `Postbacks arrive: the last one was accepted at ${d.lastAccepted.at.toISOString()}.${note}` };
  }
  if (d.lastRejected) {
    return {
      ok: false,
      message:
        `Postbacks arrive but are refused: the last one at ${d.lastRejected.at.toISOString()} (${d.lastRejected.reason ?? 'no reason given'}). ` +
        'Check that the "chave única" of this connection is the one Monetizze shows in Ferramentas → Postback, then press "Testar" there again.',
    };
  }
  return { ok: null, message: ['Nothing has arrived yet. To make Monetizze send a test:', ...monetizzeSetupSteps(webhookUrl)].join('\n') };
}

export const monetizze = defineProvider({
  id: 'monetizze',
  title: 'Monetizze',
  auth: monetizzeAuth,
  setup: ({ webhookUrl }) => ['Monetizze posts every sale to this URL (a form with your chave única):', ...monetizzeSetupSteps(webhookUrl)].join('\n'),
  webhook: {
    verify(req, connection) {
      const expected = connection.config.chaveUnica;
      if (!expected) return { ok: false, reason: 'this connection has no chave única' };
      let got: string | null;
      try {
        got = postbackKey(readPostback(req.rawBody));
      } catch (err) {
        return { ok: false, reason: `the postback could not be read: ${(err as Error).message}` };
      }
      if (got === null) return { ok: false, reason: 'missing chave_unica field' };
      return safeEqual(got, expected) ? { ok: true } : { ok: false, reason: 'chave_unica does not match the connection’s chave única (Monetizze → Ferramentas → Postback)' };
    },
    parse(req) {
      return monetizzeEvents(readBoundedPostback(req.rawBody));
    },
  },
  async test(ctx) {
    const { consumerKey } = ctx.connection.config;
    if (!consumerKey) return testByDeliveries(await ctx.deliveries(), ctx.connection.webhookUrl);
    try {
      const { recordCount } = await probeMonetizzeApi(ctx, consumerKey);
      const seen = recordCount === null ? '' : ` (${recordCount} transaction${recordCount === 1 ? '' : 's'} in the last 24 hours)`;
      return { ok: true, message: `Connected: Monetizze accepted the consumer key and its transactions are readable${seen}.` };
    } catch (err) {
      if (err instanceof ProviderError) return { ok: false, message: err.message };
      throw err;
    }
  },
});
