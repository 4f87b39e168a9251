// retailcrm.find_or_create_customer: the customer with this external id or phone, created when there is none.
import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js';
import { z } from 'zod';
import { ProviderError, ui } from '../define.js';
import { retailcrmCall, type RetailcrmCallContext } from './api.js';
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

type Config = {
  phone?: string | undefined;
  externalId?: string | undefined;
  name?: string | undefined;
  email?: string | undefined;
  source?: string | undefined;
  defaultCountry?: string | undefined;
};
type Ctx = RetailcrmCallContext & { config: Config };
type Found = { id: number; created: boolean; customer: RetailcrmCustomer };

function newCustomer(config: Config, phone: PhoneNumber | undefined, externalId?: string): Omit<RetailcrmCustomer, 'id'> {
  const email = config.email?.trim();
  const source = config.source?.trim();
  return {
    ...(externalId ? { externalId } : {}),
    ...splitName(config.name),
    ...(phone ? { phones: [{ number: phone.number }] } : {}),
    ...(email ? { email } : {}),
    ...(source ? { source: { source } } : {}),
  };
}

async function createCustomer(ctx: Ctx, customer: Omit<RetailcrmCustomer, 'id'>): Promise<Found> {
  const site = ctx.connection.config.site;
  const created = await retailcrmCall(ctx, { method: 'POST', path: '/customers/create', form: { customer }, site: true });
  const id = Number(created.id);
  return { id, created: true, customer: { id, ...customer, ...(site ? { site } : {}) } };
}

/**
 * `GET /customers/{externalId}?by=externalId` names one customer exactly (no search index in between), so a
 * second message of the same buyer, or a repeated attempt, finds the customer the first one created.
 */
async function byExternalId(ctx: Ctx, externalId: string): Promise<Found> {
  const { config } = ctx;
  const existing = await getByExternalId(ctx, externalId);
  if (existing) return existing;
  // A phone that is no number is left out rather than failing the lead: the external id names the customer.
  const phone = config.phone?.trim() ? parsePhone(config.phone, config.defaultCountry) : undefined;
  try {
    return await createCustomer(ctx, newCustomer(config, phone, externalId));
  } catch (err) {
    // Two messages of one buyer at once: the other run created the customer between our lookup and create,
    // and RetailCRM refuses a second customer with the externalId. Then it is there to be found.
    if (!(err instanceof ProviderError && err.status === 400)) throw err;
    const raced = await getByExternalId(ctx, externalId);
    if (raced) return raced;
    throw err;
  }
}

async function getByExternalId(ctx: Ctx, externalId: string): Promise<Found | null> {
  try {
    const body = await retailcrmCall(ctx, { method: 'GET', path: `/customers/${encodeURIComponent(externalId)}`, query: { by: 'externalId' }, site: true });
    const customer = retailcrmCustomerSchema.safeParse(body.customer);
    if (!customer.success) {
      throw new ProviderError({ message: `RetailCRM answered customer ${externalId} without a customer`, code: 'no_customer', retryable: false, provider: 'retailcrm' });
    }
    return { id: customer.data.id, created: false, customer: customer.data };
  } catch (err) {
    if (err instanceof ProviderError && err.status === 404) return null;
    throw err;
  }
}

export const retailcrmFindOrCreateCustomer = retailcrm.action({
  id: 'retailcrm.find_or_create_customer',
  title: 'Find or create customer',
  description: 'Finds the customer by external id or by phone number (any format); creates one when none has it.',
  config: z.object({
    phone: z
      .string()
      .trim()
      .optional()
      .register(ui, { title: 'Phone', mappable: true, placeholder: '+79001234567', description: 'Or leave it empty and give an external id' }),
    externalId: z
      .string()
      .trim()
      .max(200)
      .optional()
      .register(ui, {
        title: 'External id',
        mappable: true,
        placeholder: 'tokopedia:{{ trigger.buyerId }}',
        description: 'Your id of the customer in another system; when given, the customer is found (and created) by it',
      }),
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
  // Repeating it finds the customer the first attempt created: by external id exactly; by phone unless
  // RetailCRM's search has not caught up yet.
  idempotent: true,
  check(config) {
    const given = (v: unknown) => typeof v === 'string' && v.trim() !== '';
    return given(config.phone) || given(config.externalId) ? [] : [{ field: 'phone', message: 'give a phone or an external id' }];
  },
  async execute(ctx) {
    const { config } = ctx;
    const externalId = config.externalId?.trim();
    if (externalId) return byExternalId(ctx, externalId);
    const written = config.phone?.trim();
    if (!written) {
      throw new ProviderError({ message: 'Give the customer\'s phone or an external id: both are empty', code: 'no_customer_key', retryable: false, provider: 'retailcrm' });
    }
    const phone = parsePhone(written, config.defaultCountry);
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

    return createCustomer(ctx, newCustomer(config, phone));
  },
});
