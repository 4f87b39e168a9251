// retailcrm.create_order: a new order ("deal") with the buyer's contact and optional items.
import { z } from 'zod';
import { ProviderError, ui } from '../define.js';
import { retailcrmCall } from './api.js';
import { retailcrm } from './provider.js';
import { retailcrmIdInput, retailcrmOrderSchema } from './schemas.js';

const text = (title: string, extra: { placeholder?: string; description?: string } = {}) =>
  z.string().optional().register(ui, { title, mappable: true, ...extra });

/** Items as RetailCRM takes them: `[{"productName":"…","quantity":1,"initialPrice":4990,"offer":{"externalId":"…"}}]`. */
function readItems(items: unknown): unknown[] | undefined {
  if (items === undefined || items === null || items === '') return undefined;
  let value = items;
  if (typeof items === 'string') {
    try {
      value = JSON.parse(items);
    } catch {
      throw new ProviderError({ message: 'Items must be a JSON list, e.g. [{"productName":"T-shirt","quantity":1,"initialPrice":4990}]', code: 'invalid_items', retryable: false, provider: 'retailcrm' });
    }
  }
  if (!Array.isArray(value)) {
    throw new ProviderError({ message: 'Items must be a JSON list of order items', code: 'invalid_items', retryable: false, provider: 'retailcrm' });
  }
  return value;
}

function present(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

export const retailcrmCreateOrder = retailcrm.action({
  id: 'retailcrm.create_order',
  title: 'Create order',
  description: 'Creates a new order (a new deal) in RetailCRM.',
  config: z.object({
    firstName: text('First name'),
    lastName: text('Last name'),
    phone: text('Phone', { placeholder: '+79001234567' }),
    email: text('E-mail'),
    customerId: z
      .union([retailcrmIdInput(), z.literal('')])
      .optional()
      .register(ui, { title: 'Customer id', mappable: true, placeholder: '{{ steps.customer.id }}' }),
    status: z.string().optional().register(ui, { title: 'Status', widget: 'select', options: 'statuses', description: 'Empty = the account’s default for new orders' }),
    orderMethod: text('Order method', { placeholder: 'phone' }),
    items: z
      .union([z.string(), z.array(z.any())])
      .optional()
      .register(ui, { title: 'Items (JSON)', widget: 'textarea', mappable: true, placeholder: '[{"productName":"T-shirt","quantity":1,"initialPrice":4990}]' }),
    customerComment: z.string().optional().register(ui, { title: 'Customer comment', widget: 'textarea', mappable: true }),
  }),
  output: z.object({
    id: z.number(),
    number: z.string(),
    status: z.string(),
    order: retailcrmOrderSchema,
  }),
  async execute(ctx) {
    const c = ctx.config;
    const items = readItems(c.items);
    const customerId = c.customerId === undefined || c.customerId === '' ? undefined : Number(c.customerId);
    const order: Record<string, unknown> = {};
    for (const key of ['firstName', 'lastName', 'phone', 'email', 'status', 'orderMethod', 'customerComment'] as const) {
      const v = present(c[key]);
      if (v) order[key] = v;
    }
    if (customerId) order.customer = { id: customerId };
    if (items) order.items = items;
    const body = await retailcrmCall(ctx, { method: 'POST', path: '/orders/create', form: { order }, site: true });
    const answered = retailcrmOrderSchema.safeParse(body.order);
    const full = answered.success ? answered.data : { id: Number(body.id), ...order };
    return { id: full.id, number: full.number ?? String(full.id), status: full.status ?? String(order.status ?? ''), order: full };
  },
});
