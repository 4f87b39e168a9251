// Headers that keep the editor from being framed, sniffed or made to run another site's scripts. Written by
// hand rather than with a helmet-style plugin: the policy must leave /api/docs (Swagger UI runs inline
// scripts) alone, and HSTS must not go out on the plain-HTTP loopback Bundles listens on by default.
import type { FastifyInstance } from 'fastify';

/** What the built editor loads: its own scripts and styles (React sets styles through the DOM), data: icons. */
export const EDITOR_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function registerSecurityHeaders(app: FastifyInstance): void {
  // A callback hook: no promise made per answer.
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'same-origin');
    const type = String(reply.getHeader('content-type') ?? '');
    const docs = req.url === '/api/docs' || req.url.startsWith('/api/docs/') || req.url.startsWith('/api/docs?');
    if (type.startsWith('text/html') && !docs) reply.header('content-security-policy', EDITOR_CSP);
    done(null, payload);
  });
}
