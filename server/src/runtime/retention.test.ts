// Retention over the partitioned tables: whole partitions dropped past the longest retention, unfinished
// runs kept with their steps and events, the DEFAULT partition and shorter-keeping workspaces trimmed in
// batches, expired dedupe keys deleted, partitions made ahead.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { connectDatabase, type Database } from '../db/index.js';
import { createTestDatabase } from '../testing.js';
import { deleteExpiredKeys, deletePastSendCounts, expireHistory, trimAuditLog } from './retention.js';
import { analyzeGrowingPartitions, expired, partitionDaysAhead, type Partition } from './partitions.js';

const log = { debug() {}, info() {}, warn() {}, error() {} };
let database: Database;
const q = (text: string, params: unknown[] = []) => database.pool.query(text, params);

beforeAll(async () => {
  database = connectDatabase(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), 4);
});
afterAll(async () => {
  await database?.close();
});

/** A workspace with a connection and a flow, made in SQL (the tables under test have no keys to them but these). */
async function workspace(settings: object = {}): Promise<{ ws: string; conn: string; flow: string }> {
  const ws = (await q(`insert into workspaces (name, settings) values ('Shop', $1) returning id`, [settings])).rows[0].id as string;
  const conn = (await q(`insert into connections (workspace_id, provider, name, webhook_secret) values ($1, 'webhook', 'In', 's') returning id`, [ws])).rows[0].id as string;
  const flow = (await q(`insert into flows (workspace_id, name, graph) values ($1, 'F', '{}') returning id`, [ws])).rows[0].id as string;
  return { ws, conn, flow };
}

/** An event and a run made `days` ago, the run in `status`, with one step; returns their ids. */
async function runAgo(w: { ws: string; conn: string; flow: string }, days: number, status: string): Promise<{ event: string; run: string }> {
  const at = `now() - ${days} * interval '1 day'`;
  const event = (await q(
    `insert into events (id, workspace_id, connection_id, type, dedupe_key, payload, received_at)
     values (bundles_uuid7_at(${at}), $1, $2, 'order', 'k', '{"id": 1}', ${at}) returning id`,
    [w.ws, w.conn],
  )).rows[0].id as string;
  const run = (await q(
    `insert into runs (id, workspace_id, flow_id, version_id, event_id, status, created_at)
     values (bundles_uuid7_at(${at}), $1, $2, gen_random_uuid(), $3, $4, ${at}) returning id`,
    [w.ws, w.flow, event, status],
  )).rows[0].id as string;
  await q(`insert into steps (run_id, node_id, status) values ($1, 'send', $2)`, [run, status === 'waiting' ? 'waiting' : 'succeeded']);
  return { event, run };
}

const where = async (table: string, id: string, key = 'id') =>
  (await q(`select tableoid::regclass::text as part from ${table} where ${key} = $1`, [id])).rows.map((r) => r.part as string);
const partitionOf = (table: string, daysAgo: number) => {
  const d = new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  return `${table}_p${d}`;
};
const exists = async (name: string) => (await q(`select to_regclass($1) is not null as e`, [name])).rows[0].e as boolean;

describe('retention', () => {
  it('drops the days past retention whole, keeping an unfinished run, its steps and its event in the default partition', async () => {
    for (const [from, to] of [[201, 199], [36, 34], [16, 0]]) await q(`select bundles_ensure_partitions(current_date - $1::int, current_date - $2::int)`, [from, to]);
    const w = await workspace();
    const done = await runAgo(w, 35, 'succeeded');
    const waiting = await runAgo(w, 35, 'waiting');
    const recent = await runAgo(w, 5, 'succeeded');
    for (const days of [200, 35]) {
      await q(`insert into messages (id, workspace_id, connection_id, provider, direction, channel, status, created_at)
               values (bundles_uuid7_at(now() - $3 * interval '1 day'), $1, $2, 'twilio', 'outbound', 'sms', 'sent', now() - $3 * interval '1 day')`, [w.ws, w.conn, days]);
    }
    for (const days of [15, 13]) {
      await q(`insert into webhook_deliveries (id, workspace_id, connection_id, outcome, reason, received_at)
               values (bundles_uuid7_at(now() - $3 * interval '1 day'), $1, $2, 'rejected', $3::text, now() - $3 * interval '1 day')`, [w.ws, w.conn, days]);
    }

    await expireHistory(database.pool, log);

    for (const t of ['runs', 'steps', 'events']) expect(await exists(partitionOf(t, 35))).toBe(false);
    expect(await where('runs', done.run)).toEqual([]);
    expect(await where('events', done.event)).toEqual([]);
    expect(await where('runs', waiting.run)).toEqual(['runs_default']);
    expect(await where('steps', waiting.run, 'run_id')).toEqual(['steps_default']);
    expect(await where('events', waiting.event)).toEqual(['events_default']);
    expect((await q(`select status from runs where id = $1`, [waiting.run])).rows).toEqual([{ status: 'waiting' }]);
    expect(await where('runs', recent.run)).toEqual([partitionOf('runs', 5)]);
    const messages = (await q(`select (now() - created_at) > interval '100 days' as old from messages where connection_id = $1`, [w.conn])).rows;
    expect(messages).toEqual([{ old: false }]);
    const deliveries = (await q(`select reason from webhook_deliveries where connection_id = $1`, [w.conn])).rows;
    expect(deliveries).toEqual([{ reason: '13' }]);
    // Made ahead: a week of days for every table.
    expect(await exists(partitionOf('runs', -7))).toBe(true);
    expect(await exists(partitionOf('webhook_deliveries', -7))).toBe(true);
  });

  it('trims, in batches, the history of a workspace that keeps less than the others; the others keep theirs', async () => {
    await q(`select bundles_ensure_partitions(current_date - 12, current_date)`);
    const short = await workspace({ retention: { runsDays: 7, messagesDays: 7, deliveriesDays: 3 } });
    const long = await workspace();
    const shortRuns = await Promise.all(Array.from({ length: 3 }, () => runAgo(short, 10, 'succeeded')));
    const shortWaiting = await runAgo(short, 10, 'uncertain');
    const longRun = await runAgo(long, 10, 'succeeded');
    await q(`insert into messages (id, workspace_id, connection_id, provider, direction, channel, status, created_at)
             select bundles_uuid7_at(now() - interval '10 days'), ws, c, 'twilio', 'outbound', 'sms', 'sent', now() - interval '10 days'
             from (values ($1::uuid, $2::uuid), ($3::uuid, $4::uuid)) v(ws, c)`, [short.ws, short.conn, long.ws, long.conn]);

    await q(`insert into webhook_deliveries (id, workspace_id, connection_id, outcome, reason, received_at)
             select bundles_uuid7_at(now() - interval '5 days'), ws, c, 'rejected', 'old', now() - interval '5 days'
             from (values ($1::uuid, $2::uuid), ($3::uuid, $4::uuid)) v(ws, c)`, [short.ws, short.conn, long.ws, long.conn]);

    await expireHistory(database.pool, log);

    const deliveries = (await q(`select workspace_id from webhook_deliveries where workspace_id = any($1::uuid[])`, [[short.ws, long.ws]])).rows;
    expect(deliveries).toEqual([{ workspace_id: long.ws }]);
    for (const r of shortRuns) {
      expect(await where('runs', r.run)).toEqual([]);
      expect(await where('steps', r.run, 'run_id')).toEqual([]);
      expect(await where('events', r.event)).toEqual([]);
    }
    expect(await where('runs', shortWaiting.run)).toHaveLength(1);
    expect(await where('events', shortWaiting.event)).toHaveLength(1);
    expect(await where('runs', longRun.run)).toHaveLength(1);
    expect(await where('steps', longRun.run, 'run_id')).toHaveLength(1);
    const left = (await q(`select workspace_id from messages where workspace_id = any($1::uuid[])`, [[short.ws, long.ws]])).rows;
    expect(left).toEqual([{ workspace_id: long.ws }]);
  });

  it('trims the default partition (rows made before partitioning) past retention, and keeps what an unfinished run needs', async () => {
    const w = await workspace();
    // Random (v4) ids from before the tables had UUIDv7 keys: their first bits name no day partition.
    const ids = ['f0000000-0000-4000-8000-000000000001', 'f0000000-0000-4000-8000-000000000002', 'f0000000-0000-4000-8000-000000000003'];
    await q(`insert into events (id, workspace_id, connection_id, type, dedupe_key, payload, received_at)
             select id, $1, $2, 't', 'k', '{}', now() - interval '40 days' from unnest($3::uuid[]) id`, [w.ws, w.conn, ids]);
    await q(`insert into runs (id, workspace_id, flow_id, version_id, event_id, status, created_at)
             values ($3, $1, $2, gen_random_uuid(), $3, 'succeeded', now() - interval '40 days'),
                    ($4, $1, $2, gen_random_uuid(), $4, 'queued', now() - interval '40 days')`, [w.ws, w.flow, ids[0], ids[1]]);
    expect(await where('runs', ids[0]!)).toEqual(['runs_default']);

    await expireHistory(database.pool, log);

    expect(await where('runs', ids[0]!)).toEqual([]);
    expect(await where('runs', ids[1]!)).toEqual(['runs_default']);
    expect(await where('events', ids[0]!)).toEqual([]);
    expect(await where('events', ids[1]!)).toEqual(['events_default']);
    expect(await where('events', ids[2]!)).toEqual([]);
  });

  it('deletes dedupe keys past their redelivery window, across pages, and keeps the live ones', async () => {
    const w = await workspace();
    await q(`insert into event_keys (connection_id, subject, key_hash, event_id, expires_at)
             select $1, 'order:' || i, hashtextextended('k' || i, 0), gen_random_uuid(), case when i % 1000 = 0 then now() + interval '1 day' else now() - interval '1 second' end
             from generate_series(1, 12000) i`, [w.conn]);

    await expireHistory(database.pool, log);

    const { rows } = await q(`select count(*)::int as n, bool_and(expires_at > now()) as live from event_keys where connection_id = $1`, [w.conn]);
    expect(rows).toEqual([{ n: 12, live: true }]);
  });
});

describe('trimAuditLog', () => {
  it("deletes each workspace's audit entries past its own auditDays (default 365), in batches, and keeps the rest", async () => {
    const short = await workspace({ retention: { auditDays: 30 } });
    const long = await workspace();
    const add = (ws: string, daysAgo: number, count: number, kind: string) =>
      q(`insert into audit_log (workspace_id, kind, created_at) select $1, $2, now() - $3::int * interval '1 day' from generate_series(1, $4::int)`, [ws, kind, daysAgo, count]);
    await add(short.ws, 40, 2500, 'old'); // more than one batch of 2,000
    await add(short.ws, 10, 2, 'recent');
    await add(long.ws, 40, 3, 'recent');
    await add(long.ws, 400, 2, 'old');

    await expireHistory(database.pool, log);

    const left = async (ws: string) => (await q(`select kind, count(*)::int as n from audit_log where workspace_id = $1 group by kind`, [ws])).rows;
    expect(await left(short.ws)).toEqual([{ kind: 'recent', n: 2 }]);
    expect(await left(long.ws)).toEqual([{ kind: 'recent', n: 3 }]);
    expect(await trimAuditLog(database.pool)).toBe(0);
  });
});

describe('partitionDaysAhead', () => {
  it('falls to 0 when tomorrow has no partition of runs, and the sweep makes the week ahead again', async () => {
    for (let d = 1; d <= 8; d++) await q(`drop table if exists "${partitionOf('runs', -d)}"`);
    expect(await partitionDaysAhead(database.pool)).toBe(0);
    await expireHistory(database.pool, log);
    expect(await partitionDaysAhead(database.pool)).toBe(7);
  });
});

describe('analyzeGrowingPartitions', () => {
  it('analyzes a partition once it has more than doubled, and not again until it doubles again', async () => {
    const w = await workspace();
    const today = partitionOf('webhook_deliveries', 0);
    const client = await database.pool.connect();
    try {
      await client.query(`insert into webhook_deliveries (workspace_id, connection_id, outcome, reason) select $1, $2, 'rejected', 'x' from generate_series(1, 1500)`, [w.ws, w.conn]);
      // The inserting session reports its counts when next idle; ask it not to wait for its interval.
      await client.query('select pg_stat_force_next_flush()');
    } finally {
      client.release();
    }
    let analyzed: string[] = [];
    for (let i = 0; i < 100 && !analyzed.includes(today); i++) {
      analyzed = await analyzeGrowingPartitions(database.pool, log);
      if (!analyzed.includes(today)) await new Promise((r) => setTimeout(r, 50));
    }
    expect(analyzed).toContain(today);
    const { rows } = await q(`select reltuples from pg_class where relname = $1`, [today]);
    expect(rows[0].reltuples).toBeGreaterThanOrEqual(1500);
    expect(await analyzeGrowingPartitions(database.pool, log)).not.toContain(today);
  });
});

describe('deleteExpiredKeys', () => {
  it('walks at most 200,000 keys a sweep and goes on where it stopped', async () => {
    const w = await workspace();
    // 210,000 keys of one connection, the last 1,000 expired: the first sweep stops before them.
    await q(`insert into event_keys (connection_id, subject, key_hash, event_id, expires_at)
             select $1, 'k:' || lpad(i::text, 7, '0'), 1, gen_random_uuid(), case when i > 209000 then now() - interval '1 second' else now() + interval '1 day' end
             from generate_series(1, 210000) i`, [w.conn]);
    const left = async () => (await q(`select count(*)::int as n from event_keys where connection_id = $1 and expires_at < now()`, [w.conn])).rows[0].n;
    let sweeps = 0;
    while ((await left()) > 0 && sweeps < 5) {
      await deleteExpiredKeys(database.pool);
      sweeps++;
    }
    expect(await left()).toBe(0);
    expect(sweeps).toBeGreaterThanOrEqual(2);
    expect((await q(`select count(*)::int as n from event_keys where connection_id = $1`, [w.conn])).rows[0].n).toBe(209000);
  });
});

describe('expired', () => {
  const p = (start: string, widthDays: number): Partition => ({ name: 'x', table: 'runs', start: new Date(start), widthDays, retention: 'runsDays' });
  const now = new Date('2026-12-02T10:00:00Z');
  it('is true only once every row the partition can hold is past retention', () => {
    expect(expired(p('2026-11-01T00:00:00Z', 1), 30, now)).toBe(true);
    expect(expired(p('2026-11-02T00:00:00Z', 1), 30, now)).toBe(false);
    expect(expired(p('2026-10-26T00:00:00Z', 7), 30, now)).toBe(true);
    expect(expired(p('2026-10-27T00:00:00Z', 7), 30, now)).toBe(false);
  });

  it('deletes daily send counts of days gone and keeps those a zone may still call today', async () => {
    const conn = (await workspace()).conn;
    for (const ago of [0, 1, 2, 3, 30]) await q(`insert into send_counts (connection_id, day, count) values ($1, current_date - $2::int, 5)`, [conn, ago]);
    expect(await deletePastSendCounts(database.pool)).toBe(2);
    const { rows } = await q(`select (current_date - day) as ago from send_counts where connection_id = $1 order by day desc`, [conn]);
    expect(rows.map((r) => r.ago)).toEqual([0, 1, 2]);
  });
});
