// History past its retention: whole partitions are dropped (partitions.ts); what this file removes in
// small batches is what a partition drop cannot reach: the DEFAULT partitions (rows made before the
// tables were partitioned, and unfinished runs kept past their day), the history of a workspace that keeps
// less than the longest retention, dedupe keys past the time a provider may redeliver, and the audit log.
import type pg from 'pg';
import { DEFAULT_RETENTION, type Retention } from '@bundles/shared';
import type { Logger } from '@bundles/nodes';
import { trimReplyWaits } from './reply-waits.js';
import { dropExpiredPartitions, ensurePartitions, longestRetention, partitionDaysAhead, UNFINISHED } from './partitions.js';

/** Rows one statement deletes, and statements per table in one sweep: a sweep never holds locks for long. */
const BATCH = 2000;
const BATCHES = 25;

/** Deletes in batches until `statement` (which deletes at most BATCH rows, `$1` its cutoff) deletes fewer; returns the count. */
async function inBatches(pool: pg.Pool, statement: string, params: unknown[], onBatch?: (rows: Array<Record<string, unknown>>) => Promise<void>): Promise<number> {
  let total = 0;
  for (let i = 0; i < BATCHES; i++) {
    const { rows, rowCount } = await pool.query(statement, params);
    total += rowCount ?? 0;
    if (onBatch && rows.length) await onBatch(rows);
    if ((rowCount ?? 0) < BATCH) break;
  }
  return total;
}

const cutoff = `now() - $1::int * interval '1 day'`;

/** Runs (not still to finish) made before the cutoff, in `from` (a table or partition), with their steps. */
async function trimRuns(pool: pg.Pool, from: string, steps: string, days: number, workspaceId?: string): Promise<number> {
  const scope = workspaceId ? `and workspace_id = $2` : '';
  return inBatches(
    pool,
    `delete from ${from} where id in (select id from ${from} where created_at < ${cutoff} ${scope} and not ${UNFINISHED} limit ${BATCH}) returning id`,
    workspaceId ? [days, workspaceId] : [days],
    async (rows) => {
      await pool.query(`delete from ${steps} where run_id = any($1::uuid[])`, [rows.map((r) => r.id)]);
    },
  );
}

/**
 * Rows of `table` whose `at` column is before the cutoff; `where` narrows (to a workspace's, to rows no
 * unfinished run needs). `key` picks the rows a batch deletes: the primary key, or for the delivery log (which
 * has none) the columns of its index, connection and time (rows of one instant go together).
 */
function trimRows(pool: pg.Pool, table: string, at: string, days: number, where = '', extra: unknown[] = [], key = 'id'): Promise<number> {
  return inBatches(pool, `delete from ${table} where (${key}) in (select ${key} from ${table} where ${at} < ${cutoff} ${where} limit ${BATCH})`, [days, ...extra]);
}

/** The delivery log has no primary key: batches go by its index. */
const deliveryKey = 'connection_id, received_at';
/** Events and deliveries are indexed by connection, not workspace: a workspace's rows are its connections'. */
const ofWorkspaceConnections = 'and connection_id in (select id from connections where workspace_id = $2)';

/** The DEFAULT partitions past the longest retention (they are never dropped whole). */
async function trimDefaults(pool: pg.Pool, keep: Retention): Promise<number> {
  let n = await trimRuns(pool, 'runs_default', 'steps_default', keep.runsDays);
  n += await trimRows(pool, 'events_default', 'received_at', keep.runsDays, `and id not in (select event_id from runs_default where ${UNFINISHED} and event_id is not null)`);
  n += await trimRows(pool, 'messages_default', 'created_at', keep.messagesDays);
  n += await trimRows(pool, 'webhook_deliveries_default', 'received_at', keep.deliveriesDays, '', [], deliveryKey);
  return n;
}

/** A workspace keeping less than the longest retention: its rows past its own, in batches (partitions hold every workspace's). */
async function trimShorterWorkspaces(pool: pg.Pool, keep: Retention): Promise<number> {
  const { rows } = await pool.query(`select id, settings -> 'retention' as retention from workspaces where settings ? 'retention'`);
  let n = 0;
  for (const w of rows as Array<{ id: string; retention: Partial<Retention> | null }>) {
    const own = { ...DEFAULT_RETENTION, ...(w.retention ?? {}) };
    if (own.runsDays < keep.runsDays) {
      n += await trimRuns(pool, 'runs', 'steps', own.runsDays, w.id);
      // The events no unfinished run of the workspace still reads.
      n += await trimRows(pool, 'events', 'received_at', own.runsDays,
        `${ofWorkspaceConnections} and id not in (select event_id from runs where workspace_id = $2 and ${UNFINISHED} and event_id is not null and created_at < ${cutoff} + interval '1 day')`, [w.id]);
    }
    if (own.messagesDays < keep.messagesDays) n += await trimRows(pool, 'messages', 'created_at', own.messagesDays, 'and workspace_id = $2', [w.id]);
    if (own.deliveriesDays < keep.deliveriesDays) {
      n += await trimRows(pool, 'webhook_deliveries', 'received_at', own.deliveriesDays, ofWorkspaceConnections, [w.id], deliveryKey);
    }
  }
  return n;
}

/**
 * The audit log past each workspace's `auditDays` (default 365), in batches through audit_log_workspace_idx.
 * Not partitioned: a few rows per person and change (no event or run writes one), so a sweep deletes few
 * rows, and days kept differ per workspace (up to ten years) where partitions would be dropped whole.
 */
export async function trimAuditLog(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query(`select id, settings -> 'retention' as retention from workspaces`);
  let n = 0;
  for (const w of rows as Array<{ id: string; retention: Partial<Retention> | null }>) {
    const days = { ...DEFAULT_RETENTION, ...(w.retention && typeof w.retention === 'object' ? w.retention : {}) }.auditDays;
    if (!Number.isInteger(days) || days < 1) continue;
    n += await trimRows(pool, 'audit_log', 'created_at', days, 'and workspace_id = $2', [w.id]);
  }
  return n;
}

/** Where the walk over the dedupe keys stopped, per pool: the next sweep goes on from there. */
const keyCursor = new WeakMap<pg.Pool, [string, string]>();
const KEY_PAGES = 20;
const start: [string, string] = ['00000000-0000-0000-0000-000000000000', ''];

/**
 * Dedupe keys whose redelivery window has passed, walking the key in order: at most KEY_PAGES pages of
 * 10,000 keys a sweep, from where the last sweep stopped, so a sweep costs the same however many keys live
 * (an index on the expiry would cost every event a write; this costs a pass over the keys every few hours).
 */
export async function deleteExpiredKeys(pool: pg.Pool): Promise<number> {
  let total = 0;
  let after = keyCursor.get(pool) ?? start;
  for (let page = 0; page < KEY_PAGES; page++) {
    const { rows } = await pool.query(
      `with page as (select connection_id, subject, expires_at from event_keys where (connection_id, subject) > ($1::uuid, $2::text)
         order by connection_id, subject limit ${BATCH * 5}),
       gone as (delete from event_keys k using page p where k.connection_id = p.connection_id and k.subject = p.subject
         and p.expires_at < now() and k.expires_at < now() returning 1)
       select (select count(*) from gone)::int as deleted, (select count(*) from page)::int as read,
         (select connection_id from page order by connection_id desc, subject desc limit 1) as last_connection,
         (select subject from page order by connection_id desc, subject desc limit 1) as last_subject`,
      after,
    );
    const r = rows[0] as { deleted: number; read: number; last_connection: string | null; last_subject: string | null };
    total += r.deleted;
    if (r.read < BATCH * 5 || r.last_connection === null) {
      after = start; // the end: the next sweep starts over
      break;
    }
    after = [r.last_connection, r.last_subject ?? ''];
  }
  keyCursor.set(pool, after);
  return total;
}

/** Taken for a sweep: processes that sweep at the same moment do not drop or trim the same rows twice. */
const sweepLock = 0x62756e64_6c657374n; // any fixed key; "bundlest"

/** One retention sweep: partitions made ahead, expired ones dropped, then the batched trims; skipped while another process sweeps. */
export async function expireHistory(pool: pg.Pool, log: Logger): Promise<void> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query('select pg_try_advisory_lock($1::bigint) as got', [sweepLock.toString()]);
    if (!rows[0].got) return;
    try {
      await sweep(pool, log);
    } finally {
      await client.query('select pg_advisory_unlock($1::bigint)', [sweepLock.toString()]);
    }
  } finally {
    client.release();
  }
}

async function sweep(pool: pg.Pool, log: Logger): Promise<void> {
  const created = await ensurePartitions(pool);
  if (created) log.info({ partitions: created }, 'created partitions ahead');
  const ahead = await partitionDaysAhead(pool);
  if (ahead < 1) log.error({ daysAhead: ahead }, 'no day partition for tomorrow: new rows will fall into the DEFAULT partitions, which retention cannot drop whole');
  await dropExpiredPartitions(pool, log);
  const keep = await longestRetention(pool);
  const trimmed = (await trimDefaults(pool, keep)) + (await trimShorterWorkspaces(pool, keep));
  const keys = await deleteExpiredKeys(pool);
  const counts = await deletePastSendCounts(pool);
  const waits = await trimReplyWaits(pool);
  const audit = await trimAuditLog(pool);
  if (trimmed || keys || counts || waits || audit) log.info({ rows: trimmed, keys, sendCounts: counts, replyWaits: waits, audit }, 'removed history past its retention');
}

/**
 * Daily send counts of days gone: only today's (in a workspace's zone) is read, and a zone's today is at most
 * a day from the server's, so counts two days old are of no use. One row per capped connection and day.
 */
export async function deletePastSendCounts(pool: pg.Pool): Promise<number> {
  const { rowCount } = await pool.query(`delete from send_counts where day < current_date - 2`);
  return rowCount ?? 0;
}
