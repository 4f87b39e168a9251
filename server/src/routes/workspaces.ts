// /api/workspaces: the caller's workspaces with their role in each, a new one (its maker the owner), switching the session.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrorSchema, WORKSPACE_NAME_MAX, workspaceSummarySchema } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { WorkspaceService } from '../services/workspaces.js';
import { principal, sessionCookie } from '../plugins/auth.js';

/** Drops what every process keeps of removed connections (their webhooks then find nothing). */
type ConnectionsGone = (connectionIds: string[]) => Promise<void>;

export const workspaceRoutes: FastifyPluginAsyncZod<{ db: Db; connectionsGone: ConnectionsGone }> = async (app, { db, connectionsGone }) => {
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
  app.delete(
    '/api/workspaces/:id',
    {
      config: { role: 'owner' },
      schema: {
        tags,
        description:
          "Deletes the workspace the request acts in, with its bundles, connections, runs, messages and members' access; `confirmName` must be its name. An owner's only. Refused (409 last_workspace) when it is the caller's only workspace.",
        params: z.object({ id: z.string().max(100) }),
        body: z.object({ confirmName: z.string().max(1000) }),
        response: { 204: z.null(), 404: apiErrorSchema, 409: apiErrorSchema, 422: apiErrorSchema },
      },
    },
    async (req, reply) => {
      const { connectionIds } = await workspaces.remove(principal(req), req.params.id, req.body.confirmName);
      await connectionsGone(connectionIds);
      return reply.status(204).send(null);
    },
  );
};
