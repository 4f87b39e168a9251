// Node type and provider manifests for the editor: computed once, they never change while the process runs.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { nodeManifest, nodeTypes, providerManifest, providers } from '@bundles/nodes';

export const nodeTypeRoutes: FastifyPluginAsyncZod = async (app) => {
  const manifests = nodeTypes.map(nodeManifest);
  const providerList = providers.filter((p) => p.id !== 'core').map((p) => providerManifest(p));
  app.get('/api/node-types', { schema: { tags: ['node types'], response: { 200: z.array(z.any()) } } }, async () => manifests);
  app.get('/api/providers', { schema: { tags: ['node types'], response: { 200: z.array(z.any()) } } }, async () => providerList);
};
