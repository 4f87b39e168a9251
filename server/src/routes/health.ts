// /healthz: each part of this process on its own — the database, the job runner, the lane, the schedules' tick loop — and 503
// when any part this role runs is not ok (a part the role does not run answers "off").
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';

export interface HealthParts {
  /** The worker's parts, or null when this process runs no worker (role web). */
  worker(): { runner: string; lane: string; schedules: string } | null;
}

const databaseTimeoutMs = 2_000;

async function databaseHealth(pool: pg.Pool): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      pool.query('select 1'),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${databaseTimeoutMs} ms`)), databaseTimeoutMs))),
    ]);
    return 'ok';
  } catch (err) {
    return `does not answer: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

export async function healthRoutes(app: FastifyInstance, opts: { pool: pg.Pool; role: string; parts: HealthParts }) {
  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
    const database = await databaseHealth(opts.pool);
    const worker = opts.parts.worker();
    const runner = worker ? worker.runner : 'off';
    const lane = worker ? (opts.role === 'all' ? worker.lane : 'off') : 'off';
    const schedules = worker ? worker.schedules : 'off';
    const ok = [database, runner, lane, schedules].every((part) => part === 'ok' || part === 'off');
    return reply.status(ok ? 200 : 503).send({ ok, database, runner, lane, schedules, role: opts.role });
  });
}
