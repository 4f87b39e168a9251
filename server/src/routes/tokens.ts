// /api/tokens: API tokens with a scope, listed with their last use (an admin sees the workspace's), made (the value answered once), revoked.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrorSchema, apiTokenInputSchema, apiTokenSchema, createdApiTokenSchema } from '@bundles/shared';
import type { TokenService } from '../services/tokens.js';
import { principal } from '../plugins/auth.js';

export const tokenRoutes: FastifyPluginAsyncZod<{ tokens: TokenService }> = async (app, { tokens }) => {
  const tags = ['tokens'];
  app.get(
    '/api/tokens',
    { config: { role: 'viewer' }, schema: { tags, description: "The tokens, newest first, without their values: an admin's list has every member's token of the workspace, anyone else's only their own.", response: { 200: z.array(apiTokenSchema) } } },
    async (req) => tokens.list(principal(req)),
  );
  app.post(
    '/api/tokens',
    {
      config: { role: 'viewer' }, schema: {
        tags,
        description:
          'Makes a token of the caller; `token` is its value, answered this once (only its hash is kept). `scope` defaults to the widest the caller may give (admin for an admin or owner, write for an editor, read for a viewer); a wider one is refused with 403 forbidden. Without `expiresInDays` it lives until revoked.',
        body: apiTokenInputSchema,
        response: { 201: createdApiTokenSchema, 403: apiErrorSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await tokens.create(principal(req), req.body)),
  );
  app.delete(
    '/api/tokens/:id',
    { config: { role: 'viewer' }, schema: { tags, description: 'Revokes the token (an admin any of the workspace, anyone else their own): a request sending it is refused from now on.', params: z.object({ id: z.string() }), response: { 204: z.null().describe('Revoked'), 404: apiErrorSchema } } },
    async (req, reply) => {
      await tokens.revoke(principal(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
};
