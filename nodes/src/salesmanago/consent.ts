// SALESmanago's opt-in and opt-out callbacks (Integration Center → Callbacks): SALESmanago calls the URL
// pasted there, with `$email$` replaced by the contact's address. Nothing is signed: the secret in our
// webhook URL is the only credential.
import { WebhookParseError, type ParsedEvent, type WebhookRequest } from '../define.js';
import { decodeForm, plainText, queryValue } from '../webhooks.js';
import { readEmail } from './contact.js';

export const SALESMANAGO_CONSENT_EVENT = 'salesmanago.contact_consent';
export const consentKinds = ['opt_in', 'opt_out'] as const;
export type ConsentKind = (typeof consentKinds)[number];

/** The placeholder SALESmanago replaces with the contact's e-mail in a callback URL. */
export const EMAIL_PLACEHOLDER = '$email$';
/** SALESmanago's contactId is a UUID; anything much longer is not one. */
const MAX_CONTACT_ID = 64;

/** The callback URL to paste into SALESmanago for one kind (the placeholder stays literal: SALESmanago fills it in). */
export function consentCallbackUrl(webhookUrl: string, kind: ConsentKind): string {
  return `${webhookUrl}${webhookUrl.includes('?') ? '&' : '?'}kind=${kind}&email=${EMAIL_PLACEHOLDER}`;
}

/** `opt_in`, `opt-in`, `OPTIN`, `optIn`, `subscribe`… → the kind; anything else → undefined. */
export function readConsentKind(value: string | undefined): ConsentKind | undefined {
  const v = value?.trim().toLowerCase().replace(/[\s_-]/g, '');
  if (!v || v.length > 20) return undefined;
  if (v === 'optin' || v === 'subscribe' || v === 'subscribed') return 'opt_in';
  if (v === 'optout' || v === 'unsubscribe' || v === 'unsubscribed') return 'opt_out';
  return undefined;
}

/** Top-level fields of the body, whether the server parsed JSON or a form, or left text. Never throws. */
function bodyFields(req: WebhookRequest): Record<string, unknown> {
  let body: unknown = req.body;
  if (typeof body === 'string' || body === null || body === undefined) {
    const raw = (typeof body === 'string' ? body : req.rawBody.toString('utf8')).trim();
    if (raw.startsWith('{')) {
      try {
        body = JSON.parse(raw);
      } catch {
        return {};
      }
    } else if (raw.includes('=')) {
      try {
        body = decodeForm(raw);
      } catch {
        return {};
      }
    } else return {};
  }
  return typeof body === 'object' && body !== null && !Array.isArray(body) && !Buffer.isBuffer(body) ? (body as Record<string, unknown>) : {};
}

function firstText(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  const text = plainText(v)?.trim();
  return text ? text : undefined;
}

function nested(fields: Record<string, unknown>, name: string, key: string): unknown {
  const inner = Object.hasOwn(fields, name) ? fields[name] : undefined;
  return typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>)[key] : undefined;
}

/** A query value decoded from a URL turns an address's `+` into a space; addresses have no spaces, so it goes back. */
function callbackEmail(text: string | undefined): string | undefined {
  if (text === undefined || text.length > 300 || text.includes(EMAIL_PLACEHOLDER)) return undefined;
  return readEmail(text.trim().replace(/ /g, '+'));
}

/**
 * What one callback says. A guess kept in this one function: SALESmanago documents only that the URL gets
 * `$email$` filled in, not a body. So the kind is the `?kind=` our setup URL carries, else a body field
 * (`kind`, `type`, `status`, `event`); the e-mail is the `?email=` our URL carries, else the body's `email`,
 * `contactEmail` or `contact.email`; a `contactId` is taken when one comes.
 */
export function readConsentCallback(req: WebhookRequest): { email: string; kind: ConsentKind; contactId?: string } {
  const fields = bodyFields(req);
  const field = (name: string) => (Object.hasOwn(fields, name) ? firstText(fields[name]) : undefined);
  const kindText = firstText(queryValue(req, 'kind')) ?? field('kind') ?? field('type') ?? field('status') ?? field('event');
  const kind = readConsentKind(kindText);
  if (!kind) {
    throw new WebhookParseError(`the callback does not say opt_in or opt_out (got ${JSON.stringify((kindText ?? '').slice(0, 40))}): paste the URLs from the setup steps, which end in ?kind=opt_in or ?kind=opt_out`);
  }
  const email =
    callbackEmail(firstText(req.query.email)) ??
    callbackEmail(field('email')) ??
    callbackEmail(field('contactEmail')) ??
    callbackEmail(firstText(nested(fields, 'contact', 'email')));
  if (!email) {
    throw new WebhookParseError(`the callback carries no contact e-mail: the URL pasted into SALESmanago must end in &email=${EMAIL_PLACEHOLDER}`);
  }
  const contactId = firstText(req.query.contactId) ?? field('contactId') ?? firstText(nested(fields, 'contact', 'contactId'));
  return { email, kind, ...(contactId && contactId.length <= MAX_CONTACT_ID ? { contactId } : {}) };
}

/** One event per callback; a repeat of the same state of a contact is a duplicate (opt-out → opt-out runs once). */
export function parseConsentCallback(req: WebhookRequest): ParsedEvent[] {
  const { email, kind, contactId } = readConsentCallback(req);
  return [
    {
      type: SALESMANAGO_CONSENT_EVENT,
      dedupeKey: `contact:${email}:${kind}`,
      keyKind: 'state',
      subject: `contact:${email}`,
      payload: { email, kind, ...(contactId ? { contactId } : {}) },
    },
  ];
}
