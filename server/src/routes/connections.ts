// /api/connections: credentials, their test, option lists and webhook deliveries.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { connectionSchema, connectionUsageSchema, deliverySchema, exportSchema, roleAtLeast, type Connection } from '@bundles/shared';
import type { ConnectionService } from '../services/connections.js';
import type { ExportService } from '../services/exports.js';
import { principal } from '../plugins/auth.js';

const idParams = z.object({ id: z.string() });

/** One choice of an option list (OptionItem in @bundles/nodes). */
const optionItemSchema = z.object({
  value: z.string(),
  label: z.string(),
  description: z.string().optional(),
  disabled: z.boolean().optional(),
  disabledReason: z.string().optional(),
  sets: z.record(z.string(), z.string()).optional(),
  details: z
    .object({
      text: z.string().optional(),
      variables: z.array(z.object({ key: z.string(), type: z.string().optional(), example: z.string().optional() })).optional(),
      languages: z.array(z.string()).optional(),
    })
    .optional(),
});

/**
 * A connection as a role below admin sees it in the list: its name, provider and health, to pick it in a
 * node; not its settings, which secrets it holds, nor its webhook URL (whose path is a secret of its own).
 */
export const withoutSettings = (c: Connection): Connection => ({ ...c, config: {}, secretsSet: [], webhookUrl: null, setup: null });

export const connectionRoutes: FastifyPluginAsyncZod<{ connections: ConnectionService; exports: ExportService }> = async (app, { connections, exports }) => {
  const tags = ['connections'];
  app.get(
    '/api/connections',
    {
      config: { role: 'viewer' }, schema: {
        tags,
        description: "The workspace's connections; for a role below admin without their settings (`config` empty, no secrets named, no webhook URL).",
        querystring: z.object({ provider: z.string().max(100).optional() }),
        response: { 200: z.array(connectionSchema) },
      },
    },
    async (req) => {
      const p = principal(req);
      const list = await connections.list(p.workspaceId, req.query.provider);
      return roleAtLeast(p.role, 'admin') ? list : list.map(withoutSettings);
    },
  );
  app.post(
    '/api/connections',
    {
      config: { role: 'admin' }, schema: {
        tags,
        body: z.object({ provider: z.string(), name: z.string().min(1).max(200), config: z.record(z.string(), z.unknown()).default({}) }),
        response: { 201: connectionSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await connections.create(principal(req), req.body)),
  );
  app.get('/api/connections/:id', { config: { role: 'admin' }, schema: { tags, params: idParams, response: { 200: connectionSchema } } }, async (req) =>
    connections.get(principal(req).workspaceId, req.params.id),
  );
  app.patch(
    '/api/connections/:id',
    {
      config: { role: 'admin' }, schema: {
        tags,
        params: idParams,
        body: z.object({ name: z.string().min(1).max(200).optional(), config: z.record(z.string(), z.unknown()).optional() }),
        response: { 200: connectionSchema },
      },
    },
    async (req) => connections.update(principal(req), req.params.id, req.body),
  );
  app.delete('/api/connections/:id', { config: { role: 'admin' }, schema: { tags, params: idParams } }, async (req, reply) => {
    await connections.remove(principal(req), req.params.id);
    return reply.status(204).send();
  });
  app.post('/api/connections/:id/test', { config: { role: 'admin' }, schema: { tags, params: idParams, response: { 200: z.object({ ok: z.boolean().nullable(), message: z.string() }) } } }, async (req) =>
    connections.test(principal(req), req.params.id),
  );
  app.get(
    '/api/connections/:id/usage',
    { config: { role: 'admin' }, schema: { tags, description: "Messages sent today (the workspace's time zone) through the connection, and its daily send cap.", params: idParams, response: { 200: connectionUsageSchema } } },
    async (req) => connections.usage(principal(req).workspaceId, req.params.id),
  );
  app.get(
    '/api/connections/:id/options/:source',
    { config: { role: 'editor' }, schema: { tags, params: z.object({ id: z.string(), source: z.string() }), response: { 200: z.array(optionItemSchema) } } },
    async (req) => connections.options(principal(req).workspaceId, req.params.id, req.params.source),
  );
  app.get(
    '/api/connections/:id/deliveries',
    { config: { role: 'admin' }, schema: { tags, params: idParams, querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).optional() }), response: { 200: z.array(deliverySchema) } } },
    async (req) => connections.deliveries(principal(req).workspaceId, req.params.id, req.query.limit),
  );
  app.post(
    '/api/connections/:id/exports',
    {
      config: { role: 'admin' }, schema: {
        tags,
        params: idParams,
        body: z.object({ sourceConnectionId: z.string().max(100) }).catchall(z.unknown()),
        response: { 201: z.object({ id: z.string() }) },
      },
    },
    async (req, reply) => reply.status(201).send(await exports.create(principal(req).workspaceId, req.params.id, req.body)),
  );
  app.get('/api/connections/:id/exports', { config: { role: 'admin' }, schema: { tags, params: idParams, response: { 200: z.array(exportSchema) } } }, async (req) =>
    exports.list(principal(req).workspaceId, req.params.id),
  );
  app.get(
    '/api/connections/:id/exports/:exportId',
    { config: { role: 'admin' }, schema: { tags, params: z.object({ id: z.string(), exportId: z.string() }), response: { 200: exportSchema } } },
    async (req) => exports.get(principal(req).workspaceId, req.params.id, req.params.exportId),
  );
};
