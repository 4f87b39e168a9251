// The run writer over a month of day partitions: runs of different days written in one statement, the
// partition bounds it passes, and its statement planned once on the writers' connections (writerSettings).
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, inject, vi } from 'vitest';
import { connectDatabase, type Database } from '../db/index.js';
import { createTestDatabase } from '../testing.js';
import { ingestSql } from './ingest-writer.js';
import { createRunWriter, uuidBounds, writeSql, type RunWrite } from './run-writer.js';

let database: Database;
beforeAll(async () => {
  database = connectDatabase(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), 2);
  // What a shop keeps: 30 days of partitions behind today.
  await database.pool.query(`select bundles_ensure_partitions(current_date - 30, current_date)`);
});
afterAll(async () => {
  await database?.close();
});

/** A queued run made `daysAgo` days ago (its id is of that time, so it lies in that day's partition). */
async function queuedRun(workspaceId: string, daysAgo: number): Promise<string> {
  const { rows } = await database.pool.query<{ id: string }>(
    `insert into runs (id, workspace_id, flow_id, version_id, status, created_at)
     values (bundles_uuid7_at(now() - $2 * interval '1 day'), $1, gen_random_uuid(), gen_random_uuid(), 'queued', now() - $2 * interval '1 day')
     returning id`,
    [workspaceId, daysAgo],
  );
  return rows[0]!.id;
}

const succeeded = (runId: string, workspaceId: string): RunWrite => ({
  runId,
  workspaceId,
  status: 'succeeded',
  error: null,
  continueAt: null,
  finishJobId: null,
  steps: [],
  messages: [],
});

/** How the writers' connections have planned the run write so far, over all of them. */
async function plansOfRunWrite(): Promise<{ generic: number; custom: number }> {
  // Every connection the pool may hold (one or three, by the machine's cores: see writerConnectionsFor).
  const clients = await Promise.all(Array.from({ length: database.writes.options.max }, () => database.writes.connect()));
  try {
    let generic = 0;
    let custom = 0;
    for (const c of clients) {
      const { rows } = await c.query<{ generic: number; custom: number }>(
        `select generic_plans as generic, custom_plans as custom from pg_prepared_statements where name = 'write_runs'`,
      );
      generic += rows[0]?.generic ?? 0;
      custom += rows[0]?.custom ?? 0;
    }
    return { generic, custom };
  } finally {
    for (const c of clients) c.release();
  }
}

describe('run writer', () => {
  it('writes runs of days weeks apart in one statement, planned once for any batch', async () => {
    const ws = randomUUID();
    const writer = createRunWriter(database.writes);
    // Batches of runs from today, a week back and 25 days back, written together and one by one.
    for (let round = 0; round < 8; round++) {
      const ids = await Promise.all([0, 7, 25].map((d) => queuedRun(ws, d)));
      const together = round % 2 === 0;
      if (together) await Promise.all(ids.map((id) => writer.submit(succeeded(id, ws))));
      else for (const id of ids) await writer.submit(succeeded(id, ws));
    }
    const { rows } = await database.pool.query<{ status: string; n: number }>(
      `select status, count(*)::int as n from runs where workspace_id = $1 group by status`,
      [ws],
    );
    expect(rows).toEqual([{ status: 'succeeded', n: 24 }]);
    const plans = await plansOfRunWrite();
    // PostgreSQL's own choice (plan_cache_mode auto) planned this statement for every call over 35 partitions.
    expect(plans.custom).toBe(0);
    expect(plans.generic).toBeGreaterThanOrEqual(8);
  });

  it('plans the ingest and the run write without scanning a table, even one that is empty when planned', async () => {
    // The job queue is empty most of the time, and VACUUM then records it so: a plan made now is kept while
    // a burst fills the queue.
    await database.pool.query('vacuum analyze graphile_worker._private_jobs, step_journal, event_keys, reply_waits');
    const scans = async (client: { query: (text: string) => Promise<{ rows: Array<Record<string, string>> }> }, text: string) =>
      (await client.query(`explain (generic_plan) ${text}`)).rows.map((r) => r['QUERY PLAN']!).filter((line) => /Seq Scan/.test(line));
    const writer = await database.writes.connect();
    const other = await database.pool.connect();
    try {
      for (const text of [ingestSql, writeSql]) {
        expect(await scans(writer, text)).toEqual([]);
        // The same statement on an ordinary connection would scan the empty job queue (what the test guards).
        expect((await scans(other, text)).join('\n')).toMatch(/Seq Scan on _private_jobs/);
      }
    } finally {
      writer.release();
      other.release();
    }
  });

  it('forms its batch once a connection is free: the writes that arrive while another writer holds it share one statement', async () => {
    const ws = randomUUID();
    // One connection, as on a 2-core machine, where the ingest and the run writes take turns on it.
    const pool = new pg.Pool({ connectionString: database.url, max: 1 });
    try {
      const writer = createRunWriter(pool);
      const ids = await Promise.all([0, 1, 2].map((d) => queuedRun(ws, d)));
      const held = await pool.connect();
      let taken = 0;
      pool.on('acquire', () => taken++);
      const writes = ids.map((id) => writer.submit(succeeded(id, ws)));
      // The writer now waits for the connection (its request queued in the pool), not with a batch of one.
      await vi.waitFor(() => expect(pool.waitingCount).toBe(1));
      held.release();
      expect(await Promise.all(writes)).toEqual(ids.map(() => ({ fenced: false })));
      expect(taken).toBe(1);
      const { rows } = await database.pool.query<{ n: number }>(`select count(*)::int as n from runs where workspace_id = $1 and status = 'succeeded'`, [ws]);
      expect(rows[0]!.n).toBe(3);
    } finally {
      await pool.end();
    }
  });

  it('bounds a batch by its least and greatest id in PostgreSQL order', () => {
    fc.assert(
      fc.property(fc.array(fc.uuid(), { minLength: 1, maxLength: 20 }), fc.boolean(), (ids, upper) => {
        const given = upper ? ids.map((id) => id.toUpperCase()) : ids;
        const sorted = ids.map((id) => id.toLowerCase()).sort((a, b) => Buffer.compare(Buffer.from(a.replace(/-/g, ''), 'hex'), Buffer.from(b.replace(/-/g, ''), 'hex')));
        expect(uuidBounds(given)).toEqual([sorted[0], sorted[sorted.length - 1]]);
      }),
    );
  });
});
