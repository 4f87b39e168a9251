// Guru's webhook bodies → events: a transaction or a subscription in the state Guru says it is in now.
import { WebhookParseError, type ParsedEvent } from '../define.js';
import { guruPhoneE164 } from './phone.js';
import { dateField, field, firstNameOf, isObject, keyPart, numberField, objectField, textField, type JsonObject } from './read.js';
import type { GuruSubscriptionPayload, GuruTransactionPayload } from './schemas.js';

export const GURU_TRANSACTION_EVENT = 'guru.transaction';
export const GURU_SUBSCRIPTION_EVENT = 'guru.subscription';

function personOf(source: JsonObject, fallback: JsonObject = {}) {
  const pick = (name: string) => textField(source, name) ?? textField(fallback, name);
  const name = pick('name');
  const phoneFrom = textField(source, 'phone_number') ? source : fallback;
  return {
    id: pick('id'),
    name,
    firstName: firstNameOf(name),
    email: pick('email'),
    phone: guruPhoneE164(field(phoneFrom, 'phone_local_code'), field(phoneFrom, 'phone_number')),
    doc: pick('doc'),
  };
}

function productOf(product: JsonObject) {
  const offer = field(product, 'offer');
  return {
    id: textField(product, 'id'),
    internalId: textField(product, 'internal_id'),
    marketplaceId: textField(product, 'marketplace_id'),
    name: textField(product, 'name'),
    offer: isObject(offer) ? { id: textField(offer, 'id'), name: textField(offer, 'name') } : null,
  };
}

export function guruTransactionPayload(body: JsonObject): GuruTransactionPayload {
  const id = textField(body, 'id');
  const status = textField(body, 'status');
  if (!id || !status) throw new WebhookParseError(`Guru transaction webhook without ${id ? 'status' : 'id'}`);
  const product = objectField(body, 'product');
  const payment = objectField(body, 'payment');
  const source = objectField(body, 'source');
  const dates = objectField(body, 'dates');
  return {
    id,
    status,
    contact: personOf(objectField(body, 'contact')),
    product: {
      ...productOf(product),
      type: textField(product, 'type'),
      qty: numberField(product, 'qty'),
      unitValue: numberField(product, 'unit_value'),
      totalValue: numberField(product, 'total_value'),
    },
    payment: {
      method: textField(payment, 'method'),
      currency: textField(payment, 'currency'),
      total: numberField(payment, 'total'),
      net: numberField(payment, 'net'),
      installments: numberField(objectField(payment, 'installments'), 'qty'),
      refuseReason: textField(payment, 'refuse_reason'),
      refundReason: textField(payment, 'refund_reason'),
    },
    checkoutUrl: textField(body, 'checkout_url'),
    subscriptionCode: textField(objectField(body, 'subscription'), 'subscription_code'),
    source: {
      source: textField(source, 'source'),
      checkoutSource: textField(source, 'checkout_source'),
      utmSource: textField(source, 'utm_source'),
      utmMedium: textField(source, 'utm_medium'),
      utmCampaign: textField(source, 'utm_campaign'),
      utmContent: textField(source, 'utm_content'),
      utmTerm: textField(source, 'utm_term'),
    },
    dates: {
      orderedAt: dateField(dates, 'ordered_at'),
      confirmedAt: dateField(dates, 'confirmed_at'),
      canceledAt: dateField(dates, 'canceled_at'),
      createdAt: dateField(dates, 'created_at'),
      updatedAt: dateField(dates, 'updated_at'),
      expiresAt: dateField(dates, 'expires_at'),
      warrantyUntil: dateField(dates, 'warranty_until'),
    },
  };
}

export function guruSubscriptionPayload(body: JsonObject): GuruSubscriptionPayload {
  // subscription_code names the subscription; `id` stands in when it is missing (guessed: examples carry both).
  const subscriptionCode = textField(body, 'subscription_code') ?? textField(body, 'id');
  const status = textField(body, 'last_status');
  if (!subscriptionCode || !status) throw new WebhookParseError(`Guru subscription webhook without ${subscriptionCode ? 'last_status' : 'subscription_code'}`);
  const last = objectField(body, 'last_transaction');
  const lastTransaction = { id: textField(last, 'id'), status: textField(last, 'status'), url: textField(last, 'url') };
  const dates = objectField(body, 'dates');
  const product = field(body, 'product');
  return {
    subscriptionCode,
    id: textField(body, 'id'),
    name: textField(body, 'name'),
    status,
    // The subscriber's own fields first; a full last transaction's contact fills the gaps.
    subscriber: personOf(objectField(body, 'subscriber'), objectField(last, 'contact')),
    product: productOf(isObject(product) ? product : objectField(last, 'product')),
    lastTransaction: lastTransaction.id || lastTransaction.status || lastTransaction.url ? lastTransaction : null,
    cancelReason: textField(body, 'cancel_reason'),
    dates: {
      startedAt: dateField(dates, 'started_at'),
      lastStatusAt: dateField(dates, 'last_status_at'),
      canceledAt: dateField(dates, 'canceled_at'),
      cycleStartDate: dateField(dates, 'cycle_start_date'),
      cycleEndDate: dateField(dates, 'cycle_end_date'),
      nextCycleAt: dateField(dates, 'next_cycle_at'),
    },
  };
}

/** One body → its events. Keys are the state the transaction or subscription is in now (`keyKind: 'state'`). */
export function guruEvents(body: JsonObject): ParsedEvent[] {
  const type = textField(body, 'webhook_type');
  if (type === 'transaction') {
    const payload = guruTransactionPayload(body);
    const subject = `transaction:${keyPart(payload.id)}`;
    return [{ type: GURU_TRANSACTION_EVENT, dedupeKey: `${subject}:${keyPart(payload.status)}`, keyKind: 'state', subject, payload }];
  }
  if (type === 'subscription') {
    const payload = guruSubscriptionPayload(body);
    const subject = `subscription:${keyPart(payload.subscriptionCode)}`;
    return [{ type: GURU_SUBSCRIPTION_EVENT, dedupeKey: `${subject}:${keyPart(payload.status)}`, keyKind: 'state', subject, payload }];
  }
  if (type === null) throw new WebhookParseError('Guru webhook without webhook_type');
  // eticket, webhook_deactivation and types Guru may add later: nothing to run, and a 200 so Guru does not retry.
  return [];
}
