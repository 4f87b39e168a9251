// Node type and provider manifests for the editor: computed once, they never change while the process runs.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { nextTicks, nodeManifest, nodeTypes, providerManifest, providers, scheduleConfigSchema } from '@bundles/nodes';
import { schedulePreviewSchema } from '@bundles/shared';
import { AppError } from '../services/errors.js';

export const nodeTypeRoutes: FastifyPluginAsyncZod<{ now: () => Date }> = async (app, { now }) => {
  const manifests = nodeTypes.map(nodeManifest);
  const providerList = providers.filter((p) => p.id !== 'core').map((p) => providerManifest(p));
  app.get('/api/node-types', { config: { role: 'viewer' }, schema: { tags: ['node types'], response: { 200: z.array(z.any()) } } }, async () => manifests);
  app.get(
    '/api/node-types/core.schedule/preview',
    {
      config: { role: 'viewer' }, schema: {
        tags: ['node types'],
        description: 'The next three ticks of a core.schedule config (what the inspector shows under the cron), or 422 with the problem on its field.',
        querystring: z.object({ cron: z.string().max(200).optional(), timezone: z.string().max(100).optional(), everyMinutes: z.string().max(10).optional() }),
        response: { 200: schedulePreviewSchema },
      },
    },
    async (req) => {
      const { cron, timezone, everyMinutes } = req.query;
      const parsed = scheduleConfigSchema.safeParse({ cron, everyMinutes: everyMinutes || undefined, ...(timezone ? { timezone } : {}) });
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'cron', message: i.message }));
        throw new AppError(422, 'invalid_schedule', `This schedule cannot run: ${issues[0]!.message}.`, { issues });
      }
      return { next: nextTicks(parsed.data, now(), 3).map((d) => d.toISOString()) };
    },
  );
  app.get('/api/providers', { config: { role: 'viewer' }, schema: { tags: ['node types'], response: { 200: z.array(z.any()) } } }, async () => providerList);
};
