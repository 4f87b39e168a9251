// guru.transaction_status_changed: a sale was created or moved to another status (approved, refunded, …).
import { z } from 'zod';
import { ui } from '../define.js';
import { GURU_TRANSACTION_EVENT, guruTransactionPayload } from './events.js';
import { guruTransactionApproved, guruTransactionRefunded, guruTransactionWaitingPix } from './fixtures/transaction.js';
import { guru } from './provider.js';
import { GURU_SALE_STATUSES, guruTransactionOutput } from './schemas.js';

/** Whether the product is one of `ids`, by any of the ids Guru shows for it. */
export function guruProductIn(product: unknown, ids: readonly string[]): boolean {
  if (typeof product !== 'object' || product === null) return false;
  const p = product as Record<string, unknown>;
  return [p.id, p.internalId, p.marketplaceId].some((id) => typeof id === 'string' && ids.includes(id));
}

export const guruTransactionStatusChanged = guru.trigger({
  id: 'guru.transaction_status_changed',
  title: 'Sale status changed',
  description: 'Starts when Guru posts a sale in a new status. The same status posted again starts nothing.',
  event: GURU_TRANSACTION_EVENT,
  config: z.object({
    statuses: z
      .array(z.enum(GURU_SALE_STATUSES))
      .default([])
      .register(ui, { title: 'Statuses', widget: 'multiselect', description: 'Only sales now in one of these statuses; none = any' }),
    productIds: z
      .array(z.string().trim().min(1))
      .default([])
      .register(ui, { title: 'Products', widget: 'multiselect', placeholder: 'Product ids, comma-separated', description: 'Only these products (Guru product id, internal id or marketplace id); none = any' }),
  }),
  output: guruTransactionOutput,
  match(payload, config) {
    const statuses: readonly string[] = config.statuses ?? [];
    const productIds: readonly string[] = config.productIds ?? [];
    if (statuses.length > 0 && !statuses.includes(String(payload.status))) return false;
    return productIds.length === 0 || guruProductIn(payload.product, productIds);
  },
  statusRules: { scope: 'sales', statusesField: 'statuses', productsField: 'productIds', buyerPhone: '{{ trigger.contact.phone }}' },
  fixtures: [guruTransactionApproved, guruTransactionRefunded, guruTransactionWaitingPix].map(guruTransactionPayload),
});
