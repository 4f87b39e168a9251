// Every /api route except setup and login needs a session cookie or an API token.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.js';
import { principalFromSession, principalFromToken, type Principal } from '../services/auth.js';
import { AppError } from '../services/errors.js';

export const sessionCookie = 'bundles_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const publicRoutes = new Set(['GET /api/setup', 'POST /api/setup', 'POST /api/login', 'POST /api/logout']);

export function registerAuth(app: FastifyInstance, db: Db): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0]!;
    if (!path.startsWith('/api/') || path.startsWith('/api/docs')) return;
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const cookie = req.cookies[sessionCookie];
    if (bearer) req.principal = await principalFromToken(db, bearer.trim());
    else if (cookie) req.principal = await principalFromSession(db, cookie);
    if (publicRoutes.has(`${req.method} ${path}`)) return;
    if (!req.principal) {
      throw new AppError(401, 'unauthorized', bearer ? 'This API token is not valid.' : 'Log in, or send an API token as "Authorization: Bearer <token>".');
    }
  });
}

export function principal(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError(401, 'unauthorized', 'Log in first.');
  return req.principal;
}
