// The one error shape of the API, and the issues a flow validation reports.
import { z } from 'zod';

export const apiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export type ApiErrorBody = z.infer<typeof apiErrorSchema>;

export const flowIssueSchema = z.object({
  nodeId: z.string().optional(),
  field: z.string().optional(),
  message: z.string(),
});
export type FlowIssue = z.infer<typeof flowIssueSchema>;
