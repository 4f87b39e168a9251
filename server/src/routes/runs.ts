// /api/runs and /api/events.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { eventSchema, runDetailSchema, runSchema, runStatusSchema, stepResolutionSchema, testRunSchema } from '@bundles/shared';
import type { RunService } from '../services/runs.js';
import type { TestService } from '../services/tests.js';
import { AppError } from '../services/errors.js';
import { principal } from '../plugins/auth.js';

export const runRoutes: FastifyPluginAsyncZod<{ runs: RunService; tests: TestService }> = async (app, { runs, tests }) => {
  app.get(
    '/api/runs',
    {
      config: { role: 'viewer' }, schema: {
        tags: ['runs'],
        description:
          'Runs, newest first, a page at a time. `q`: the runs of an order id, a transaction id or a sender (exact value); `connectionId`: of the bundles triggered by that connection; `from`/`to`: created in that time; `cursor`: the `nextCursor` of the previous page.',
        querystring: z.object({
          flowId: z.string().max(64).optional(),
          status: runStatusSchema.optional(),
          connectionId: z.string().max(64).optional(),
          q: z.string().trim().min(1).max(200).optional(),
          from: z.string().max(40).optional(),
          to: z.string().max(40).optional(),
          cursor: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(500).optional(),
        }),
        response: { 200: z.object({ items: z.array(runSchema), nextCursor: z.string().nullable() }) },
      },
    },
    async (req) => runs.list(principal(req).workspaceId, req.query),
  );
  app.get(
    '/api/runs/:id',
    {
      config: { role: 'viewer' }, schema: {
        tags: ['runs'],
        description: 'A run with its steps; a test run of the editor (`test: true`) is shown here too.',
        params: z.object({ id: z.string() }),
        response: { 200: z.union([runDetailSchema, testRunSchema]) },
      },
    },
    async (req) => {
      const workspaceId = principal(req).workspaceId;
      try {
        return await runs.get(workspaceId, req.params.id);
      } catch (err) {
        if (!(err instanceof AppError && err.status === 404)) throw err;
        const test = await tests.find(workspaceId, req.params.id);
        if (!test) throw err;
        return test;
      }
    },
  );
  app.post(
    '/api/runs/:id/retry',
    {
      config: { role: 'editor' }, schema: {
        tags: ['runs'],
        description: 'Runs a failed run again from its failed step, on the version it ran (`original`, the default) or on the live one (`live`).',
        params: z.object({ id: z.string() }),
        body: z.object({ version: z.enum(['original', 'live']).default('original') }).nullish(),
        response: { 200: runSchema },
      },
    },
    async (req) => runs.retry(principal(req).workspaceId, req.params.id, req.body?.version ?? 'original'),
  );
  app.post(
    '/api/runs/:id/steps/:nodeId/resolve',
    {
      config: { role: 'editor' }, schema: {
        tags: ['runs'],
        description: 'Settles an uncertain step: send_again (it did not go out: call the provider again) or mark_done (it did: go on).',
        params: z.object({ id: z.string(), nodeId: z.string() }),
        body: stepResolutionSchema,
        response: { 200: runDetailSchema },
      },
    },
    async (req) => runs.resolve(principal(req).workspaceId, req.params.id, req.params.nodeId, req.body),
  );
  app.get(
    '/api/events',
    {
      config: { role: 'viewer' }, schema: {
        tags: ['events'],
        querystring: z.object({ connectionId: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).optional() }),
        response: { 200: z.array(eventSchema) },
      },
    },
    async (req) => runs.events(principal(req).workspaceId, req.query),
  );
};
