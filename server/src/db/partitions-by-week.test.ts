// Migration 0027: events, runs and steps go from day partitions to week ones. On a database that holds
// rows in day partitions those stay where they are, the empty days go, and week partitions take every other
// day without a gap or an overlap; a new database has week partitions only. The delivery log stays in days.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { migrationsFolder } from '@bundles/migrations';
import { createTestDatabase } from '../testing.js';
import { connectDatabase, migrateDatabase, type Database } from './index.js';

let upgraded: Database;
let fresh: Database;
let before: string;
const ws = '00000000-0000-4000-8000-000000000001';
const flow = '00000000-0000-4000-8000-000000000003';
const conn = '00000000-0000-4000-8000-000000000004';

interface Range {
  tbl: string;
  name: string;
  lo: string;
  hi: string;
  width: number;
}
const ranges = async (db: Database) =>
  (
    await db.pool.query<Range>(
      `select tbl, name, lo::text, hi::text, hi - lo as width from bundles_partition_ranges() where tbl <> 'messages' order by tbl, lo`,
    )
  ).rows;
/** How many partitions of each table hold each day from yesterday to a week ahead. */
const holders = async (db: Database) =>
  (
    await db.pool.query<{ tbl: string; day: string; n: number }>(
      `select t.tbl, d::date::text as day, count(r.name)::int as n
       from (values ('events'), ('runs'), ('steps'), ('webhook_deliveries')) t(tbl)
       cross join generate_series(current_date - 1, current_date + 7, interval '1 day') d
       left join bundles_partition_ranges() r on r.tbl = t.tbl and r.lo <= d::date and d::date < r.hi
       group by 1, 2 order by 1, 2`,
    )
  ).rows;
const today = () => new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  upgraded = connectDatabase(await createTestDatabase(inject('pgBaseUrl'), 'template0'), 2);
  fresh = connectDatabase(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), 2);
  // The migrations up to 0026 alone: a copy of the folder whose journal ends there.
  before = fs.mkdtempSync(path.join(os.tmpdir(), 'bundles-migrations-'));
  fs.cpSync(migrationsFolder, before, { recursive: true });
  const journal = JSON.parse(fs.readFileSync(path.join(before, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ idx: number }> };
  journal.entries = journal.entries.filter((e) => e.idx <= 26);
  fs.writeFileSync(path.join(before, 'meta/_journal.json'), JSON.stringify(journal));
  await migrate(drizzle(upgraded.pool), { migrationsFolder: before });
  const q = (text: string, params: unknown[] = []) => upgraded.pool.query(text, params);
  await q(`insert into workspaces (id, name) values ($1, 'Shop')`, [ws]);
  await q(`insert into flows (id, workspace_id, name, graph) values ($1, $2, 'F', '{}')`, [flow, ws]);
  await q(`insert into connections (id, workspace_id, provider, name, webhook_secret) values ($1, $2, 'webhook', 'In', 's')`, [conn, ws]);
  // Today holds an event, its run and a step, and a delivery: their day partitions have rows.
  await q(`insert into events (id, workspace_id, connection_id, type, dedupe_key, payload) values (bundles_uuid7(), $1, $2, 'order', 'k', '{}')`, [ws, conn]);
  await q(`insert into runs (id, workspace_id, flow_id, version_id, event_id, status) select bundles_uuid7(), $1, $2, gen_random_uuid(), id, 'succeeded' from events`, [ws, flow]);
  await q(`insert into steps (run_id, node_id, status) select id, 'sms', 'succeeded' from runs`);
  await q(`insert into webhook_deliveries (workspace_id, connection_id, outcome, reason) values ($1, $2, 'rejected', 'x')`, [ws, conn]);
  await migrateDatabase(upgraded);
});
afterAll(async () => {
  await upgraded?.close();
  await fresh?.close();
  if (before) fs.rmSync(before, { recursive: true, force: true });
});

describe('week partitions (migration 0027)', () => {
  it('keeps the day partitions that hold rows, and puts every other day of events, runs and steps in a week one', async () => {
    const day = today().replaceAll('-', '');
    const { rows } = await upgraded.pool.query(
      `select (select tableoid::regclass::text from events) as e, (select tableoid::regclass::text from runs) as r,
              (select tableoid::regclass::text from steps) as s, (select tableoid::regclass::text from webhook_deliveries) as d`,
    );
    expect(rows[0]).toEqual({ e: `events_p${day}`, r: `runs_p${day}`, s: `steps_p${day}`, d: `webhook_deliveries_p${day}` });
    // Every day from yesterday to a week ahead is held by exactly one partition of each table.
    expect((await holders(upgraded)).filter((h) => h.n !== 1)).toEqual([]);
    const all = await ranges(upgraded);
    for (const tbl of ['events', 'runs', 'steps']) {
      const mine = all.filter((r) => r.tbl === tbl);
      // Today's day partition, and weeks around it: the one before clipped to end where today's begins, the one after to start where it ends.
      expect(mine.filter((r) => r.lo <= today() && today() < r.hi).map((r) => r.width)).toEqual([1]);
      expect(mine.filter((r) => r.lo < today()).every((r) => r.hi <= today() && r.width <= 7)).toBe(true);
      expect(mine.filter((r) => r.lo > today()).slice(1).every((r) => r.width === 7)).toBe(true);
    }
    // The three tables keep the same ranges: retention drops them together.
    const of = (tbl: string) => all.filter((r) => r.tbl === tbl).map((r) => [r.lo, r.hi]);
    expect(of('runs')).toEqual(of('events'));
    expect(of('steps')).toEqual(of('events'));
    // The delivery log is still in days.
    expect(all.filter((r) => r.tbl === 'webhook_deliveries').every((r) => r.width === 1)).toBe(true);
    expect((await upgraded.pool.query(`select count(*)::int as n from runs_default`)).rows[0].n).toBe(0);
  });

  it('gives a new database week partitions of events, runs and steps only, aligned on the same weeks', async () => {
    expect((await holders(fresh)).filter((h) => h.n !== 1)).toEqual([]);
    const all = await ranges(fresh);
    const weeks = all.filter((r) => r.tbl !== 'webhook_deliveries');
    expect(weeks.length).toBeGreaterThanOrEqual(6);
    expect(weeks.every((r) => r.width === 7)).toBe(true);
    const aligned = await fresh.pool.query(`select bool_and((lo - date '1970-01-01') % 7 = 0) as ok from bundles_partition_ranges() where tbl in ('events', 'runs', 'steps')`);
    expect(aligned.rows[0].ok).toBe(true);
  });

  it('makes partitions on to a later day where the last ones end, without a gap', async () => {
    await fresh.pool.query(`select bundles_ensure_partitions(current_date + 20, current_date + 30)`);
    await fresh.pool.query(`select bundles_ensure_partitions(current_date, current_date + 30)`);
    const { rows } = await fresh.pool.query(
      `select t.tbl, count(*) filter (where n <> 1)::int as wrong from (values ('events'), ('runs'), ('steps')) t(tbl)
       cross join generate_series(current_date, current_date + 30, interval '1 day') d
       cross join lateral (select count(*) as n from bundles_partition_ranges() r where r.tbl = t.tbl and r.lo <= d::date and d::date < r.hi) c
       group by 1 order by 1`,
    );
    expect(rows).toEqual([{ tbl: 'events', wrong: 0 }, { tbl: 'runs', wrong: 0 }, { tbl: 'steps', wrong: 0 }]);
  });
});
