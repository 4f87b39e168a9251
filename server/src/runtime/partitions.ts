// The day partitions of the tables written on every event: created ahead, and dropped whole once past the
// longest retention of any workspace (migrations/0008 defines them and bundles_ensure_partitions).
import type pg from 'pg';
import { DEFAULT_RETENTION, type Retention } from '@bundles/shared';
import type { Logger } from '@bundles/nodes';

/** Days of partitions made ahead of today, so that a process down for a few days still finds its day's. */
export const PARTITION_DAYS_AHEAD = 7;

/** A run still to finish: never dropped with its partition. */
export const UNFINISHED = `(status in ('queued', 'running', 'waiting', 'uncertain') or parked)`;

export interface Partition {
  name: string;
  table: string;
  start: Date;
  widthDays: number;
  retention: keyof Retention;
}

const DAY_MS = 86_400_000;
/** The start of `now`'s day (UTC), in ms: partitions are whole UTC days. */
const utcDay = (now: Date) => Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());

/** Creates the partitions from yesterday to a week ahead that are missing; returns how many. */
export async function ensurePartitions(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query(`select bundles_ensure_partitions(current_date - 1, current_date + $1::int) as created`, [PARTITION_DAYS_AHEAD]);
  return Number(rows[0].created);
}

/**
 * ANALYZEs the partitions that have more than doubled since last analyzed (at least 1,000 rows more).
 * A day's partition starts empty, and a statement prepared then keeps the plan it chose for an empty table
 * (a sequential scan) until the table's statistics change: measured, the ingest statement read a whole
 * day's events and messages on every webhook once a few tens of thousands were in. autovacuum would analyze
 * within its minute; this keeps every plan within a doubling of the table's size, a few times a day.
 */
export async function analyzeGrowingPartitions(pool: pg.Pool, log: Logger): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `select c.relname as name
     from bundles_partitioned_tables() t
     join pg_inherits i on i.inhparent = t.tbl::regclass
     join pg_class c on c.oid = i.inhrelid
     join pg_stat_user_tables s on s.relid = c.oid
     where s.n_live_tup > 2 * greatest(c.reltuples, 0) + 1000`,
  );
  for (const r of rows) await pool.query(`analyze "${r.name}"`);
  if (rows.length) log.debug({ partitions: rows.map((r) => r.name) }, 'analyzed growing partitions');
  return rows.map((r) => r.name);
}

/** The longest retention of each kind over every workspace: a partition goes only when no workspace keeps it. */
export async function longestRetention(pool: pg.Pool): Promise<Retention> {
  const keys = Object.keys(DEFAULT_RETENTION) as Array<keyof Retention>;
  const { rows } = await pool.query(
    `select ${keys.map((k, i) => `max(coalesce((settings #>> '{retention,${k}}')::int, $${i + 1}::int))::int as "${k}"`).join(', ')} from workspaces`,
    keys.map((k) => DEFAULT_RETENTION[k]),
  );
  const row = rows[0] as Partial<Retention>;
  return Object.fromEntries(keys.map((k) => [k, row[k] ?? DEFAULT_RETENTION[k]])) as Retention;
}

export async function listPartitions(pool: pg.Pool): Promise<Partition[]> {
  const { rows } = await pool.query(
    `select c.relname as name, t.tbl, t.width_days, t.retention
     from bundles_partitioned_tables() t
     join pg_inherits i on i.inhparent = t.tbl::regclass
     join pg_class c on c.oid = i.inhrelid
     where c.relname ~ '_p[0-9]{8}$'
     order by c.relname`,
  );
  return rows.map((r: { name: string; tbl: string; width_days: number; retention: keyof Retention }) => {
    const d = r.name.slice(-8);
    return { name: r.name, table: r.tbl, widthDays: r.width_days, retention: r.retention, start: new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}T00:00:00Z`) };
  });
}

/**
 * How many days ahead of today every partitioned table can take rows in a day partition (the smallest over
 * the tables; 0 or less: today's rows fall into a DEFAULT partition, which is never dropped whole).
 */
export async function partitionDaysAhead(pool: pg.Pool, now = new Date()): Promise<number> {
  const partitions = await listPartitions(pool);
  const today = utcDay(now);
  const ends = new Map<string, number>();
  for (const p of partitions) ends.set(p.table, Math.max(ends.get(p.table) ?? -Infinity, p.start.getTime() + p.widthDays * DAY_MS));
  const { rows } = await pool.query<{ tbl: string }>(`select tbl from bundles_partitioned_tables()`);
  return Math.min(...rows.map((r) => Math.floor(((ends.get(r.tbl) ?? today) - today) / DAY_MS) - 1));
}

/** Whether every row a partition can hold is older than `days` days (whole UTC days, as the trimming counts). */
export function expired(p: Partition, days: number, now = new Date()): boolean {
  return p.start.getTime() + p.widthDays * DAY_MS <= utcDay(now) - days * DAY_MS;
}

/**
 * Drops the partitions past the longest retention. A day of runs goes with its steps and events, but its
 * runs still to finish (a delay, a retry, an uncertain write), their steps and their events are copied
 * out first and put back into the DEFAULT partition (which holds what no day partition does), in the
 * same transaction. The old partitions are locked against writes first, so no run can finish between
 * the copy and the drop; the DROP needs the parent table to itself for an instant, and gives up after
 * half a second (before PostgreSQL's deadlock check) rather than hold the hot path: the next sweep retries.
 */
export async function dropExpiredPartitions(pool: pg.Pool, log: Logger, now = new Date()): Promise<string[]> {
  const keep = await longestRetention(pool);
  const partitions = await listPartitions(pool);
  const dropped: string[] = [];
  const runDays = new Map<string, Partition[]>();
  for (const p of partitions) {
    if (!expired(p, keep[p.retention], now)) continue;
    if (p.retention === 'runsDays') {
      const day = p.name.slice(-8);
      runDays.set(day, [...(runDays.get(day) ?? []), p]);
    } else if (await dropTables(pool, [p.name], async () => {})) dropped.push(p.name);
  }
  for (const [day, group] of runDays) {
    const names = group.map((p) => p.name);
    const has = (t: string) => names.includes(`${t}_p${day}`);
    const start = group[0]!.start.getTime();
    const next = partitions.find((p) => p.table === 'runs' && p.start.getTime() === start + DAY_MS);
    // What is copied out before the drop and put back after it, table by table.
    const kept: string[] = [];
    const keep = async (client: pg.PoolClient, table: string, select: string) => {
      await client.query(`create temp table bundles_keep_${table} on commit drop as ${select}`);
      kept.push(table);
    };
    const ok = await dropTables(pool, names, async (client) => {
      // Runs are made a moment after their event: an event of this day may belong to a run of the next.
      const runSources = [has('runs') ? `runs_p${day}` : null, next?.name ?? null].filter((x): x is string => x !== null);
      const referenced = runSources.map((t) => `select event_id from ${t} where ${UNFINISHED}`).join(' union all ');
      if (has('runs')) await keep(client, 'runs', `select * from runs_p${day} where ${UNFINISHED}`);
      if (has('steps') && has('runs')) await keep(client, 'steps', `select * from steps_p${day} where run_id in (select id from bundles_keep_runs)`);
      if (has('events') && referenced) await keep(client, 'events', `select * from events_p${day} where id in (${referenced})`);
    }, async (client) => {
      for (const t of kept) {
        const moved = await client.query(`insert into ${t} select * from bundles_keep_${t}`);
        if (moved.rowCount) log.info({ table: t, day, kept: moved.rowCount }, 'kept rows of unfinished runs past their partition');
      }
    });
    if (ok) dropped.push(...names);
  }
  if (dropped.length) log.info({ partitions: dropped }, 'dropped expired partitions');
  return dropped;
}

/** Locks `names` against writes, runs `before`, drops them and runs `after`, in one transaction; false when a lock was not had in time. */
async function dropTables(
  pool: pg.Pool,
  names: string[],
  before: (client: pg.PoolClient) => Promise<void>,
  after: (client: pg.PoolClient) => Promise<void> = async () => {},
): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`set local lock_timeout = '500ms'`);
    const list = names.map((n) => `"${n}"`).join(', ');
    await client.query(`lock table ${list} in exclusive mode`);
    await before(client);
    await client.query(`drop table ${list}`);
    await after(client);
    await client.query('commit');
    return true;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    if ((err as { code?: string }).code === '55P03') return false; // lock_not_available: the next sweep tries again
    throw err;
  } finally {
    client.release();
  }
}
