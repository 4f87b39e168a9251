// /healthz: the process answers and the database does too.
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';

export async function healthRoutes(app: FastifyInstance, opts: { pool: pg.Pool; role: string }) {
  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await opts.pool.query('select 1');
      return { ok: true, database: 'ok', role: opts.role };
    } catch (err) {
      return reply.status(503).send({ error: { code: 'database_unavailable', message: `The database does not answer: ${(err as Error).message}` } });
    }
  });
}
