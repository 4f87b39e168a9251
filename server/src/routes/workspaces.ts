// /api/workspaces: the caller's workspaces with their role in each, a new one (its maker the owner), switching the session.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrorSchema, WORKSPACE_NAME_MAX, workspaceSummarySchema } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { WorkspaceService } from '../services/workspaces.js';
import { principal, sessionCookie } from '../plugins/auth.js';

export const workspaceRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  const workspaces = new WorkspaceService(db);
  const tags = ['workspaces'];
  app.get(
    '/api/workspaces',
    { config: { role: 'viewer' }, schema: { tags, description: "The caller's workspaces, with their role in each; `current` is the one this request acts in.", response: { 200: z.array(workspaceSummarySchema) } } },
    async (req) => workspaces.list(principal(req)),
  );
  app.post(
    '/api/workspaces',
    {
      config: { role: 'viewer' }, schema: {
        tags,
        description: 'Makes a workspace with the default settings; the caller becomes its owner. The session stays where it is until it switches.',
        body: z.object({ name: z.string().trim().min(1).max(WORKSPACE_NAME_MAX) }),
        response: { 201: workspaceSummarySchema },
      },
    },
    async (req, reply) => reply.status(201).send(await workspaces.create(principal(req), req.body.name)),
  );
  app.post(
    '/api/workspaces/:id/switch',
    {
      config: { role: 'viewer' }, schema: {
        tags,
        description: "Moves the session to another of the caller's workspaces (where the next login starts too). An API token cannot switch: 400 token_cannot_switch.",
        params: z.object({ id: z.string().max(100) }),
        response: { 200: workspaceSummarySchema, 400: apiErrorSchema, 404: apiErrorSchema },
      },
    },
    async (req) => workspaces.switchTo(principal(req), req.params.id, req.cookies[sessionCookie]),
  );
};
