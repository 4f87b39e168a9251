// The database handle: a pg pool, drizzle over it, and the migrations applied at start.
import os from 'node:os';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { runMigrations } from 'graphile-worker';
import { migrationsFolder } from '@bundles/migrations';
import * as schema from './schema/index.js';

export type Db = NodePgDatabase<typeof schema>;

export interface Database {
  pool: pg.Pool;
  /**
   * The connections of the batch writers (ingest, run writes, rejected deliveries), whose statements are
   * planned once and reach tables by their keys (see writerSettings).
   */
  writes: pg.Pool;
  db: Db;
  url: string;
  close(): Promise<void>;
}

// jsonb and timestamptz come back parsed; bigint counts as numbers (they stay far below 2^53).
pg.types.setTypeParser(20, (v) => Number(v));

/**
 * The batch writers' statements are written for one plan whatever their batch holds (ids as arrays probing
 * primary keys, partitions chosen by id bounds when the executor starts), and PostgreSQL's choice between a
 * plan made for each call and one made once is a guess from estimated costs: with a month of day partitions
 * it planned the run write for every call, 0.8 ms each (`pnpm bench --history 5m --profile`), more than
 * executing it. Their connections plan once.
 *
 * And they do not scan tables: every table they read is reached by a key. A plan made while a table is empty
 * (the job queue after VACUUM, most of the time; step_journal, reply_waits) scans it at no cost, and the plan
 * made once keeps that while the queue fills with a burst's jobs and their dead rows: measured after 5,000,000
 * runs of history, the ingest read 1,745 blocks a call and the run write 928, against 27 and 28.
 */
export const writerSettings = '-c plan_cache_mode=force_generic_plan -c enable_seqscan=off';
/**
 * Connections of the batch writers (ingest, run writes, rejected deliveries: one statement in flight each).
 * On two cores they share one: the product's event loop keeps one core busy, and two writer backends then take
 * turns on the other with the bench's client, each waiting for a core while runnable (the run queue's delay,
 * `pnpm bench`'s "waited" line) and running slower for it. Measured on 2 cores with `pnpm bench` on one day:
 * one connection 1,984–2,245 delivered/s (5 runs, median 2,149), PostgreSQL 0.20–0.22 ms of CPU and 0.12–0.14 ms
 * in the run queue per SMS; three 1,348–2,001 (7 runs, median 1,843), 0.24–0.36 and 0.24–0.31. With more cores
 * each statement keeps its own connection (not measured here: one backend would cap the writes at one core).
 */
export function writerConnectionsFor(cores: number): number {
  return cores <= 2 ? 1 : 3;
}

function openPool(url: string, max: number, options?: string): pg.Pool {
  // A database that hangs (rather than refusing) must not hold requests forever: connecting gives up after 5 s.
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000, ...(options ? { options } : {}) });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export function connectDatabase(url: string, max = 20): Database {
  const pool = openPool(url, max);
  // No connection is made until a writer uses one (a process without a runtime opens none).
  const writes = openPool(url, writerConnectionsFor(os.availableParallelism()), writerSettings);
  const db = drizzle(pool, { schema });
  return { pool, writes, db, url, close: async () => void (await Promise.all([pool.end(), writes.end()])) };
}

const migrationLock = 7_242_001;

/** Applies our SQL migrations and graphile-worker's, serialised across processes by an advisory lock. */
export async function migrateDatabase(database: Database): Promise<void> {
  const client = await database.pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [migrationLock]);
    await migrate(drizzle(client, { schema }), { migrationsFolder });
    await runMigrations({ pgPool: database.pool });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [migrationLock]).catch(() => {});
    client.release();
  }
}

export { schema };
