// The sale a Monetizze postback describes, as flows see it: one schema for the trigger's output, its
// fixtures and the payloads parse builds.
import { z } from 'zod';
import { ui } from '../define.js';

export const monetizzeSaleStatuses = ['awaiting_payment', 'paid', 'cancelled', 'refunded', 'blocked', 'complete', 'abandoned'] as const;
export type MonetizzeSaleStatus = (typeof monetizzeSaleStatuses)[number];

const text = (title: string, description?: string) => z.string().nullable().register(ui, { title, ...(description ? { description } : {}) });

export const monetizzeSaleOutput = z.object({
  saleCode: text('Sale code (venda[codigo])', 'Empty for an abandoned checkout'),
  status: z.enum(monetizzeSaleStatuses).register(ui, { title: 'Status' }),
  statusCode: z
    .number()
    .int()
    .min(1)
    .max(6)
    .nullable()
    .register(ui, { title: 'Status code (venda[codigo_status])', description: '1 awaiting payment … 6 complete; empty for an abandoned checkout' }),
  product: z.object({
    code: text('Product code'),
    name: text('Product name'),
  }),
  buyer: z.object({
    name: text('Buyer name'),
    firstName: text('Buyer first name'),
    email: text('Buyer e-mail'),
    phone: text('Buyer phone (E.164)', 'Empty when the number Monetizze sent could not be read'),
  }),
  value: z.number().nullable().register(ui, { title: 'Value (venda[valor])' }),
  paymentMethod: text('Payment method', 'venda[formaPagamento]: Boleto, Cartão de crédito, Pix, …'),
  boletoUrl: text('Boleto link'),
  boletoLine: text('Boleto line (linha digitável)'),
  checkoutUrl: text('Checkout link (url_recuperacao)', 'Takes the buyer back to the checkout, filled in'),
  abandoned: z.boolean().register(ui, { title: 'Abandoned checkout' }),
});

export type MonetizzeSale = z.infer<typeof monetizzeSaleOutput>;
