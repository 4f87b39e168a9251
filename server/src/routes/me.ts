// /api/me/…: the signed-in user's own account (any role): change the password, sign out other sessions.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { apiErrorSchema, passwordChangeSchema, signedOutSchema } from '@bundles/shared';
import { z } from 'zod';
import type { AccountService } from '../services/account.js';
import { principal, sessionCookie } from '../plugins/auth.js';

export const meRoutes: FastifyPluginAsyncZod<{ account: AccountService }> = async (app, { account }) => {
  const tags = ['auth'];
  /** The session this request came with (kept signed in); a token's request keeps none. */
  const currentSession = (req: { cookies: Record<string, string | undefined> }, via: 'session' | 'token') => (via === 'session' ? (req.cookies[sessionCookie] ?? null) : null);
  app.post(
    '/api/me/password',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        description: 'Changes your password and signs out your other sessions (this one stays). A wrong current password is 403 wrong_password, counted like a failed sign-in.',
        body: passwordChangeSchema,
        response: { 204: z.null().describe('Changed'), 403: apiErrorSchema, 429: apiErrorSchema },
      },
    },
    async (req, reply) => {
      const p = principal(req);
      await account.changePassword(p, req.body, currentSession(req, p.via), req.ip);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/api/me/sessions/sign-out-others',
    { config: { role: 'viewer' }, schema: { tags, description: 'Signs out every session of yours but this one; answers how many.', response: { 200: signedOutSchema } } },
    async (req) => {
      const p = principal(req);
      return { signedOut: await account.signOutOtherSessions(p, currentSession(req, p.via)) };
    },
  );
};
