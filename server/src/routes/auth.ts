// Setup of the first user, login, logout, the current user (API tokens: tokens.ts).
import { z } from 'zod';
import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { meSchema, WORKSPACE_NAME_MAX } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { users, workspaces } from '../db/schema/index.js';
import { createSession, deleteSession, login, sessionDays, setupOwner, setupRequired, startingWorkspace } from '../services/auth.js';
import { principal, sessionCookie } from '../plugins/auth.js';
import { AppError } from '../services/errors.js';
import { recordAudit } from '../services/audit.js';
import { checkLoginAllowed, clearLoginFailures, recordLoginFailure } from '../services/login-throttle.js';

const credentials = z.object({
  email: z.string().email(),
  password: z.string().min(8, 'use at least 8 characters').max(200),
});

export const authRoutes: FastifyPluginAsyncZod<{ db: Db; secureCookies: boolean }> = async (app, { db, secureCookies }) => {
  const setCookie = (reply: { setCookie: (n: string, v: string, o: object) => unknown }, token: string) =>
    reply.setCookie(sessionCookie, token, { httpOnly: true, sameSite: 'lax', path: '/', secure: secureCookies, maxAge: sessionDays * 86_400 });

  app.get('/api/setup', { config: { role: 'public' }, schema: { tags: ['auth'], response: { 200: z.object({ required: z.boolean() }) } } }, async () => ({
    required: await setupRequired(db),
  }));

  app.post(
    '/api/setup',
    { config: { role: 'public' }, schema: { tags: ['auth'], body: credentials.extend({ workspace: z.string().trim().min(1).max(WORKSPACE_NAME_MAX).optional() }), response: { 200: z.object({ token: z.string() }) } } },
    async (req, reply) => {
      const { token, user, workspace } = await setupOwner(db, req.body);
      const session = await createSession(db, user.id, workspace.id);
      setCookie(reply, session.token);
      return { token };
    },
  );

  app.post('/api/login', { config: { role: 'public' }, schema: { tags: ['auth'], body: z.object({ email: z.string(), password: z.string() }) } }, async (req, reply) => {
    // Throttled per account and per client address (req.ip: the socket's, unless BUNDLES_TRUST_PROXY says otherwise).
    await checkLoginAllowed(db, req.body.email, req.ip);
    const user = await login(db, req.body.email, req.body.password).catch(async (err: unknown) => {
      if (err instanceof AppError && err.code === 'invalid_credentials') await recordLoginFailure(db, req.body.email, req.ip);
      throw err;
    });
    await clearLoginFailures(db, req.body.email);
    const workspaceId = await startingWorkspace(db, user.id, user.lastWorkspaceId);
    if (!workspaceId) throw new AppError(403, 'no_workspace', 'This account belongs to no workspace any more: ask an admin to invite you again.');
    const session = await createSession(db, user.id, workspaceId);
    // In the workspace signed in to. A failed attempt is not recorded: the throttle counts those, and an
    // entry per wrong password would let anyone who knows an address fill the log.
    await recordAudit(db, { userId: user.id, workspaceId, email: user.email }, { kind: 'login', targetType: 'user', targetId: user.id });
    setCookie(reply, session.token);
    return { user: { id: user.id, email: user.email } };
  });

  app.post('/api/logout', { config: { role: 'public' }, schema: { tags: ['auth'] } }, async (req, reply) => {
    const cookie = req.cookies[sessionCookie];
    if (cookie) await deleteSession(db, cookie);
    reply.clearCookie(sessionCookie, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/api/me', { config: { role: 'viewer' }, schema: { tags: ['auth'], response: { 200: meSchema } } }, async (req) => {
    const p = principal(req);
    const [ws] = await db.select().from(workspaces).where(eq(workspaces.id, p.workspaceId));
    const [user] = await db.select({ name: users.name }).from(users).where(eq(users.id, p.userId));
    return { user: { id: p.userId, email: p.email, name: user?.name ?? null }, workspace: { id: ws!.id, name: ws!.name }, role: p.role };
  });

};
