// Status rules: "when a sale (or subscription) of this connection reaches one of these statuses, send this
// message". Each rule is a bundle underneath, built and kept up to date by the Status messages screen.
import { z } from 'zod';

export const statusRuleKinds = ['sms', 'whatsapp'] as const;
export const statusRuleScopes = ['sales', 'subscriptions'] as const;
export const MAX_RULE_DELAY_SECONDS = 90 * 24 * 3600;

const text = (max: number) => z.string().trim().min(1).max(max);

/** What `POST` and `PUT /api/connections/:id/status-rules` take. */
export const statusRuleInputSchema = z.object({
  kind: z.enum(statusRuleKinds),
  scope: z.enum(statusRuleScopes).default('sales'),
  statuses: z.array(text(100)).min(1, 'choose at least one status').max(50),
  /** The Twilio or WhatsApp connection that sends. */
  senderConnectionId: z.string().uuid('choose the connection that sends'),
  /** The number it sends from (a WhatsApp Cloud connection sends from its own number and needs none). */
  sender: text(100).optional(),
  /** Default: the buyer's phone. */
  to: text(500).optional(),
  message: text(1600).optional(),
  template: text(512).optional(),
  language: text(20).optional(),
  /** The template's variables: by number ("1" → value), values may insert fields. */
  variables: z.record(z.string().regex(/^\d{1,2}$/, 'variables are numbered 1, 2, …'), z.string().max(1000)).optional(),
  delaySeconds: z.number().int().min(0).max(MAX_RULE_DELAY_SECONDS).optional(),
  productIds: z.array(text(100)).max(100).optional(),
  maxSegments: z.number().int().min(1).max(10).optional(),
  /** Whether the rule runs (its bundle is started); default true. */
  active: z.boolean().optional(),
});
export type StatusRuleInput = z.infer<typeof statusRuleInputSchema>;

export const statusRuleSchema = statusRuleInputSchema.extend({
  id: z.string(),
  connectionId: z.string(),
  flowId: z.string(),
  /** The bundle's status: a running rule sends. */
  status: z.enum(['draft', 'running', 'stopped']),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type StatusRule = z.infer<typeof statusRuleSchema>;
