// Migration 0008 on a database that already holds history: the tables become partitioned, their rows
// stay (a row of a day with a partition moves into it, a random pre-v7 id stays in DEFAULT), keys and
// cascades still hold, and the run numbers go on.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { migrationsFolder } from '@bundles/migrations';
import { createTestDatabase } from '../testing.js';
import { connectDatabase, migrateDatabase, type Database } from './index.js';

let database: Database;
let before: string;
const q = (text: string, params: unknown[] = []) => database.pool.query(text, params);
const ws = '00000000-0000-4000-8000-000000000001';
const flow = '00000000-0000-4000-8000-000000000003';
const legacy = 'f0000000-0000-4000-8000-00000000000a';

beforeAll(async () => {
  database = connectDatabase(await createTestDatabase(inject('pgBaseUrl'), 'template0'), 2);
  // The migrations up to 0007 alone: a copy of the folder whose journal ends there.
  before = fs.mkdtempSync(path.join(os.tmpdir(), 'bundles-migrations-'));
  fs.cpSync(migrationsFolder, before, { recursive: true });
  const journal = JSON.parse(fs.readFileSync(path.join(before, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ idx: number }> };
  journal.entries = journal.entries.filter((e) => e.idx <= 7);
  fs.writeFileSync(path.join(before, 'meta/_journal.json'), JSON.stringify(journal));
  await migrate(drizzle(database.pool), { migrationsFolder: before });
  await q(`insert into workspaces (id, name) values ($1, 'Shop')`, [ws]);
  await q(`insert into flows (id, workspace_id, name, graph) values ($1, $2, 'F', '{}')`, [flow, ws]);
  // Runs of today (UUIDv7) and one with a random id of before UUIDv7, each with a step.
  await q(
    `insert into runs (id, workspace_id, flow_id, version_id, status)
     select bundles_uuid7(), $1::uuid, $2::uuid, gen_random_uuid(), 'succeeded' from generate_series(1, 3)
     union all select $3::uuid, $1, $2, gen_random_uuid(), 'succeeded'`,
    [ws, flow, legacy],
  );
  await q(`insert into steps (run_id, node_id, node_type, status) select id, 'sms', 'twilio.send_sms', 'succeeded' from runs`);
  await migrateDatabase(database);
});
afterAll(async () => {
  await database?.close();
  if (before) fs.rmSync(before, { recursive: true, force: true });
});

describe('partitioning an existing database (migration 0008)', () => {
  it('keeps every row: today’s in today’s partition, a pre-UUIDv7 one in DEFAULT', async () => {
    const { rows } = await q(`select tableoid::regclass::text as part, count(*)::int as n from runs group by 1 order by 1`);
    const today = `runs_p${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
    expect(rows).toEqual([{ part: 'runs_default', n: 1 }, { part: today, n: 3 }].sort((a, b) => a.part.localeCompare(b.part)));
    expect((await q(`select tableoid::regclass::text as part from steps where run_id = $1`, [legacy])).rows).toEqual([{ part: 'steps_default' }]);
    const { rows: kinds } = await q(`select relname, relkind from pg_class where relname in ('events', 'runs', 'steps', 'messages', 'webhook_deliveries') order by 1`);
    expect(kinds.map((k) => k.relkind)).toEqual(['p', 'p', 'p', 'p', 'p']);
  });

  it('keeps the primary keys and the run numbers, and new runs land in their day', async () => {
    await expect(q(`insert into runs (id, workspace_id, flow_id, version_id) values ($1, $2, $3, gen_random_uuid())`, [legacy, ws, flow])).rejects.toThrow(/duplicate key/);
    const { rows } = await q(
      `insert into runs (workspace_id, flow_id, version_id, conversation_key, seq) values ($1, $2, gen_random_uuid(), 'c', nextval('runs_conversation_seq'))
       returning seq, tableoid::regclass::text as part`,
      [ws, flow],
    );
    const { rows: max } = await q(`select max(seq)::int as m from runs where conversation_key is null`);
    expect(Number(rows[0].seq)).toBeGreaterThan(max[0].m);
    expect(rows[0].part).toMatch(/^runs_p\d{8}$/);
  });
});
