// salesmanago.add_purchase: a PURCHASE external event on the contact, sent once per externalId (the order id).
import { z } from 'zod';
import { ProviderError, ui } from '../define.js';
import { addSalesmanagoPurchase, MAX_EXTERNAL_ID, purchaseKey, type PurchaseInput } from './purchase.js';
import { retailcrmDate } from './retailcrm-rows.js';
import { salesmanago } from './provider.js';

const refuse = (code: string, message: string): never => {
  throw new ProviderError({ message, code, retryable: false, provider: 'salesmanago' });
};

/** ms, seconds, an ISO date or RetailCRM's `2024-05-14 12:03:11` → ms; empty → now. */
function readPurchaseDate(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (Number.isFinite(n)) return n < 1e11 ? n * 1000 : n;
  return retailcrmDate(value) ?? refuse('invalid_date', `"${String(value).slice(0, 40)}" is not a date: write it as 2024-05-14T12:03:11Z or in milliseconds`);
}

const purchaseConfig = z.object({
  email: z.string().trim().min(1).register(ui, { title: 'E-mail', mappable: true, placeholder: '{{ trigger.order.email }}' }),
  externalId: z
    .union([z.string().trim().min(1).max(MAX_EXTERNAL_ID), z.number().int().nonnegative()])
    .register(ui, { title: 'External id', mappable: true, placeholder: '{{ trigger.order.id }}', description: 'The order id: a purchase with an id sent before is not sent again' }),
  value: z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'a number such as 149.90')]).register(ui, { title: 'Value', mappable: true, placeholder: '{{ trigger.order.totalSumm }}' }),
  products: z
    .union([z.string(), z.array(z.union([z.string(), z.number()]))])
    .optional()
    .register(ui, { title: 'Products', mappable: true, description: 'Product ids, comma-separated' }),
  location: z.string().optional().register(ui, { title: 'Location', mappable: true, description: 'The shop, e.g. its code' }),
  description: z.string().optional().register(ui, { title: 'Description', mappable: true }),
  date: z.union([z.string(), z.number()]).optional().register(ui, { title: 'Date', mappable: true, description: 'When it was bought (default: now)' }),
});

function purchaseInput(c: z.infer<typeof purchaseConfig>): PurchaseInput {
  const products = Array.isArray(c.products) ? c.products.map(String).join(',') : c.products;
  const date = readPurchaseDate(c.date);
  return {
    email: c.email,
    externalId: String(c.externalId),
    value: Number(c.value),
    ...(products !== undefined ? { products } : {}),
    ...(c.location !== undefined ? { location: c.location } : {}),
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(date !== undefined ? { date } : {}),
  };
}

export const salesmanagoAddPurchase = salesmanago.action({
  id: 'salesmanago.add_purchase',
  title: 'Add purchase',
  description: 'Adds a purchase to the contact’s history in SALESmanago, once per external id.',
  config: purchaseConfig,
  output: z.object({
    eventId: z.string().register(ui, { title: 'Event id' }),
    duplicate: z.boolean().register(ui, { title: 'Sent before', description: 'true: this external id was sent before, nothing was sent now' }),
  }),
  effect: 'write',
  // SALESmanago stores a purchase posted twice twice; our ledger makes it once per externalId.
  idempotent: false,
  async reconcile(ctx) {
    const recorded = await ctx.ledger.get(purchaseKey(String(ctx.config.externalId).trim()));
    const eventId = (recorded?.value as { eventId?: unknown } | null | undefined)?.eventId;
    if (recorded) return { done: true, output: { eventId: typeof eventId === 'string' ? eventId : '', duplicate: false } };
    return refuse(
      'cannot_reconcile',
      'SALESmanago cannot be asked whether the purchase arrived: look for it on the contact’s card in SALESmanago, then mark the step done or send it again',
    );
  },
  async execute(ctx) {
    return addSalesmanagoPurchase(ctx, purchaseInput(ctx.config));
  },
});
