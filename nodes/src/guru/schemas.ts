// What Guru's triggers put out: one zod schema each, shared parts once. Every field is always there (null when
// Guru left it out), so templates such as {{ trigger.contact.firstName }} never hit a missing variable.
import { z } from 'zod';
import { ui } from '../define.js';

/** Sale statuses (PROVIDERS.md, Guru's status list). */
export const GURU_SALE_STATUSES = [
  'abandoned', 'analysis', 'approved', 'billet_printed', 'blocked', 'canceled', 'chargeback', 'charging', 'completed', 'delayed',
  'dispute', 'expired', 'failed', 'in_recovery', 'pending', 'pending_transfer', 'processing', 'refunded', 'rejected', 'scheduled',
  'started', 'transferred', 'trial', 'waiting_payment',
] as const;

/** Subscription `last_status` values. */
export const GURU_SUBSCRIPTION_STATUSES = ['active', 'canceled', 'expired', 'inactive', 'pastdue', 'started', 'trial'] as const;

const text = (title: string, description?: string) => z.string().nullable().register(ui, { title, ...(description ? { description } : {}) });
const amount = (title: string) => z.number().nullable().register(ui, { title });

/** A buyer or subscriber (a new schema per use: a schema's UI title is registered on the instance). */
const person = (title: string) =>
  z
    .object({
      id: text('Contact id'),
      name: text('Name'),
      firstName: text('First name', 'The first word of the name'),
      email: text('E-mail'),
      phone: text('Phone (E.164)', 'From phone_local_code + phone_number, e.g. +5511987654321; null when it is no valid number'),
      doc: text('Document (CPF/CNPJ)'),
    })
    .register(ui, { title });

export const guruProductSchema = z.object({
  id: text('Product id'),
  internalId: text('Internal id'),
  marketplaceId: text('Marketplace id'),
  name: text('Product name'),
  offer: z.object({ id: text('Offer id'), name: text('Offer name') }).nullable().register(ui, { title: 'Offer' }),
});

export const guruTransactionOutput = z.object({
  id: z.string().register(ui, { title: 'Transaction id' }),
  status: z.string().register(ui, { title: 'Status', description: 'The sale status now, e.g. approved, refunded' }),
  contact: person('Buyer'),
  product: guruProductSchema.extend({
    type: text('Product type'),
    qty: amount('Quantity'),
    unitValue: amount('Unit value'),
    totalValue: amount('Total value'),
  }),
  payment: z.object({
    method: text('Payment method', 'credit_card, pix, billet, …'),
    currency: text('Currency'),
    total: amount('Total'),
    net: amount('Net'),
    installments: amount('Installments'),
    refuseReason: text('Refusal reason'),
    refundReason: text('Refund reason'),
  }),
  checkoutUrl: text('Checkout URL'),
  subscriptionCode: text('Subscription code', 'When the sale belongs to a subscription'),
  source: z.object({
    source: text('Source'),
    checkoutSource: text('Checkout source'),
    utmSource: text('utm_source'),
    utmMedium: text('utm_medium'),
    utmCampaign: text('utm_campaign'),
    utmContent: text('utm_content'),
    utmTerm: text('utm_term'),
  }),
  dates: z.object({
    orderedAt: text('Ordered at'),
    confirmedAt: text('Confirmed at'),
    canceledAt: text('Canceled at'),
    createdAt: text('Created at'),
    updatedAt: text('Updated at'),
    expiresAt: text('Expires at'),
    warrantyUntil: text('Warranty until'),
  }),
});

export const guruSubscriptionOutput = z.object({
  subscriptionCode: z.string().register(ui, { title: 'Subscription code' }),
  id: text('Subscription id'),
  name: text('Subscription name'),
  status: z.string().register(ui, { title: 'Status', description: 'last_status: active, canceled, pastdue, …' }),
  subscriber: person('Subscriber'),
  product: guruProductSchema,
  lastTransaction: z
    .object({ id: text('Transaction id'), status: text('Status'), url: text('URL') })
    .nullable()
    .register(ui, { title: 'Last transaction' }),
  cancelReason: text('Cancel reason'),
  dates: z.object({
    startedAt: text('Started at'),
    lastStatusAt: text('Last status at'),
    canceledAt: text('Canceled at'),
    cycleStartDate: text('Cycle start'),
    cycleEndDate: text('Cycle end'),
    nextCycleAt: text('Next cycle at'),
  }),
});

export type GuruTransactionPayload = z.infer<typeof guruTransactionOutput>;
export type GuruSubscriptionPayload = z.infer<typeof guruSubscriptionOutput>;
