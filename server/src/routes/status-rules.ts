// /api/connections/:id/status-rules: the Status messages screen's rules of a sales or subscriptions connection.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { statusRuleSchema } from '@bundles/shared';
import { parseRuleInput, type StatusRuleService } from '../services/status-rules.js';
import { principal } from '../plugins/auth.js';

const connectionParams = z.object({ id: z.string() });
const ruleParams = z.object({ id: z.string(), ruleId: z.string() });
// Bodies are checked by parseRuleInput, so that bad input is a 422 naming the rule's field (as every rule problem is).

export const statusRuleRoutes: FastifyPluginAsyncZod<{ rules: StatusRuleService }> = async (app, { rules }) => {
  const tags = ['status rules'];
  app.get('/api/connections/:id/status-rules', { config: { role: 'editor' }, schema: { tags, params: connectionParams, response: { 200: z.array(statusRuleSchema) } } }, async (req) =>
    rules.list(principal(req).workspaceId, req.params.id),
  );
  app.post(
    '/api/connections/:id/status-rules',
    { config: { role: 'admin' }, schema: { tags, params: connectionParams, body: z.unknown(), response: { 201: statusRuleSchema } } },
    async (req, reply) => reply.status(201).send(await rules.create(principal(req), req.params.id, parseRuleInput(req.body))),
  );
  app.put(
    '/api/connections/:id/status-rules/:ruleId',
    { config: { role: 'admin' }, schema: { tags, params: ruleParams, body: z.unknown(), response: { 200: statusRuleSchema } } },
    async (req) => rules.update(principal(req), req.params.id, req.params.ruleId, parseRuleInput(req.body)),
  );
  app.delete('/api/connections/:id/status-rules/:ruleId', { config: { role: 'admin' }, schema: { tags, params: ruleParams } }, async (req, reply) => {
    await rules.remove(principal(req), req.params.id, req.params.ruleId);
    return reply.status(204).send();
  });
};
