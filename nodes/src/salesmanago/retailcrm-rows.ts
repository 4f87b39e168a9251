// RetailCRM customers and paid orders (API v5 JSON) as SALESmanago contacts and purchases, for the export.
import type { RetailcrmCustomer, RetailcrmOrder } from '../retailcrm/schemas.js';
import { ProviderError } from '../define.js';
import { readEmail, readPhone, type Consent, type ContactInput } from './contact.js';
import type { PurchaseInput } from './purchase.js';

type Loose = Record<string, unknown>;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const asList = (v: unknown): Loose[] => (Array.isArray(v) ? v.filter((x): x is Loose => typeof x === 'object' && x !== null) : []);

/** RetailCRM's subscription of a customer to a channel (`email`, `sms`, `waba`…), when it has one. */
function channelSubscription(customer: Loose, channel: string): boolean | undefined {
  const found = asList(customer.customerSubscriptions).find((s) => (s.subscription as Loose | undefined)?.channel === channel);
  return typeof found?.subscribed === 'boolean' ? found.subscribed : undefined;
}

/**
 * The e-mail consent RetailCRM records: an unsubscription date (`emailMarketingUnsubscribedAt`) is an
 * opt-out; else the e-mail channel's subscription, else the older `subscribed` flag; with none of them the
 * contact's status in SALESmanago is left as it is (so an export never opts in someone who never agreed).
 */
export function retailcrmEmailConsent(customer: RetailcrmCustomer): Consent {
  const c = customer as Loose;
  if (text(c.emailMarketingUnsubscribedAt)) return 'opt_out';
  const subscribed = channelSubscription(c, 'email') ?? (typeof c.subscribed === 'boolean' ? c.subscribed : undefined);
  return subscribed === undefined ? 'unchanged' : subscribed ? 'opt_in' : 'opt_out';
}

export function retailcrmPhoneConsent(customer: RetailcrmCustomer): Consent {
  const subscribed = channelSubscription(customer as Loose, 'sms');
  return subscribed === undefined ? 'unchanged' : subscribed ? 'opt_in' : 'opt_out';
}

/** The customer as a contact, or null when it has no e-mail (SALESmanago identifies contacts by e-mail). */
export function contactFromCustomer(customer: RetailcrmCustomer, exportTags: string[]): ContactInput | null {
  const email = text(customer.email);
  if (!email) return null;
  const name = [customer.firstName, customer.lastName].map(text).filter(Boolean).join(' ');
  // RetailCRM keeps phones as typed (often without the country code): one that is no number is left out.
  const phone = asList(customer.phones)
    .map((p) => text(p.number))
    .map((n) => (n ? readPhone(n) : undefined))
    .find(Boolean);
  const ownTags = asList((customer as Loose).tags)
    .map((t) => text(t.name))
    .filter((t): t is string => Boolean(t?.replace(/,/g, '').trim()));
  return {
    email,
    ...(name ? { name } : {}),
    ...(phone ? { phone } : {}),
    tags: [...exportTags, ...ownTags],
    emailConsent: retailcrmEmailConsent(customer),
    phoneConsent: retailcrmPhoneConsent(customer),
  };
}

/** `2024-05-14 12:03:11` (RetailCRM's format, read as UTC: the account's time zone is not in the answer) or ISO → ms. */
export function retailcrmDate(value: unknown): number | undefined {
  const t = text(value);
  if (!t) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?$/.test(t) ? `${t.replace(' ', 'T')}Z` : t;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** When the order was paid: its full payment date, else the latest payment's, else its creation. */
function paidAt(order: Loose): number | undefined {
  const payments = typeof order.payments === 'object' && order.payments !== null ? Object.values(order.payments as Loose) : [];
  const latest = payments
    .map((p) => retailcrmDate((p as Loose | null)?.paidAt))
    .filter((ms): ms is number => ms !== undefined)
    .sort((a, b) => b - a)[0];
  return retailcrmDate(order.fullPaidAt) ?? latest ?? retailcrmDate(order.createdAt);
}

/** The paid order as a purchase with externalId = the order id, or null when nobody's e-mail is on it. */
export function purchaseFromOrder(order: RetailcrmOrder): PurchaseInput | null {
  const o = order as Loose;
  const email = readEmail(order.email) ?? readEmail(order.customer?.email) ?? text(order.email) ?? text(order.customer?.email);
  if (!email) return null;
  const products = asList(o.items)
    .map((item) => {
      const offer = (item.offer ?? {}) as Loose;
      return text(offer.externalId) ?? (typeof offer.id === 'number' ? String(offer.id) : text(item.productName));
    })
    .filter(Boolean)
    .join(',');
  const value = typeof order.totalSumm === 'number' ? order.totalSumm : Number(o.summ ?? 0);
  const date = paidAt(o);
  return {
    email,
    externalId: String(order.id),
    value: Number.isFinite(value) ? value : 0,
    ...(products ? { products } : {}),
    ...(order.site ? { location: order.site } : {}),
    description: `RetailCRM order ${order.number ?? order.id}`,
    ...(date !== undefined ? { date } : {}),
  };
}

/** Payment status codes RetailCRM marks as "payment complete" (`GET /reference/payment-statuses`). */
export function completePaymentStatuses(body: Loose): string[] {
  const statuses = typeof body.paymentStatuses === 'object' && body.paymentStatuses !== null ? Object.entries(body.paymentStatuses as Loose) : [];
  const codes = statuses
    .filter(([, s]) => (s as Loose | null)?.paymentComplete === true && (s as Loose).active !== false)
    .map(([code, s]) => text((s as Loose).code) ?? code);
  if (codes.length === 0) {
    throw new ProviderError({ message: 'RetailCRM has no active payment status marked "payment complete": no order counts as paid', code: 'no_paid_status', retryable: false, provider: 'retailcrm' });
  }
  return codes;
}
