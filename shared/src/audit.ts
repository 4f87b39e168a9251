// GET /api/audit: the audit log's entries (who did what, when), newest first, a page at a time.
import { z } from 'zod';

export * from './audit-kinds.js';

/** An entry's detail: names of what changed, never a value (AuditDetail in roles.ts is what writers may put). */
export const auditDetailSchema = z.object({
  name: z.string().optional(),
  fields: z.array(z.string()).optional(),
  role: z.string().optional(),
  previousRole: z.string().optional(),
  version: z.number().optional(),
  email: z.string().optional(),
  scope: z.string().optional(),
  outcome: z.string().optional(),
});

export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  /** Who did it; the id is null once the user is deleted (the e-mail address stays). Null: no person. */
  user: z.object({ id: z.string().nullable(), email: z.string() }).nullable(),
  kind: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  detail: auditDetailSchema,
});
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

export const AUDIT_PAGE_MAX = 200;

export const auditQuerySchema = z.object({
  userId: z.string().max(64).optional(),
  /** An exact kind (`bundle.saved`) or, ending with a dot, every kind it starts (`bundle.`). */
  kind: z.string().trim().min(1).max(64).regex(/^[a-z_]+(\.[a-z_]*)?$/, 'a kind such as bundle.saved, or a prefix such as bundle.').optional(),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).optional(),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditPageSchema = z.object({ items: z.array(auditEntrySchema), nextCursor: z.string().nullable() });
export type AuditPage = z.infer<typeof auditPageSchema>;
