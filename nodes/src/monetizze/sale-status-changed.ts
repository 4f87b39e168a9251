// monetizze.sale_status_changed: a sale moved to a status (boleto issued, paid, …) or a checkout was abandoned.
import { z } from 'zod';
import { ui } from '../define.js';
import { monetizze, MONETIZZE_SALE_EVENT } from './provider.js';
import { monetizzeSaleOutput, monetizzeSaleStatuses } from './schemas.js';
import { monetizzeSaleFixtures } from './fixtures/postbacks.js';

export const monetizzeSaleStatusChanged = monetizze.trigger({
  id: 'monetizze.sale_status_changed',
  title: 'Sale status changed',
  description: 'Starts when Monetizze posts a sale: boleto issued, paid, cancelled, refunded, blocked, complete, or an abandoned checkout.',
  event: MONETIZZE_SALE_EVENT,
  config: z.object({
    statuses: z
      .array(z.enum(monetizzeSaleStatuses))
      .default([])
      .register(ui, { title: 'Statuses', widget: 'multiselect', description: 'awaiting_payment = boleto issued, abandoned = checkout left unpaid; none = any' }),
    productCodes: z
      .array(z.string().trim().min(1))
      .default([])
      .register(ui, { title: 'Product codes', description: 'Monetizze product codes (produto[codigo]); none = any' }),
  }),
  output: monetizzeSaleOutput,
  match(payload, config) {
    const statuses: readonly string[] = config.statuses ?? [];
    const codes: readonly string[] = config.productCodes ?? [];
    if (statuses.length > 0 && !statuses.includes(String(payload.status))) return false;
    const product = payload.product as { code?: unknown } | undefined;
    if (codes.length > 0 && !codes.includes(String(product?.code ?? ''))) return false;
    return true;
  },
  statusRules: { scope: 'sales', statusesField: 'statuses', productsField: 'productCodes', buyerPhone: '{{ trigger.buyer.phone }}' },
  fixtures: monetizzeSaleFixtures,
});
