// /api/templates: the gallery's ready bundles, and making a bundle from one with the caller's connections.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { bundleTemplateSchema, flowSchema, useTemplateBodySchema } from '@bundles/shared';
import type { TemplateService } from '../templates/service.js';
import { principal } from '../plugins/auth.js';

export const templateRoutes: FastifyPluginAsyncZod<{ templates: TemplateService }> = async (app, { templates }) => {
  const tags = ['templates'];
  app.get('/api/templates', { config: { role: 'viewer' }, schema: { tags, response: { 200: z.array(bundleTemplateSchema) } } }, async (req) => {
    principal(req);
    return templates.list();
  });
  app.post(
    '/api/templates/:id/use',
    { config: { role: 'editor' }, schema: { tags, params: z.object({ id: z.string().max(100) }), body: useTemplateBodySchema, response: { 201: flowSchema } } },
    async (req, reply) => reply.status(201).send(await templates.use(principal(req).workspaceId, req.params.id, req.body, principal(req))),
  );
};
