// salesmanago.contact_consent_changed: a contact opted in or out (SALESmanago's opt-in / opt-out callbacks).
import { z } from 'zod';
import { ui } from '../define.js';
import { consentKinds, SALESMANAGO_CONSENT_EVENT } from './consent.js';
import { salesmanagoConsentFixtures } from './fixtures/consent-callback.js';
import { salesmanago } from './provider.js';

export const salesmanagoConsentOutput = z.object({
  email: z.string().register(ui, { title: 'E-mail' }),
  kind: z.enum(consentKinds).register(ui, { title: 'Kind', description: 'opt_in = subscribed, opt_out = unsubscribed' }),
  contactId: z.string().optional().register(ui, { title: 'Contact id', description: 'When SALESmanago sends it' }),
});

export const salesmanagoContactConsentChanged = salesmanago.trigger({
  id: 'salesmanago.contact_consent_changed',
  title: 'Contact opted in or out',
  description: 'Starts when SALESmanago calls the opt-in or opt-out callback URL of this connection.',
  event: SALESMANAGO_CONSENT_EVENT,
  config: z.object({
    kinds: z
      .array(z.enum(consentKinds))
      .default([])
      .register(ui, { title: 'Kinds', widget: 'multiselect', description: 'opt_in, opt_out; none = both' }),
  }),
  output: salesmanagoConsentOutput,
  match(payload, config) {
    const kinds: readonly string[] = config.kinds ?? [];
    return kinds.length === 0 || kinds.includes(String(payload.kind));
  },
  fixtures: salesmanagoConsentFixtures,
});
