// /api/users: the workspace's members (admin): listed, their role changed, removed.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrorSchema, memberRoleInputSchema, memberSchema } from '@bundles/shared';
import type { MemberService } from '../services/members.js';
import { principal } from '../plugins/auth.js';

export const memberRoutes: FastifyPluginAsyncZod<{ members: MemberService }> = async (app, { members }) => {
  const tags = ['members'];
  const params = z.object({ id: z.string().max(100) });
  app.get(
    '/api/users',
    { config: { role: 'admin' }, schema: { tags, description: "The workspace's members with their roles, oldest first.", response: { 200: z.array(memberSchema) } } },
    async (req) => members.list(principal(req).workspaceId),
  );
  app.patch(
    '/api/users/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        description: 'Changes a member’s role. Only an owner makes or unmakes an owner; the last owner stays one (409 last_owner); nobody raises their own role.',
        params,
        body: memberRoleInputSchema,
        response: { 200: memberSchema, 403: apiErrorSchema, 404: apiErrorSchema, 409: apiErrorSchema },
      },
    },
    async (req) => members.setRole(principal(req), req.params.id, req.body.role),
  );
  app.delete(
    '/api/users/:id',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        description: 'Removes the member; their API tokens of this workspace and their sessions in it stop working at once. Removing an owner needs an owner, and never the last.',
        params,
        response: { 204: z.null().describe('Removed'), 403: apiErrorSchema, 404: apiErrorSchema, 409: apiErrorSchema },
      },
    },
    async (req, reply) => {
      await members.remove(principal(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
};
