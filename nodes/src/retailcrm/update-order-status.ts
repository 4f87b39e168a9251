// retailcrm.update_order_status: moves an order to another status.
import { z } from 'zod';
import { ui } from '../define.js';
import { retailcrmCall } from './api.js';
import { retailcrm } from './provider.js';
import { retailcrmIdInput, retailcrmOrderSchema } from './schemas.js';

export const retailcrmUpdateOrderStatus = retailcrm.action({
  id: 'retailcrm.update_order_status',
  title: 'Update order status',
  config: z.object({
    orderId: retailcrmIdInput().register(ui, { title: 'Order id', mappable: true, placeholder: '{{ trigger.id }}' }),
    status: z.string().trim().min(1).register(ui, { title: 'New status', widget: 'select', options: 'statuses', mappable: true }),
  }),
  output: z.object({ id: z.number(), status: z.string(), order: retailcrmOrderSchema.optional() }),
  effect: 'write',
  // Setting the same status twice leaves the order as once.
  idempotent: true,
  async execute(ctx) {
    const id = String(ctx.config.orderId).trim();
    const body = await retailcrmCall(ctx, {
      method: 'POST',
      path: `/orders/${id}/edit`,
      form: { by: 'id', order: { status: ctx.config.status } },
      site: true,
    });
    const order = retailcrmOrderSchema.safeParse(body.order);
    return { id: Number(id), status: ctx.config.status, ...(order.success ? { order: order.data } : {}) };
  },
});
