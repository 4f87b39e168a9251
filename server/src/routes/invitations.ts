// /api/invitations: one-time links to join the workspace (admin: made, listed, revoked); previewed and
// accepted without a login (accepting signs the new member in, as setup does).
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  acceptInvitationSchema,
  apiErrorSchema,
  createdInvitationSchema,
  INVITATION_TOKEN_MAX,
  invitationInputSchema,
  invitationPreviewSchema,
  invitationSchema,
} from '@bundles/shared';
import type { InvitationService } from '../services/invitations.js';
import { createSession, sessionDays } from '../services/auth.js';
import { principal, sessionCookie } from '../plugins/auth.js';
import type { Db } from '../db/index.js';

export const invitationRoutes: FastifyPluginAsyncZod<{ db: Db; invitations: InvitationService; secureCookies: boolean }> = async (app, { db, invitations, secureCookies }) => {
  const tags = ['invitations'];
  app.post(
    '/api/invitations',
    {
      config: { role: 'admin' },
      schema: {
        tags,
        description: `Invites an e-mail address with a role (never above your own). \`url\` is the one-time link, answered this once; it is mailed too when SMTP is configured (\`mailed\`, else \`mailError\` says why). A pending invitation to the same address is replaced.`,
        body: invitationInputSchema,
        response: { 201: createdInvitationSchema, 403: apiErrorSchema, 409: apiErrorSchema },
      },
    },
    async (req, reply) => reply.status(201).send(await invitations.create(principal(req), req.body)),
  );
  app.get(
    '/api/invitations',
    { config: { role: 'admin' }, schema: { tags, description: 'The pending invitations, newest first, without their links; `expired` ones until revoked.', response: { 200: z.array(invitationSchema) } } },
    async (req) => invitations.list(principal(req).workspaceId),
  );
  app.delete(
    '/api/invitations/:id',
    {
      config: { role: 'admin' },
      schema: { tags, description: 'Revokes a pending invitation: its link leads nowhere from now on.', params: z.object({ id: z.string().max(100) }), response: { 204: z.null().describe('Revoked'), 404: apiErrorSchema } },
    },
    async (req, reply) => {
      await invitations.revoke(principal(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
  app.get(
    '/api/invitations/:token/preview',
    {
      config: { role: 'public' },
      schema: {
        tags,
        description: 'What an invitation link invites to (workspace, e-mail, role), for the accept page: 404 invitation_not_found, 410 invitation_used or invitation_expired.',
        params: z.object({ token: z.string().max(INVITATION_TOKEN_MAX) }),
        response: { 200: invitationPreviewSchema, 404: apiErrorSchema, 410: apiErrorSchema },
      },
    },
    async (req) => invitations.preview(req.params.token),
  );
  app.post(
    '/api/invitations/accept',
    {
      config: { role: 'public' },
      schema: {
        tags,
        description:
          'Accepts: a new account gives its name and a password (8 characters or more); an existing account its current password. Answers an API token of the member and signs them in (a session cookie). Throttled per invitation and client address (429 too_many_attempts, Retry-After).',
        body: acceptInvitationSchema,
        response: { 200: z.object({ token: z.string() }), 403: apiErrorSchema, 404: apiErrorSchema, 409: apiErrorSchema, 410: apiErrorSchema, 429: apiErrorSchema },
      },
    },
    async (req, reply) => {
      const accepted = await invitations.accept(req.body, req.ip);
      const session = await createSession(db, accepted.userId, accepted.workspaceId);
      reply.setCookie(sessionCookie, session.token, { httpOnly: true, sameSite: 'lax', path: '/', secure: secureCookies, maxAge: sessionDays * 86_400 });
      return { token: accepted.token };
    },
  );
};
