// /hooks/:connectionId/:secret: provider webhooks, read as raw bytes so signatures can be checked.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebhookRequest } from '@bundles/nodes';
import { ingestWebhook, type IngestDeps, type IngestResult } from '../runtime/ingest.js';

function decodeForm(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function decodeBody(req: FastifyRequest, raw: Buffer): { body: unknown; error?: string } {
  if (raw.length === 0) return { body: null };
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const text = raw.toString('utf8');
  if (type.includes('json')) {
    try {
      return { body: JSON.parse(text) };
    } catch (err) {
      return { body: null, error: `the body is not valid JSON (${(err as Error).message})` };
    }
  }
  if (type.includes('application/x-www-form-urlencoded')) return { body: decodeForm(text) };
  return { body: text };
}

export async function hookRoutes(
  app: FastifyInstance,
  opts: { ingest: IngestDeps; publicUrl: () => string; observe?: (result: IngestResult, ms: number, status: number) => void },
) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));

  const handler = async (req: FastifyRequest<{ Params: { connectionId: string; secret: string } }>, reply: import('fastify').FastifyReply) => {
    const started = performance.now();
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const decoded = decodeBody(req, raw);
    const request: WebhookRequest = {
      method: req.method,
      url: opts.publicUrl().replace(/\/+$/, '') + req.url,
      headers: req.headers as Record<string, string | undefined>,
      query: req.query as Record<string, string>,
      rawBody: raw,
      body: decoded.body,
    };
    const { answer, result } = await ingestWebhook(opts.ingest, req.params.connectionId, req.params.secret, request, decoded.error);
    opts.observe?.(result, performance.now() - started, answer.status);
    reply.status(answer.status);
    if (answer.contentType) reply.header('content-type', answer.contentType);
    return reply.send(answer.body ?? '');
  };
  const schema = { hide: true };
  app.post('/hooks/:connectionId/:secret', { schema }, handler);
  app.get('/hooks/:connectionId/:secret', { schema }, handler);
}
