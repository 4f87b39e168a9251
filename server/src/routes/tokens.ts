// /api/tokens: the workspace's API tokens, listed with their last use, made (the value answered once), revoked.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrorSchema, apiTokenInputSchema, apiTokenSchema, createdApiTokenSchema } from '@bundles/shared';
import type { TokenService } from '../services/tokens.js';
import { principal } from '../plugins/auth.js';

export const tokenRoutes: FastifyPluginAsyncZod<{ tokens: TokenService }> = async (app, { tokens }) => {
  const tags = ['tokens'];
  app.get(
    '/api/tokens',
    { config: { role: 'viewer' }, schema: { tags, description: "The workspace's tokens, newest first, without their values.", response: { 200: z.array(apiTokenSchema) } } },
    async (req) => tokens.list(principal(req).workspaceId),
  );
  app.post(
    '/api/tokens',
    {
      config: { role: 'viewer' }, schema: {
        tags,
        description: 'Makes a token; `token` is its value, answered this once (only its hash is kept). Without `expiresInDays` it lives until revoked.',
        body: apiTokenInputSchema,
        response: { 201: createdApiTokenSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await tokens.create(principal(req), req.body)),
  );
  app.delete(
    '/api/tokens/:id',
    { config: { role: 'viewer' }, schema: { tags, description: 'Revokes the token: a request sending it is refused from now on.', params: z.object({ id: z.string() }), response: { 204: z.null().describe('Revoked'), 404: apiErrorSchema } } },
    async (req, reply) => {
      await tokens.revoke(principal(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
};
