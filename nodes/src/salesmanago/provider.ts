// SALESmanago: API v2 connection (client id, API secret, owner), opt-in/opt-out callbacks, export from RetailCRM.
import { z } from 'zod';
import { defineProvider, ProviderError, ui } from '../define.js';
import { salesmanagoBase, salesmanagoCall } from './api.js';
import { consentCallbackUrl, EMAIL_PLACEHOLDER, parseConsentCallback } from './consent.js';
import { salesmanagoExportRetailcrm } from './export-retailcrm.js';

export const salesmanagoAuth = z.object({
  server: z.string().trim().min(1).register(ui, { title: 'Server', placeholder: 'app3', description: 'The first part of your SALESmanago address: www, app2, app3…' }),
  clientId: z.string().trim().min(1).register(ui, { title: 'Client id', description: 'SALESmanago → Integration Center → API' }),
  apiKey: z.string().trim().min(1).register(ui, { title: 'API key', description: 'Any string of your choice: it only enters the sha' }),
  apiSecret: z.string().trim().min(1).register(ui, { title: 'API secret', secret: true, description: 'SALESmanago → Integration Center → API' }),
  owner: z.string().trim().min(3).register(ui, { title: 'Owner e-mail', placeholder: 'marketing@example.com', description: 'The e-mail of a SALESmanago user of the account: contacts are added to them' }),
  baseUrl: z.string().url().optional().register(ui, { title: 'API base URL override', description: 'Replaces https://{server}.salesmanago.com' }),
});

export type SalesmanagoConnectionConfig = z.infer<typeof salesmanagoAuth>;

export const salesmanago = defineProvider({
  id: 'salesmanago',
  title: 'SALESmanago',
  auth: salesmanagoAuth,
  setup: ({ webhookUrl }) =>
    [
      'For the "Contact opted in or out" trigger, in SALESmanago open Integration Center → Callbacks and paste:',
      '1. Opt-in callback URL:',
      `   ${consentCallbackUrl(webhookUrl, 'opt_in')}`,
      '2. Opt-out callback URL:',
      `   ${consentCallbackUrl(webhookUrl, 'opt_out')}`,
      `Keep ${EMAIL_PLACEHOLDER} as it is: SALESmanago puts the contact's e-mail there.`,
      'SALESmanago signs nothing: the secret URL is the only key, so keep it private.',
    ].join('\n'),
  webhook: {
    // Callbacks are unsigned: the unguessable secret in the URL is checked by the server.
    verify: () => ({ ok: true }),
    parse: (req) => parseConsentCallback(req),
  },
  async test(ctx) {
    const { owner } = ctx.connection.config;
    try {
      // A read that needs valid credentials and changes nothing: is the owner a contact?
      await salesmanagoCall(ctx, '/api/contact/hasContact', { email: owner });
      return { ok: true, message: `Connected to ${salesmanagoBase(ctx.connection.config)} as ${owner}.` };
    } catch (err) {
      if (err instanceof ProviderError) return { ok: false, message: err.message };
      throw err;
    }
  },
  exports: { retailcrm: salesmanagoExportRetailcrm },
});
