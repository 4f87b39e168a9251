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

/** The order's externalId: one per run and node, so the order this step created can be found again. */
export const bundlesExternalId = (runId: string, nodeId: string) => `bundles-${runId}-${nodeId}`;

type CreatedOrder = { id: number; number: string; status: string; order: z.infer<typeof retailcrmOrderSchema> };

function createdOrder(order: z.infer<typeof retailcrmOrderSchema>, status: string): CreatedOrder {
  return { id: order.id, number: order.number ?? String(order.id), status: order.status ?? status, order };
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
    managerComment: z.string().optional().register(ui, { title: 'Manager comment', widget: 'textarea', mappable: true }),
    source: text('Source', { placeholder: 'Tokopedia', description: 'Where the order came from (order[source][source])' }),
  }),
  output: z.object({
    id: z.number(),
    number: z.string(),
    status: z.string(),
    order: retailcrmOrderSchema,
  }),
  effect: 'write',
  // Orders are created with an externalId of our own, so an unknown outcome is looked up by it.
  async reconcile(ctx) {
    const externalId = bundlesExternalId(ctx.runId, ctx.nodeId);
    try {
      const body = await retailcrmCall(ctx, { method: 'GET', path: `/orders/${encodeURIComponent(externalId)}`, query: { by: 'externalId' }, site: true });
      const order = retailcrmOrderSchema.safeParse(body.order);
      if (!order.success) throw new ProviderError({ message: `RetailCRM answered order ${externalId} without an order`, code: 'no_order', retryable: false, provider: 'retailcrm' });
      return { done: true, output: createdOrder(order.data, ctx.config.status ?? '') };
    } catch (err) {
      if (err instanceof ProviderError && err.status === 404) return { done: false };
      throw err;
    }
  },
  async execute(ctx) {
    const c = ctx.config;
    const items = readItems(c.items);
    const customerId = c.customerId === undefined || c.customerId === '' ? undefined : Number(c.customerId);
    const order: Record<string, unknown> = { externalId: bundlesExternalId(ctx.runId, ctx.nodeId) };
    for (const key of ['firstName', 'lastName', 'phone', 'email', 'status', 'orderMethod', 'customerComment', 'managerComment'] as const) {
      const v = present(c[key]);
      if (v) order[key] = v;
    }
    const source = present(c.source);
    if (source) order.source = { source };
    if (customerId) order.customer = { id: customerId };
    if (items) order.items = items;
    const body = await retailcrmCall(ctx, { method: 'POST', path: '/orders/create', form: { order }, site: true });
    const answered = retailcrmOrderSchema.safeParse(body.order);
    return createdOrder(answered.success ? answered.data : { id: Number(body.id), ...order }, String(order.status ?? ''));
  },
});
