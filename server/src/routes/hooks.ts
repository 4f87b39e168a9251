// /hooks/:connectionId/:secret: provider webhooks, read as raw bytes so signatures can be checked. The body
// is decoded by ingest once the connection is known. A database that does not answer is a 503 with
// Retry-After (the provider tries again later), never a 500.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { webhookLimits } from '@bundles/nodes';
import { ingestWebhook, type IngestDeps, type IngestResult } from '../runtime/ingest.js';
import { sameSecret } from '../runtime/connections.js';
import { isInfrastructureError } from '../runtime/step-errors.js';

/** Seconds a provider is asked to wait when the database is away. */
const retryAfterSeconds = 5;

type HookRequest = FastifyRequest<{ Params: { connectionId: string; secret: string } }>;

export async function hookRoutes(
  app: FastifyInstance,
  opts: { ingest: IngestDeps; publicUrl: () => string; observe?: (result: IngestResult, ms: number, status: number) => void },
) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: webhookLimits.bodyBytes }, (_req, body, done) => done(null, body));

  const unavailable = (reply: FastifyReply, req: FastifyRequest, err: unknown) => {
    // The database away is expected now and then; anything else is a bug of ours, logged as one (and still not a 500).
    if (isInfrastructureError(err)) req.log.warn({ err: (err as Error).message }, 'webhook not stored: the database does not answer');
    else req.log.error({ err }, 'webhook not stored: an unexpected error');
    return reply
      .status(503)
      .header('retry-after', String(retryAfterSeconds))
      .send({ error: { code: 'unavailable', message: 'Bundles cannot store this webhook right now; send it again later.' } });
  };

  // A request Fastify refuses before the handler (a body over the limit, a content type it cannot read) is
  // still logged for its connection, when the URL is right, and answered in our error shape.
  app.setErrorHandler(async (err: Error & { code?: string; statusCode?: number }, req: HookRequest, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) return unavailable(reply, req, err);
    const reason = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? `the body is larger than ${webhookLimits.bodyBytes} bytes` : `the request was refused before it was read: ${err.message}`;
    try {
      const conn = await opts.ingest.connections.get(req.params.connectionId);
      if (conn && sameSecret(req.params.secret, conn.webhookSecret)) {
        await opts.ingest.rejections.submit({ workspaceId: conn.workspaceId, connectionId: conn.id, reason });
      }
    } catch (logErr) {
      return unavailable(reply, req, logErr);
    }
    const code = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'body_too_large' : 'malformed_webhook';
    return reply.status(status).send({ error: { code, message: `Webhook not understood: ${reason}.` } });
  });

  const handler = async (req: HookRequest, reply: FastifyReply) => {
    const started = performance.now();
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let outcome;
    try {
      outcome = await ingestWebhook(opts.ingest, req.params.connectionId, req.params.secret, {
        method: req.method,
        url: opts.publicUrl().replace(/\/+$/, '') + req.url,
        headers: req.headers as Record<string, string | undefined>,
        query: req.query as Record<string, string>,
        rawBody: raw,
      });
    } catch (err) {
      // Nothing was acknowledged: the provider keeps the event and sends it again.
      return unavailable(reply, req, err);
    }
    const { answer, result } = outcome;
    opts.observe?.(result, performance.now() - started, answer.status);
    reply.status(answer.status);
    if (answer.contentType) reply.header('content-type', answer.contentType);
    return reply.send(answer.body ?? '');
  };
  const schema = { hide: true };
  app.post('/hooks/:connectionId/:secret', { schema }, handler);
  app.get('/hooks/:connectionId/:secret', { schema }, handler);
}
