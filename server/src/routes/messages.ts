// /api/messages: the message log and replies.
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { messageSchema } from '@bundles/shared';
import type { MessageService } from '../services/messages.js';
import { principal } from '../plugins/auth.js';

export const messageRoutes: FastifyPluginAsyncZod<{ messages: MessageService }> = async (app, { messages }) => {
  app.get(
    '/api/messages',
    {
      config: { role: 'viewer' }, schema: {
        tags: ['messages'],
        querystring: z.object({
          provider: z.string().optional(),
          connectionId: z.string().uuid().optional(),
          status: z.string().optional(),
          direction: z.enum(['inbound', 'outbound']).optional(),
          from: z.string().optional(),
          to: z.string().optional(),
          conversation: z.string().optional(),
          flowId: z.string().uuid().optional().describe('Messages sent by runs of this bundle'),
          // Bounded here for the parser; the service answers 422 naming the field for 1-2 characters.
          q: z.string().max(1000).optional().describe('Text search in the message text, case-insensitive, 3 to 200 characters'),
          limit: z.coerce.number().int().min(1).max(1000).optional(),
        }),
        response: { 200: z.array(messageSchema) },
      },
    },
    async (req) => messages.list(principal(req).workspaceId, req.query),
  );
  app.post(
    '/api/messages/:id/reply',
    { config: { role: 'editor' }, schema: { tags: ['messages'], params: z.object({ id: z.string() }), body: z.object({ text: z.string().min(1).max(4096) }), response: { 201: messageSchema } } },
    async (req, reply) => reply.status(201).send(await messages.reply(principal(req).workspaceId, req.params.id, req.body.text)),
  );
};
