// /api/flows: bundles, their start and stop, export and import.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { flowExportSchema, flowSchema } from '@bundles/shared';
import type { FlowService } from '../services/flows.js';
import { principal } from '../plugins/auth.js';

const idParams = z.object({ id: z.string() });

export const flowRoutes: FastifyPluginAsyncZod<{ flows: FlowService }> = async (app, { flows }) => {
  const tags = ['flows'];
  app.get('/api/flows', { schema: { tags, response: { 200: z.array(flowSchema) } } }, async (req) => flows.list(principal(req).workspaceId));
  app.post(
    '/api/flows',
    { schema: { tags, body: z.object({ name: z.string().min(1).max(200), graph: z.unknown().optional() }), response: { 201: flowSchema } } },
    async (req, reply) => reply.status(201).send(await flows.create(principal(req).workspaceId, req.body)),
  );
  app.post('/api/flows/import', { schema: { tags, body: z.unknown(), response: { 201: flowSchema } } }, async (req, reply) =>
    reply.status(201).send(await flows.importFlow(principal(req).workspaceId, req.body)),
  );
  app.get('/api/flows/:id', { schema: { tags, params: idParams, response: { 200: flowSchema } } }, async (req) => flows.get(principal(req).workspaceId, req.params.id));
  app.put(
    '/api/flows/:id',
    { schema: { tags, params: idParams, body: z.object({ name: z.string().min(1).max(200).optional(), graph: z.unknown().optional() }), response: { 200: flowSchema } } },
    async (req) => flows.update(principal(req).workspaceId, req.params.id, req.body),
  );
  app.delete('/api/flows/:id', { schema: { tags, params: idParams } }, async (req, reply) => {
    await flows.remove(principal(req).workspaceId, req.params.id);
    return reply.status(204).send();
  });
  app.post('/api/flows/:id/start', { schema: { tags, params: idParams, response: { 200: flowSchema } } }, async (req) => flows.start(principal(req).workspaceId, req.params.id));
  app.post('/api/flows/:id/stop', { schema: { tags, params: idParams, response: { 200: flowSchema } } }, async (req) => flows.stop(principal(req).workspaceId, req.params.id));
  app.post('/api/flows/:id/duplicate', { schema: { tags, params: idParams, response: { 201: flowSchema } } }, async (req, reply) =>
    reply.status(201).send(await flows.duplicate(principal(req).workspaceId, req.params.id)),
  );
  app.get('/api/flows/:id/export', { schema: { tags, params: idParams, response: { 200: flowExportSchema } } }, async (req) =>
    flows.exportFlow(principal(req).workspaceId, req.params.id),
  );
};
