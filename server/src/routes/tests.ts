// /api/flows/:id/test and what the editor's Test tab reads: recent events of the trigger, a sample payload, past tests.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { recordedEventSchema, testInputSchema, testRunSchema, testRunSummarySchema } from '@bundles/shared';
import type { TestService } from '../services/tests.js';
import { principal } from '../plugins/auth.js';

const idParams = z.object({ id: z.string() });

export const testRoutes: FastifyPluginAsyncZod<{ tests: TestService }> = async (app, { tests }) => {
  const tags = ['flows'];
  app.post(
    '/api/flows/:id/test',
    {
      config: { role: 'editor' }, schema: {
        tags,
        description:
          'Runs the saved draft once, on a recorded event (`eventId`) or a sample (`payload`); with `nodeId`, that step and what runs before it (taken from the event’s run when it has one). Write steps answer a sample unless `live`. Nothing is counted in the message log or a send cap.',
        params: idParams,
        body: testInputSchema,
        response: { 200: testRunSchema },
      },
    },
    async (req) => {
      const p = principal(req);
      return tests.run(p.workspaceId, req.params.id, req.body, p.userId ?? null);
    },
  );
  app.get('/api/flows/:id/tests', { config: { role: 'viewer' }, schema: { tags, params: idParams, response: { 200: z.array(testRunSummarySchema) } } }, async (req) =>
    tests.list(principal(req).workspaceId, req.params.id),
  );
  app.get(
    '/api/flows/:id/events',
    {
      config: { role: 'viewer' }, schema: {
        tags,
        description: 'The newest events of the draft trigger’s connection and kind (also those received while the bundle was stopped), each with the bundle’s run of it.',
        params: idParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(50).optional() }),
        response: { 200: z.array(recordedEventSchema) },
      },
    },
    async (req) => tests.events(principal(req).workspaceId, req.params.id, req.query.limit ?? 20),
  );
  app.get('/api/flows/:id/test-sample', { config: { role: 'viewer' }, schema: { tags, params: idParams, response: { 200: z.object({ payload: z.record(z.string(), z.unknown()) }) } } }, async (req) =>
    tests.sample(principal(req).workspaceId, req.params.id),
  );
};
