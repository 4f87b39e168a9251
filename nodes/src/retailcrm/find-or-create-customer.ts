// retailcrm.find_or_create_customer: the customer with this phone, created when there is none.
import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js';
import { z } from 'zod';
import { ProviderError, ui } from '../define.js';
import { retailcrmCall } from './api.js';
import { retailcrm } from './provider.js';
import { retailcrmCustomerSchema, type RetailcrmCustomer } from './schemas.js';

function parsePhone(text: string, country: string | undefined): PhoneNumber | undefined {
  const parsed = parsePhoneNumberFromString(text, country ? (country.toUpperCase() as CountryCode) : undefined);
  if (parsed?.isPossible()) return parsed;
  // Messenger ids such as WhatsApp's wa_id (5511998765432) are international numbers written as bare digits.
  const digits = text.trim();
  if (!/^\d{8,15}$/.test(digits)) return undefined;
  const international = parsePhoneNumberFromString(`+${digits}`);
  return international?.isPossible() ? international : undefined;
}

/** Whether a phone as stored in RetailCRM (any format) is the same number. */
function samePhone(stored: string, wanted: PhoneNumber): boolean {
  const asNumber = parsePhone(stored, wanted.country);
  if (asNumber) return asNumber.number === wanted.number;
  const digits = stored.replace(/\D/g, '');
  return digits.length >= 6 && (digits === wanted.number.slice(1) || digits.endsWith(String(wanted.nationalNumber)));
}

/** "Ivan Petrov Sergeevich" → first name Ivan, last name "Petrov Sergeevich". */
function splitName(name: string | undefined): { firstName?: string; lastName?: string } {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return {};
  const [firstName, ...rest] = parts;
  return rest.length ? { firstName, lastName: rest.join(' ') } : { firstName };
}

export const retailcrmFindOrCreateCustomer = retailcrm.action({
  id: 'retailcrm.find_or_create_customer',
  title: 'Find or create customer',
  description: 'Finds the customer by phone number (any format); creates one when none has it.',
  config: z.object({
    phone: z.string().trim().min(1).register(ui, { title: 'Phone', mappable: true, placeholder: '+79001234567' }),
    name: z.string().optional().register(ui, { title: 'Name (for a new customer)', mappable: true, placeholder: 'Ivan Petrov' }),
    email: z.string().optional().register(ui, { title: 'E-mail (for a new customer)', mappable: true }),
    source: z.string().optional().register(ui, { title: 'Source (for a new customer)', placeholder: 'whatsapp' }),
    defaultCountry: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'a two-letter country code such as RU or ID')
      .optional()
      .register(ui, { title: 'Default country', description: 'For phone numbers written without the country code', placeholder: 'RU' }),
  }),
  output: z.object({
    id: z.number(),
    created: z.boolean(),
    customer: retailcrmCustomerSchema,
  }),
  effect: 'write',
  // Repeating it finds the customer the first attempt created (unless RetailCRM's search has not caught up yet).
  idempotent: true,
  async execute(ctx) {
    const { config } = ctx;
    const phone = parsePhone(config.phone, config.defaultCountry);
    if (!phone) {
      throw new ProviderError({
        message: `"${config.phone}" is not a phone number: write it with the country code (+7…) or set the default country`,
        code: 'invalid_phone',
        retryable: false,
        provider: 'retailcrm',
      });
    }
    const site = ctx.connection.config.site;
    // RetailCRM has no phone filter; filter[name] also searches phones, and the national number matches every stored format.
    const found = await retailcrmCall(ctx, {
      method: 'GET',
      path: '/customers',
      query: { 'filter[name]': String(phone.nationalNumber), limit: 20, page: 1 },
    });
    const customers = z.array(retailcrmCustomerSchema).catch([]).parse(found.customers);
    const match = customers.find(
      (c) => (!site || !c.site || c.site === site) && (c.phones ?? []).some((p) => p.number && samePhone(p.number, phone)),
    );
    if (match) return { id: match.id, created: false, customer: match };

    const email = config.email?.trim();
    const source = config.source?.trim();
    const customer: Omit<RetailcrmCustomer, 'id'> = {
      ...splitName(config.name),
      phones: [{ number: phone.number }],
      ...(email ? { email } : {}),
      ...(source ? { source: { source } } : {}),
    };
    const created = await retailcrmCall(ctx, { method: 'POST', path: '/customers/create', form: { customer }, site: true });
    const id = Number(created.id);
    return { id, created: true, customer: { id, ...customer, ...(site ? { site } : {}) } };
  },
});
