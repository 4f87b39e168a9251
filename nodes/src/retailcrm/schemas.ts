// RetailCRM's order and customer JSON: the commonly mapped fields declared, every other field kept.
import { z } from 'zod';

export const retailcrmPhoneSchema = z.looseObject({ number: z.string().optional() });

export const retailcrmCustomerSchema = z.looseObject({
  id: z.number(),
  externalId: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  patronymic: z.string().optional(),
  email: z.string().optional(),
  phones: z.array(retailcrmPhoneSchema).optional(),
  site: z.string().optional(),
});

export const retailcrmOrderSchema = z.looseObject({
  id: z.number(),
  number: z.string().optional(),
  externalId: z.string().optional(),
  status: z.string().optional(),
  orderMethod: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  phone: z.string().optional(),
  email: z.string().optional(),
  customer: z
    .looseObject({
      id: z.number().optional(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      email: z.string().optional(),
      phones: z.array(retailcrmPhoneSchema).optional(),
    })
    .optional(),
  totalSumm: z.number().optional(),
  site: z.string().optional(),
  createdAt: z.string().optional(),
  items: z.array(z.looseObject({})).optional(),
});

export type RetailcrmOrder = z.infer<typeof retailcrmOrderSchema>;
export type RetailcrmCustomer = z.infer<typeof retailcrmCustomerSchema>;

/** An id as a template gives it: a number, or digits in a string. A new schema per use, since UI hints attach to the instance. */
export function retailcrmIdInput() {
  return z.union([z.number().int().positive(), z.string().trim().regex(/^\d+$/, 'a RetailCRM id is digits only')]);
}
