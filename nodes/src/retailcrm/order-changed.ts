// retailcrm.order_changed: an order was created or changed status (RetailCRM trigger → HTTP request to our webhook).
import { z } from 'zod';
import { ProviderError, ui } from '../define.js';
import { retailcrmCall } from './api.js';
import { retailcrm, RETAILCRM_ORDER_EVENT } from './provider.js';
import { retailcrmOrderSchema } from './schemas.js';
import { retailcrmOrderChangedFixtures } from './fixtures/order-changed.js';

const eventKinds = ['new', 'status'] as const;

export const retailcrmOrderChangedOutput = z.object({
  /** The order id exactly as the trigger sent it, as a string (form fields are strings). */
  id: z.string().register(ui, { title: 'Order id' }),
  /** The new status code; empty when the trigger's template had no status (e.g. some creations). */
  status: z.string().register(ui, { title: 'Status code' }),
  event: z.enum(eventKinds).register(ui, { title: 'Event', description: 'new = order created, status = status changed' }),
  type: z.string().optional(),
  order: retailcrmOrderSchema.optional().register(ui, { title: 'Order', description: 'The full order, when "Load the full order" is on' }),
});

/** What the webhook itself carries: built once (zod compiles a schema on its first parse). */
const webhookPayload = retailcrmOrderChangedOutput.omit({ order: true });

export const retailcrmOrderChanged = retailcrm.trigger({
  id: 'retailcrm.order_changed',
  title: 'Order created or status changed',
  description: 'Starts when RetailCRM’s trigger posts an order change to this connection’s webhook URL.',
  event: RETAILCRM_ORDER_EVENT,
  config: z.object({
    events: z
      .array(z.enum(eventKinds))
      .default(['new', 'status'])
      .register(ui, { title: 'Events', widget: 'multiselect', description: 'new = order created, status = status changed; none = any' }),
    statuses: z
      .array(z.string().min(1))
      .default([])
      .register(ui, { title: 'Statuses', widget: 'multiselect', options: 'statuses', description: 'Only these new statuses; none = any' }),
    loadOrder: z
      .boolean()
      .default(false)
      .register(ui, { title: 'Load the full order', widget: 'switch', description: 'Fetch the order so the customer’s name, phone and items can be mapped' }),
  }),
  output: retailcrmOrderChangedOutput,
  match(payload, config) {
    const events: readonly string[] = config.events ?? [];
    const statuses: readonly string[] = config.statuses ?? [];
    if (events.length > 0 && !events.includes(String(payload.event))) return false;
    if (statuses.length > 0 && !statuses.includes(String(payload.status ?? ''))) return false;
    return true;
  },
  loads: (config) => config.loadOrder,
  outputWhen: { order: { loadOrder: true } },
  async load(ctx) {
    const payload = webhookPayload.parse(ctx.payload);
    if (!ctx.config.loadOrder) return payload;
    const body = await retailcrmCall(ctx, { method: 'GET', path: `/orders/${encodeURIComponent(payload.id)}`, query: { by: 'id' }, site: true });
    const order = retailcrmOrderSchema.safeParse(body.order);
    if (!order.success) {
      throw new ProviderError({ message: `RetailCRM answered order ${payload.id} without an order`, code: 'no_order', retryable: false, provider: 'retailcrm' });
    }
    return { ...payload, order: order.data };
  },
  // The webhook carries no phone: a rule loads the order for it.
  statusRules: { scope: 'sales', statusesField: 'statuses', buyerPhone: '{{ trigger.order.phone }}', fixedConfig: { events: ['status'], loadOrder: true } },
  fixtures: retailcrmOrderChangedFixtures,
});
