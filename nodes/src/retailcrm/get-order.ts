// retailcrm.get_order: the full order by its RetailCRM id.
import { z } from 'zod';
import { ProviderError, ui } from '../define.js';
import { retailcrmCall } from './api.js';
import { retailcrm } from './provider.js';
import { retailcrmIdInput, retailcrmOrderSchema } from './schemas.js';

export const retailcrmGetOrder = retailcrm.action({
  id: 'retailcrm.get_order',
  title: 'Get order',
  config: z.object({
    orderId: retailcrmIdInput().register(ui, { title: 'Order id', mappable: true, placeholder: '{{ trigger.id }}' }),
  }),
  output: z.object({ id: z.number(), number: z.string(), status: z.string(), order: retailcrmOrderSchema }),
  effect: 'read',
  async execute(ctx) {
    const id = String(ctx.config.orderId).trim();
    const body = await retailcrmCall(ctx, { method: 'GET', path: `/orders/${id}`, query: { by: 'id' }, site: true });
    const order = retailcrmOrderSchema.safeParse(body.order);
    if (!order.success) {
      throw new ProviderError({ message: `RetailCRM answered order ${id} without an order`, code: 'no_order', retryable: false, provider: 'retailcrm' });
    }
    return { id: order.data.id, number: order.data.number ?? String(order.data.id), status: order.data.status ?? '', order: order.data };
  },
});
