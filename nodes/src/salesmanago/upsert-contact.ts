// salesmanago.upsert_contact: creates or updates the contact with this e-mail (tags, consent, properties).
import { z } from 'zod';
import { ui } from '../define.js';
import { consentChoices, normalizeSalesmanagoTags, upsertSalesmanagoContact } from './contact.js';
import { salesmanago } from './provider.js';

const text = (title: string, placeholder?: string) => z.string().optional().register(ui, { title, mappable: true, ...(placeholder ? { placeholder } : {}) });
const tagsField = (title: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .register(ui, { title, mappable: true, placeholder: 'VIP,NEWSLETTER', description: 'Comma-separated, as in SALESmanago; stored in upper case with spaces as _' });
const consentField = (title: string) =>
  z.enum(consentChoices).default('unchanged').register(ui, { title, widget: 'select', description: 'opt_in or opt_out overrides the contact’s status; unchanged keeps it' });

const isTemplate = (v: unknown) => typeof v === 'string' && v.includes('{{');

export const salesmanagoUpsertContact = salesmanago.action({
  id: 'salesmanago.upsert_contact',
  title: 'Create or update contact',
  description: 'Creates the contact with this e-mail in SALESmanago, or updates it: name, phone, tags, consent.',
  config: z.object({
    email: z.string().trim().min(1).register(ui, { title: 'E-mail', mappable: true, placeholder: '{{ trigger.order.email }}' }),
    name: text('Name'),
    phone: text('Phone', '+48500100200'),
    company: text('Company'),
    tags: tagsField('Tags to add'),
    removeTags: tagsField('Tags to remove'),
    emailConsent: consentField('E-mail consent'),
    phoneConsent: consentField('Phone (SMS) consent'),
    properties: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .register(ui, { title: 'Properties', description: 'Custom contact details, name → value' }),
  }),
  output: z.object({ contactId: z.string().register(ui, { title: 'Contact id' }) }),
  effect: 'write',
  // An upsert by e-mail: repeating it leaves the contact as the first one did.
  idempotent: true,
  check(config) {
    const issues: Array<{ field: string; message: string }> = [];
    for (const field of ['tags', 'removeTags'] as const) {
      const value = config[field];
      if (value === undefined || isTemplate(value) || (Array.isArray(value) && value.some(isTemplate))) continue;
      try {
        normalizeSalesmanagoTags(value as string | string[], field);
      } catch (err) {
        issues.push({ field, message: (err as Error).message });
      }
    }
    return issues;
  },
  execute: (ctx) => upsertSalesmanagoContact(ctx, ctx.config),
});
