// Every /api route except setup and login needs a session cookie or an API token.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.js';
import { roleAtLeast, type Role } from '@bundles/shared';
import { isUuid } from '../ids.js';
import { principalFromSession, type Principal } from '../services/auth.js';
import { checkApiToken, type TokenRefusal } from '../services/tokens.js';
import { AppError } from '../services/errors.js';

export const sessionCookie = 'bundles_session';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** Every /api route and the least role it declared. */
    routeAccess: RouteAccess[];
  }
  interface FastifyContextConfig {
    /**
     * The least role an /api route needs, declared next to the route (`{ config: { role: 'editor' } }`);
     * `public` for the few that answer without a login. An /api route without it is refused at start.
     */
    role?: Role | 'public';
  }
}

/** Every /api route, with the role it declared (for the role × route test and the docs). */
export interface RouteAccess {
  method: string;
  url: string;
  role: Role | 'public';
}

/** The header that picks another workspace of the same user for one request. */
export const workspaceHeader = 'x-bundles-workspace';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a write made with the session cookie comes from the editor itself. A browser names the page that
 * sent it (`Origin`, or at least `Sec-Fetch-Site`); a page on another port or host of the same machine is
 * another origin and is refused, so it cannot stop a bundle through the user's cookie. A client that names
 * no page is no browser, and cannot be made to send the cookie by one.
 */
export function sameOriginWrite(headers: Record<string, string | string[] | undefined>, publicOrigin: string | null): boolean {
  const origin = typeof headers.origin === 'string' ? headers.origin : undefined;
  if (origin !== undefined) {
    if (origin === 'null') return false;
    const host = typeof headers.host === 'string' ? headers.host : '';
    let sent: URL;
    try {
      sent = new URL(origin);
    } catch {
      return false;
    }
    return sent.host === host || sent.origin === publicOrigin;
  }
  const site = headers['sec-fetch-site'];
  return site === undefined || site === 'same-origin' || site === 'none';
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** Whether an Authorization header carries this bearer token (compared in constant time). */
export function bearerIs(header: string | undefined, token: string): boolean {
  const sent = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '';
  const a = Buffer.from(sent);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Authentication and roles for every /api route: who is asking (a session cookie or an API token), in which
 * workspace, and whether their role reaches the one the route declared. Answers the route table it checks.
 */
export function registerAuth(app: FastifyInstance, db: Db, publicUrl: () => string = () => '', opts: { docsPublic?: boolean } = {}): RouteAccess[] {
  const docsPublic = opts.docsPublic ?? true;
  const table: RouteAccess[] = [];
  app.decorate('routeAccess', table);
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || route.url.startsWith('/api/docs')) return;
    const role = route.config?.role;
    const methods = ([] as string[]).concat(route.method);
    if (!role) throw new Error(`${methods.join(',')} ${route.url} declares no role: add { config: { role } } next to the route`);
    for (const method of methods) if (method !== 'HEAD') table.push({ method, url: route.url, role });
  });
  // A callback hook: a webhook or the editor's files pass without a promise made for them.
  app.addHook('onRequest', (req, _reply, done) => {
    const path = guardedPath(req);
    if (!path.startsWith('/api/') || (docsPublic && (path === '/api/docs' || path.startsWith('/api/docs/')))) return done();
    authenticate(req).then(() => done(), done);
  });
  const authenticate = async (req: FastifyRequest): Promise<void> => {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const cookie = req.cookies[sessionCookie];
    let refusal: TokenRefusal | undefined;
    if (bearer) {
      const check = await checkApiToken(db, bearer.trim());
      if ('principal' in check) req.principal = check.principal;
      else refusal = check;
    } else if (cookie) {
      const pick = req.headers[workspaceHeader];
      if (typeof pick === 'string' && !isUuid(pick)) throw new AppError(400, 'invalid_workspace', `${workspaceHeader} must be a workspace id.`);
      req.principal = await principalFromSession(db, cookie, typeof pick === 'string' ? pick : undefined);
      if (!req.principal && typeof pick === 'string' && (await principalFromSession(db, cookie))) {
        throw new AppError(403, 'not_a_member', 'You are not a member of the workspace this request names.');
      }
      if (req.principal && !safeMethods.has(req.method) && !sameOriginWrite(req.headers, originOf(publicUrl()))) {
        throw new AppError(403, 'cross_origin', 'This change was sent from another site or port: only the Bundles editor itself may change things with your login.');
      }
    }
    const need = req.routeOptions?.config?.role;
    // A public route answers whatever was sent (setup with a stale token in a script still answers).
    if (need === 'public') return;
    if (req.principal) {
      const pick = req.headers[workspaceHeader];
      if (req.principal.via === 'token' && typeof pick === 'string' && pick !== req.principal.workspaceId) {
        throw new AppError(403, 'not_a_member', 'An API token acts only in its own workspace.');
      }
      // A path that matches no route is left to the router's 404; a route without a role never starts.
      if (need && !roleAtLeast(req.principal.role, need)) throw forbidden(req.principal, need);
      return;
    }
    if (refusal?.refused === 'token_expired') {
      throw new AppError(401, 'token_expired', `This API token expired at ${refusal.expiredAt}.`, { expiredAt: refusal.expiredAt });
    }
    if (refusal) throw new AppError(401, 'invalid_token', 'This API token is not valid: it was revoked, or it never existed.');
    throw new AppError(401, 'unauthorized', 'Log in, or send an API token as "Authorization: Bearer <token>".');
  };
  return table;
}

/**
 * The path the decision is made on: the route the router matched (it decodes `%61pi` to `api`), or for a
 * path that matches none, the path decoded with repeated slashes folded, so no spelling of an /api path
 * slips past the check.
 */
export function guardedPath(req: Pick<FastifyRequest, 'url' | 'routeOptions'>): string {
  const route = req.routeOptions?.url;
  if (route) return route;
  const raw = req.url.split('?')[0]!;
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // Not valid percent-encoding: judged as sent.
  }
  return decoded.replace(/\/{2,}/g, '/');
}

function forbidden(p: Principal, need: Role): AppError {
  const why = p.scope && p.role !== p.memberRole ? `this token's scope (${p.scope}) acts as ${p.role}` : `your role here is ${p.role}`;
  return new AppError(403, 'forbidden', `This needs the ${need} role or higher: ${why}.`, { need, role: p.role });
}

export function principal(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError(401, 'unauthorized', 'Log in first.');
  return req.principal;
}
