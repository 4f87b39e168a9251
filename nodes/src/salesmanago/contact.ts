// A contact upsert as SALESmanago takes it (POST /api/contact/upsert): e-mail, tags as SALESmanago stores
// them, consent as force flags. Shared by salesmanago.upsert_contact and the RetailCRM export.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { ProviderError } from '../define.js';
import { salesmanagoCall, type SalesmanagoCallContext } from './api.js';

export const consentChoices = ['unchanged', 'opt_in', 'opt_out'] as const;
export type Consent = (typeof consentChoices)[number];

export interface ContactInput {
  email: string;
  name?: string;
  phone?: string;
  company?: string;
  tags?: string | string[];
  removeTags?: string | string[];
  emailConsent?: Consent;
  phoneConsent?: Consent;
  properties?: Record<string, string | number | boolean>;
}

const refuse = (code: string, message: string): never => {
  throw new ProviderError({ message, code, retryable: false, provider: 'salesmanago' });
};

/** SALESmanago's own limit on an address: 64 characters before the @, 254 in all. */
const MAX_EMAIL = 254;

/** A trimmed, lower-case address, or undefined when it is none. Linear: the length is bounded before the pattern runs. */
export function readEmail(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const email = value.trim().toLowerCase();
  if (email.length < 3 || email.length > MAX_EMAIL) return undefined;
  return /^[^\s@]{1,64}@[^\s@.]+(\.[^\s@.]+)+$/.test(email) ? email : undefined;
}

export function salesmanagoEmail(value: string): string {
  return readEmail(value) ?? refuse('invalid_email', `"${value.slice(0, 100)}" is not an e-mail address: SALESmanago identifies contacts by e-mail`);
}

/**
 * Tags as SALESmanago stores them (its own integration library does the same): trimmed, spaces as `_`,
 * upper case. A string is comma-separated, as in SALESmanago's screens; a list may hold such strings too.
 * An empty value means no tags; an empty tag among others is refused rather than silently dropped.
 */
export function normalizeSalesmanagoTags(value: string | string[] | undefined, field = 'tags'): string[] {
  if (value === undefined) return [];
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(','));
  if (items.every((t) => t.trim() === '')) return [];
  const tags: string[] = [];
  items.forEach((item, i) => {
    const tag = item.trim().replace(/\s+/g, '_').toUpperCase();
    if (!tag) refuse('invalid_tags', `${field}: tag ${i + 1} of ${items.length} is empty ("${items.join(',').slice(0, 100)}"): remove the extra comma`);
    if (!tags.includes(tag)) tags.push(tag);
  });
  return tags;
}

/** Consent choices → SALESmanago's force flags; `unchanged` sends none, so the contact keeps its status. */
export function consentFlags(email: Consent = 'unchanged', phone: Consent = 'unchanged'): Record<string, boolean> {
  return {
    ...(email === 'opt_in' ? { forceOptIn: true } : email === 'opt_out' ? { forceOptOut: true } : {}),
    ...(phone === 'opt_in' ? { forcePhoneOptIn: true } : phone === 'opt_out' ? { forcePhoneOptOut: true } : {}),
  };
}

/** A phone in E.164; bare digits (8 to 15) are read as an international number. Undefined when it is none. */
export function readPhone(text: string): string | undefined {
  const trimmed = text.trim();
  const parsed = parsePhoneNumberFromString(trimmed) ?? (/^\d{8,15}$/.test(trimmed) ? parsePhoneNumberFromString(`+${trimmed}`) : undefined);
  return parsed?.isPossible() ? parsed.number : undefined;
}

const present = (v: string | undefined) => {
  const t = v?.trim();
  return t ? t : undefined;
};

/** The body of POST /api/contact/upsert (without the auth fields). */
export function upsertContactBody(input: ContactInput): Record<string, unknown> {
  const email = salesmanagoEmail(input.email);
  const phoneText = present(input.phone);
  const phone = phoneText === undefined ? undefined : (readPhone(phoneText) ?? refuse('invalid_phone', `"${phoneText.slice(0, 40)}" is not a phone number: write it with the country code (+48…)`));
  const contact: Record<string, string> = { email };
  const name = present(input.name);
  const company = present(input.company);
  if (name) contact.name = name;
  if (phone) contact.phone = phone;
  if (company) contact.company = company;
  const tags = normalizeSalesmanagoTags(input.tags, 'tags');
  const removeTags = normalizeSalesmanagoTags(input.removeTags, 'removeTags');
  const properties = Object.fromEntries(Object.entries(input.properties ?? {}).map(([k, v]) => [k, String(v)]));
  return {
    contact,
    ...(tags.length ? { tags } : {}),
    ...(removeTags.length ? { removeTags } : {}),
    ...consentFlags(input.emailConsent, input.phoneConsent),
    ...(Object.keys(properties).length ? { properties } : {}),
  };
}

/** Creates or updates the contact with this e-mail; repeating it changes nothing more. */
export async function upsertSalesmanagoContact(ctx: SalesmanagoCallContext, input: ContactInput): Promise<{ contactId: string }> {
  const body = await salesmanagoCall(ctx, '/api/contact/upsert', upsertContactBody(input));
  if (typeof body.contactId !== 'string' || body.contactId === '') {
    refuse('no_contact_id', 'SALESmanago accepted the contact but answered without its contactId');
  }
  return { contactId: body.contactId as string };
}
