// One error shape for every answer: { error: { code, message, details? } }.
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from '../services/errors.js';
import { isInfrastructureError } from '../runtime/step-errors.js';

/** `spa`: which unknown paths get the editor's index.html (it routes in the browser). */
export function registerErrorHandling(app: FastifyInstance, spa: ((method: string, url: string) => boolean) | null): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) {
      // A refusal that says when to come back says it in the header too.
      const retryAfter = (err.details as { retryAfter?: unknown } | undefined)?.retryAfter;
      if (err.status === 429 && typeof retryAfter === 'number') reply.header('retry-after', String(Math.ceil(retryAfter)));
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({
        field: `${err.validationContext ?? 'body'}${v.instancePath.replace(/\//g, '.')}`,
        message: v.message ?? 'is invalid',
      }));
      return reply.status(400).send({
        error: { code: 'invalid_request', message: `Invalid request: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`, details: { issues } },
      });
    }
    if (err.statusCode && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: { code: err.code?.toLowerCase() ?? 'bad_request', message: err.message } });
    }
    if (isInfrastructureError(err)) {
      req.log.warn({ err: err.message }, 'request failed: the database does not answer');
      return reply
        .status(503)
        .header('retry-after', '5')
        .send({ error: { code: 'unavailable', message: 'The database does not answer right now; try again in a few seconds.' } });
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: { code: 'internal_error', message: 'Something went wrong on our side; the details are in the server log.' } });
  });
  app.setNotFoundHandler((req, reply) => {
    if (spa?.(req.method, req.url)) return reply.sendFile('index.html');
    return reply.status(404).send({ error: { code: 'not_found', message: `No route ${req.method} ${req.url.split('?')[0]}.` } });
  });
}
