// /api/audit: the workspace's audit log (who did what, when), for its admins.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrorSchema, auditPageSchema, auditQuerySchema } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { AuditLogService } from '../services/audit-log.js';
import { principal } from '../plugins/auth.js';

export const auditRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  const audit = new AuditLogService(db);
  app.get(
    '/api/audit',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['audit'],
        description:
          'Who did what, newest first, a page at a time. `userId`: by that user; `kind`: one kind (`bundle.saved`) or, ending with a dot, all kinds it starts (`bundle.`); `from`/`to`: in that time (ISO 8601); `cursor`: the `nextCursor` of the previous page (another value is a 400 `invalid_cursor`); `limit`: 1 to 200, default 50. Details name what changed, never its value.',
        querystring: auditQuerySchema,
        response: { 200: auditPageSchema, 400: apiErrorSchema },
      },
    },
    async (req) => audit.list(principal(req).workspaceId, req.query),
  );
};
