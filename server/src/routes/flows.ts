// /api/flows: bundles, their start and stop, export and import.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { flowExportSchema, flowSchema, flowVersionDetailSchema, flowVersionSchema } from '@bundles/shared';
import type { FlowService } from '../services/flows.js';
import type { VersionService } from '../services/versions.js';
import { principal } from '../plugins/auth.js';

const idParams = z.object({ id: z.string() });

export const flowRoutes: FastifyPluginAsyncZod<{ flows: FlowService; versions: VersionService }> = async (app, { flows, versions }) => {
  const tags = ['flows'];
  app.get('/api/flows', { config: { role: 'viewer' }, schema: { tags, response: { 200: z.array(flowSchema) } } }, async (req) => flows.list(principal(req).workspaceId));
  app.post(
    '/api/flows',
    { config: { role: 'editor' }, schema: { tags, body: z.object({ name: z.string().min(1).max(200), graph: z.unknown().optional() }), response: { 201: flowSchema } } },
    async (req, reply) => reply.status(201).send(await flows.create(principal(req).workspaceId, req.body, principal(req))),
  );
  app.post('/api/flows/import', { config: { role: 'editor' }, schema: { tags, body: z.unknown(), response: { 201: flowSchema } } }, async (req, reply) =>
    reply.status(201).send(await flows.importFlow(principal(req).workspaceId, req.body, principal(req))),
  );
  app.get('/api/flows/:id', { config: { role: 'viewer' }, schema: { tags, params: idParams, response: { 200: flowSchema } } }, async (req) => flows.open(principal(req).workspaceId, req.params.id));
  app.put(
    '/api/flows/:id',
    { config: { role: 'editor' }, schema: { tags, params: idParams, body: z.object({ name: z.string().min(1).max(200).optional(), graph: z.unknown().optional() }), response: { 200: flowSchema } } },
    async (req) => flows.update(principal(req).workspaceId, req.params.id, req.body, principal(req)),
  );
  app.delete('/api/flows/:id', { config: { role: 'editor' }, schema: { tags, params: idParams } }, async (req, reply) => {
    await flows.remove(principal(req).workspaceId, req.params.id, principal(req));
    return reply.status(204).send();
  });
  app.post(
    '/api/flows/:id/start',
    {
      config: { role: 'editor' }, schema: {
        tags,
        description: 'Publishes the draft as a new version and runs it; with `version`, runs that earlier version again (a roll back; the draft stays).',
        params: idParams,
        body: z.object({ version: z.number().int().min(1).optional() }).nullish(),
        response: { 200: flowSchema },
      },
    },
    async (req) => {
      const p = principal(req);
      return flows.start(p.workspaceId, req.params.id, { userId: p.userId, by: p, ...(req.body?.version !== undefined ? { version: req.body.version } : {}) });
    },
  );
  const versionParams = z.object({ id: z.string(), version: z.coerce.number().int().min(1) });
  app.get('/api/flows/:id/versions', { config: { role: 'viewer' }, schema: { tags, params: idParams, response: { 200: z.array(flowVersionSchema) } } }, async (req) =>
    versions.list(principal(req).workspaceId, req.params.id),
  );
  app.get('/api/flows/:id/versions/:version', { config: { role: 'viewer' }, schema: { tags, params: versionParams, response: { 200: flowVersionDetailSchema } } }, async (req) =>
    versions.get(principal(req).workspaceId, req.params.id, req.params.version),
  );
  app.post(
    '/api/flows/:id/versions/:version/restore',
    { config: { role: 'editor' }, schema: { tags, description: 'Makes the version the draft again (the live version keeps running).', params: versionParams, response: { 200: flowSchema } } },
    async (req) => versions.restore(principal(req), req.params.id, req.params.version),
  );
  app.post('/api/flows/:id/stop', { config: { role: 'editor' }, schema: { tags, params: idParams, response: { 200: flowSchema } } }, async (req) => flows.stop(principal(req).workspaceId, req.params.id, principal(req)));
  app.post('/api/flows/:id/duplicate', { config: { role: 'editor' }, schema: { tags, params: idParams, response: { 201: flowSchema } } }, async (req, reply) =>
    reply.status(201).send(await flows.duplicate(principal(req).workspaceId, req.params.id, principal(req))),
  );
  app.get('/api/flows/:id/export', { config: { role: 'viewer' }, schema: { tags, params: idParams, response: { 200: flowExportSchema } } }, async (req) =>
    flows.exportFlow(principal(req).workspaceId, req.params.id),
  );
};
