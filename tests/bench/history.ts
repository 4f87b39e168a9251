// `pnpm bench --history N`: N runs of the workload's real shape written straight into PostgreSQL before
// the load (generate_series, one statement per table and batch), spread over the last 25 days; then the
// Runs page's search by order id and a /metrics scrape, timed on that database.
//
// The shape is copied from one real run: the bench sends one webhook of the workload, waits until its run
// is done, and reads back what it stored (event, event key, run, steps, messages, delivery). Every history
// run repeats those rows with its own ids, times, order id and provider message id, so payload sizes, JSON
// shapes and the number of steps are those of the product as it is, not a copy that could drift from it.
// Only what the product keeps is written: its retention sweep (at start and every 10 minutes) deletes expired
// dedupe keys and drops the delivery log past 14 days, so a database with 25 days of history holds neither.
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DEFAULT_RETENTION, type Retention } from '@bundles/shared';
import { withClient } from './db.js';
import { sleep } from './procs.js';
import { summarize, type LatencySummary } from './stats.js';

/**
 * The template webhook's number; history order numbers are 100,000,000 + i (the same 9 digits as the load's),
 * below every number the load sends (200,000,000 and up), as a shop's past orders are below its new ones: the
 * load's keys then go where new keys go in a real shop's indexes (after the history), not between its keys.
 */
export const TEMPLATE_NUMBER = 700_000_000;
const HISTORY_BASE = 100_000_000;
/**
 * The first order number of each phase of the load (9 digits, as the history's): all above the history's,
 * as a shop's new orders are above its past ones, and below the template's.
 */
export const LOAD_IDS = { warmUp: 200_000_000, ack: 300_000_000, rate: 400_000_000, ceilingWarmUp: 500_000_000, ceiling: 600_000_000 } as const;

export const MAX_HISTORY = 90_000_000;
export const HISTORY_DAYS = 25;
/** History runs per statement: bounds the memory of one INSERT … SELECT (and its WAL between commits). */
export const BATCH = 500_000;

/**
 * `5000000`, `5e6`, `5m`, `200k`, `5_000_000`, `5,000,000` → the integer; throws on anything else
 * (not an integer, below 1, above MAX_HISTORY).
 */
export function parseCount(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([km])?\s*$/i.exec(text.replace(/[_,]/g, ''));
  if (!m) throw new RangeError(`"${text}" is not a count (write it as 5000000, 5e6, 5m or 200k)`);
  const n = Number(m[1]) * (m[2] ? { k: 1e3, m: 1e6 }[m[2].toLowerCase() as 'k' | 'm'] : 1);
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_HISTORY) throw new RangeError(`"${text}" must be a whole number of runs from 1 to ${MAX_HISTORY.toLocaleString('en-US')}`);
  return n;
}

/**
 * The order number of history run `i`: one number per run, except that every 100th run repeats the one
 * before (an order whose webhook came again after its dedupe window: two runs, one search key).
 */
export function historyNumber(i: number): number {
  return HISTORY_BASE + i - Math.floor(i / 100);
}

/** The order id of history run `i`, spelled as the workload spells ids (W1: the number itself). */
export function historyOrderId(templateId: string, i: number): string {
  return templateId.replace(String(TEMPLATE_NUMBER), String(historyNumber(i)));
}

/** How many history runs wait or are uncertain: one every `stride` runs of each, a few hundred in all. */
export function rareStride(n: number): number {
  return Math.max(100, Math.ceil(n / 200));
}

/** Status of history run `i` of `n`: mostly succeeded, 2% failed, 2% filtered, ~200 waiting and ~200 uncertain. */
export function historyStatus(i: number, n: number): 'succeeded' | 'failed' | 'filtered' | 'waiting' | 'uncertain' {
  const stride = rareStride(n);
  if (i % stride === 11) return 'waiting';
  if (i % stride === 61) return 'uncertain';
  if (i % 50 === 7) return 'failed';
  if (i % 50 === 23) return 'filtered';
  return 'succeeded';
}

/** The same rule in SQL, over the bigint `i` (keep the two in step). */
export function historyStatusSql(i: string, n: number): string {
  const stride = rareStride(n);
  return `case when ${i} % ${stride} = 11 then 'waiting' when ${i} % ${stride} = 61 then 'uncertain'
    when ${i} % 50 = 7 then 'failed' when ${i} % 50 = 23 then 'filtered' else 'succeeded' end`;
}

// ---------------------------------------------------------------------------------------------
// The template: what one real run of the workload stored.

interface TemplateStep {
  nodeId: string;
  handle: string | null;
  attempts: number;
  input: string | null;
  output: string | null;
  startMs: number;
  finishMs: number;
}

interface TemplateMessage {
  connectionId: string;
  provider: string;
  direction: string;
  channel: string;
  from: string | null;
  to: string | null;
  text: string | null;
  providerMessageId: string | null;
  status: string;
  conversationKey: string | null;
  atMs: number;
}

export interface Template {
  /** The order id as the workload spells it, e.g. '700000000'. */
  orderId: string;
  workspaceId: string;
  flowId: string;
  versionId: string;
  /**
   * `receivedMs`: when the template event arrived (Unix ms); the times in its JSON are shifted by the same amount.
   * `deliveryId`: the event names the delivery that carried it (migration 0013), which then has no row of its own.
   */
  event: { connectionId: string; type: string; dedupeKey: string; payload: string; receivedMs: number; deliveryId: boolean };
  key: { subject: string; ttlMs: number } | null;
  run: { conversationKey: string | null; startMs: number; finishMs: number };
  /** In the order they ran; the last one is the one a failed, waiting or uncertain run stops at. */
  steps: TemplateStep[];
  messages: TemplateMessage[];
  delivery: { connectionId: string; outcome: string; reason: string | null; body: string | null } | null;
}

/** Reads back the rows of the template webhook's run once it is done; null while it is not. */
async function readTemplateOnce(url: string, orderId: string): Promise<Template | null> {
  return withClient(url, async (c) => {
    const ms = (col: string, from: string) => `(extract(epoch from ${col} - ${from}) * 1000)::float8`;
    const ev = await c.query(
      `select id, workspace_id, connection_id, type, dedupe_key, payload::text as payload, received_at,
              (extract(epoch from received_at) * 1000)::float8 as received_ms, to_jsonb(events) ->> 'delivery_id' as delivery_id from events
       where payload::text like '%' || $1 || '%' order by id limit 2`,
      [orderId],
    );
    if (ev.rows.length !== 1) return null;
    const e = ev.rows[0];
    const run = await c.query(
      `select id, flow_id, version_id, status, conversation_key, ${ms('started_at', 'created_at')} as start_ms, ${ms('finished_at', 'created_at')} as finish_ms
       from runs where event_id = $1`,
      [e.id],
    );
    if (run.rows.length !== 1 || run.rows[0].status !== 'succeeded' || run.rows[0].finish_ms === null) return null;
    const r = run.rows[0];
    const key = await c.query(`select subject, ${ms('expires_at', '$2::timestamptz')} as ttl_ms from event_keys where event_id = $1`, [e.id, e.received_at]);
    const steps = await c.query(
      `select node_id, handle, attempts, input::text as input, output::text as output,
              ${ms('started_at', '$2::timestamptz')} as start_ms, ${ms('finished_at', '$2::timestamptz')} as finish_ms
       from steps where run_id = $1 order by started_at, node_id`,
      [r.id, e.received_at],
    );
    const messages = await c.query(
      `select connection_id, provider, direction, channel, "from", "to", text, provider_message_id, status, conversation_key,
              ${ms('created_at', '$2::timestamptz')} as at_ms
       from messages where run_id = $1 order by id`,
      [r.id, e.received_at],
    );
    const delivery = await c.query(`select connection_id, outcome, reason, body::text as body from webhook_deliveries where event_ids @> jsonb_build_array($1::text)`, [e.id]);
    const pos = (v: number | null) => Math.max(0, Math.round(v ?? 0));
    const d = delivery.rows[0];
    const k = key.rows[0];
    return {
      orderId,
      workspaceId: e.workspace_id,
      flowId: r.flow_id,
      versionId: r.version_id,
      event: { connectionId: e.connection_id, type: e.type, dedupeKey: e.dedupe_key, payload: e.payload, receivedMs: e.received_ms, deliveryId: e.delivery_id !== null },
      key: k ? { subject: k.subject, ttlMs: pos(k.ttl_ms) } : null,
      run: { conversationKey: r.conversation_key, startMs: pos(r.start_ms), finishMs: pos(r.finish_ms) },
      steps: steps.rows.map((s) => ({ nodeId: s.node_id, handle: s.handle, attempts: s.attempts, input: s.input, output: s.output, startMs: pos(s.start_ms), finishMs: pos(s.finish_ms) })),
      messages: messages.rows.map((m) => ({
        connectionId: m.connection_id,
        provider: m.provider,
        direction: m.direction,
        channel: m.channel,
        from: m.from,
        to: m.to,
        text: m.text,
        providerMessageId: m.provider_message_id,
        status: m.status,
        conversationKey: m.conversation_key,
        atMs: pos(m.at_ms),
      })),
      delivery: d ? { connectionId: d.connection_id, outcome: d.outcome, reason: d.reason, body: d.body } : null,
    };
  });
}

/** The template webhook's rows, once its run has finished (its last write may follow the provider call). */
export async function readTemplate(url: string, orderId: string, timeoutMs = 15_000): Promise<Template> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const t = await readTemplateOnce(url, orderId);
    if (t) return t;
    if (performance.now() > deadline) throw new Error(`history: the template webhook (order ${orderId}) left no single succeeded run within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** Bytes of the template's rows as PostgreSQL stores their values (no row headers or indexes). */
export function templateSummary(t: Template): string {
  const b = (s: string | null) => (s === null ? 0 : Buffer.byteLength(s));
  return (
    `template: payload ${b(t.event.payload)} B, ${t.steps.length} step${t.steps.length === 1 ? '' : 's'} (${t.steps.map((s) => `${s.nodeId} in ${b(s.input)} B out ${b(s.output)} B`).join(', ')}), ` +
    `${t.messages.length} message${t.messages.length === 1 ? '' : 's'}, ${t.delivery ? 1 : 0} delivery, ${t.key ? 1 : 0} event key`
  );
}

// ---------------------------------------------------------------------------------------------
// The fill.

const lit = (v: string | null) => (v === null ? 'null' : pg.escapeLiteral(v));

/**
 * A UUIDv7 whose 48-bit prefix is `ms` (Unix milliseconds, a bigint expression), as bundles_uuid7() of
 * migration 0006 makes them for now: 16 bytes of md5(seed) (deterministic, so every table's statement
 * derives the same run or event id from the run's number), the first six replaced by the time, version
 * bits 0111 (bits 52-55 of set_bit's numbering, from the right within each byte) and variant bits 10.
 */
export function uuid7Sql(ms: string, seed: string): string {
  const bytes = `overlay(decode(md5(${seed}), 'hex') placing substring(int8send(${ms}) from 3) from 1 for 6)`;
  return `encode(set_bit(set_bit(set_bit(set_bit(set_bit(set_bit(${bytes}, 52, 1), 53, 1), 54, 1), 55, 0), 70, 0), 71, 1), 'hex')::uuid`;
}

export interface FillOptions {
  n: number;
  /** Unix ms of the newest history run; the oldest is HISTORY_DAYS earlier. */
  endMs: number;
  /** A few random characters: the seed of this fill's ids. */
  salt: string;
  batch?: number;
  progress?: (line: string) => void;
}

/**
 * What the product itself keeps of a history (its retention sweep runs at start and every 10 minutes):
 * rows of each table from these times on (Unix ms). Dedupe keys are deleted once expired; the delivery
 * log is kept 14 days by default, runs with their events and steps 30, messages 180.
 */
export interface Kept {
  runs: number;
  messages: number;
  deliveries: number;
  /** A key whose expiry is older than one sweep interval is gone. */
  keys: number;
}

interface BatchOptions {
  n: number;
  endMs: number;
  salt: string;
  kept: Kept;
  /** Migration 0009's set of uncertain runs exists: an uncertain run has its row there. */
  uncertainRuns: boolean;
  /** Runs of a conversation take their seq from this sequence (migration 0011); null: seq is the column's default. */
  conversationSeq: string | null;
}

export interface FillResult {
  runs: number;
  /** Rows written, by table. */
  rows: Record<string, number>;
  fillS: number;
  vacuumS: number;
  checkpointS: number;
  /** Rows of all tables per second of the INSERTs. */
  rowsPerSec: number;
  /** Seconds of INSERT by table. */
  secondsByTable: Record<string, number>;
  /** bundles_ensure_partitions() existed and made the day partitions first. */
  partitioned: boolean;
  /** History rows that landed in a DEFAULT partition (none when the day partitions were there). */
  defaultRows: number;
  /** Days of each kind the product keeps (its retention), which bound what was written. */
  retentionDays: Retention;
  /** Runs of the history in each status. */
  statuses: Record<string, number>;
}

const DAY_MS = 86_400_000;
const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z/g;
/** The worker's retention sweep interval (server/src/runtime/worker.ts): expired dedupe keys live at most that long. */
const SWEEP_MS = 10 * 60_000;

/** The time of history run `i` of `n` ending at `endMs` (the same formula as the SQL's `ms`). */
function runMs(i: number, n: number, endMs: number): number {
  const spanMs = HISTORY_DAYS * DAY_MS;
  return endMs - spanMs + Math.floor((i * spanMs) / n);
}

/** The statements of one batch [lo, hi), in the order they run: table name → SQL. */
export function batchStatements(t: Template, o: BatchOptions, lo: number, hi: number): Array<[string, string]> {
  const spanMs = HISTORY_DAYS * DAY_MS;
  const startMs = o.endMs - spanMs;
  const num = String(TEMPLATE_NUMBER);
  const seed = (kind: string) => `'${o.salt}${kind}' || h.i`;
  const sid = t.messages.find((m) => m.providerMessageId)?.providerMessageId ?? null;
  // A table whose rows of this batch are all past their retention gets no statement.
  const newest = runMs(hi - 1, o.n, o.endMs);
  const keeps = (from: number) => newest >= from;
  // Every text of the template with its order id, provider message id and times (ISO 8601, e.g. Twilio's
  // dateCreated) replaced by the run's.
  const own = (v: string | null, json = false) => {
    if (v === null) return 'null';
    let e = `replace(${lit(v)}, ${lit(t.orderId)}, h.order_id)`;
    if (sid && v.includes(sid)) e = `replace(${e}, ${lit(sid)}, h.sid)`;
    for (const iso of new Set(v.match(ISO_TIME) ?? [])) {
      const offset = Math.round(Date.parse(iso) - t.event.receivedMs);
      const fraction = /\.(\d{3})Z$/.exec(iso)?.[1];
      // A provider that rounds to the second (Twilio: .000) still does.
      const format = `YYYY-MM-DD"T"HH24:MI:SS${fraction === undefined ? '"Z"' : fraction === '000' ? '".000Z"' : '.MS"Z"'}`;
      e = `replace(${e}, ${lit(iso)}, to_char(to_timestamp((h.ms + ${offset}) / 1000.0) at time zone 'UTC', ${lit(format)}))`;
    }
    return json ? `${e}::json` : e;
  };
  const at = (offsetMs: number) => `to_timestamp((h.ms + ${offsetMs}) / 1000.0)`;
  const cte = `with h as (
    select i, ms, replace(${lit(t.orderId)}, '${num}', (${HISTORY_BASE} + i - i / 100)::text) as order_id,
      ${historyStatusSql('i', o.n)} as status,
      ${sid ? `substr(${lit(sid)}, 1, 2) || substr(md5('${o.salt}s' || i), 1, ${Math.min(32, sid.length - 2)})` : 'null::text'} as sid,
      ${uuid7Sql('ms', `'${o.salt}e' || i`)} as event_id
    from (select i, ${startMs}::bigint + (i * ${spanMs}::bigint) / ${o.n} as ms from generate_series(${lo}::bigint, ${hi - 1}::bigint) as i) g
  )`;
  const lastStep = t.steps.length;
  const provider = t.messages[0]?.provider ?? 'twilio';
  const err = {
    failed: { code: 21211, message: "The 'To' number is not a valid phone number.", provider, retryable: false },
    waiting: { code: 20429, message: 'Too Many Requests', provider, retryable: true },
    uncertain: { message: 'The connection closed before the provider answered: the call may have taken effect.', provider, ambiguous: true },
  };
  const errorOf = (status: string) =>
    `case ${status} ${Object.entries(err).map(([s, e]) => `when '${s}' then ${lit(JSON.stringify(e))}::json`).join(' ')} end`;
  const runId = uuid7Sql(`h.ms`, seed('r'));
  const out: Array<[string, string]> = [];
  if (keeps(o.kept.runs)) {
    const delivery = t.event.deliveryId ? [', delivery_id', `, ${uuid7Sql('h.ms', seed('d'))}`] : ['', ''];
    out.push([
      'events',
      `${cte} insert into events (id, workspace_id, connection_id, type, dedupe_key, payload, received_at${delivery[0]})
       select h.event_id, ${lit(t.workspaceId)}, ${lit(t.event.connectionId)}, ${lit(t.event.type)}, ${own(t.event.dedupeKey)}, ${own(t.event.payload, true)}, ${at(0)}${delivery[1]}
       from h where h.ms >= ${o.kept.runs}`,
    ]);
  }
  if (t.key && keeps(o.kept.keys - t.key.ttlMs)) {
    // One row per subject (a repeated order keeps its first event's key); only the keys the sweep has not removed yet.
    out.push([
      'event_keys',
      `${cte} insert into event_keys (connection_id, subject, key_hash, event_id, expires_at)
       select ${lit(t.event.connectionId)}, ${own(t.key.subject)}, hashtextextended(${own(t.event.dedupeKey)}, 0), h.event_id, ${at(t.key.ttlMs)} from h
       where h.ms + ${t.key.ttlMs} >= ${o.kept.keys}
       on conflict do nothing`,
    ]);
  }
  if (keeps(o.kept.runs)) {
    // A waiting run has no job: the product would take it up at once (it is there for what reads the runs table).
    const seq = t.run.conversationKey !== null && o.conversationSeq ? `, nextval(${lit(o.conversationSeq)})` : '';
    out.push([
      'runs',
      `${cte} insert into runs (id, workspace_id, flow_id, version_id, event_id, status, error, conversation_key, search_key, created_at, started_at, finished_at${seq ? ', seq' : ''})
       select ${runId}, ${lit(t.workspaceId)}, ${lit(t.flowId)}, ${lit(t.versionId)}, h.event_id, h.status, ${errorOf('h.status')},
         ${lit(t.run.conversationKey)}, h.order_id, ${at(0)}, ${at(t.run.startMs)}, case when h.status <> 'waiting' then ${at(t.run.finishMs)} end${seq}
       from h where h.ms >= ${o.kept.runs}`,
    ]);
    if (o.uncertainRuns) {
      out.push([
        'uncertain_runs',
        `${cte} insert into uncertain_runs (run_id, workspace_id, flow_id, since)
         select ${runId}, ${lit(t.workspaceId)}, ${lit(t.flowId)}, ${at(t.run.finishMs)} from h where h.status = 'uncertain' and h.ms >= ${o.kept.runs}`,
      ]);
    }
  }
  if (t.steps.length && keeps(o.kept.runs)) {
    // A filtered run stops before the last step (W1: a trigger condition, no step at all); a failed, waiting
    // or uncertain one stops at it, with the error and without an output.
    const values = t.steps
      .map((s, k) => `(${k + 1}, ${lit(s.nodeId)}, ${lit(s.handle)}, ${s.attempts}, ${s.startMs}, ${s.finishMs}, ${own(s.input)}, ${own(s.output)})`)
      .join(', ');
    const last = `s.k = ${lastStep}`;
    out.push([
      'steps',
      `${cte} insert into steps (run_id, node_id, status, input, output, error, handle, attempts, resume_at, started_at, finished_at)
       select ${runId}, s.node_id, case when ${last} and h.status <> 'succeeded' then h.status else 'succeeded' end,
         s.input::json, case when ${last} and h.status <> 'succeeded' then null else s.output::json end,
         case when ${last} then ${errorOf('h.status')} end, s.handle, s.attempts,
         case when ${last} and h.status = 'waiting' then to_timestamp((h.ms + s.finish_ms + 60000) / 1000.0) end,
         to_timestamp((h.ms + s.start_ms) / 1000.0), case when not (${last} and h.status = 'waiting') then to_timestamp((h.ms + s.finish_ms) / 1000.0) end
       from h cross join lateral (values ${values}) as s(k, node_id, handle, attempts, start_ms, finish_ms, input, output)
       where h.ms >= ${o.kept.runs} and not (h.status = 'filtered' and ${last})`,
    ]);
  }
  if (t.messages.length && keeps(o.kept.messages)) {
    // Only a run that succeeded sent its messages.
    const values = t.messages
      .map(
        (m, k) =>
          `(${k}, ${lit(m.connectionId)}, ${lit(m.provider)}, ${lit(m.direction)}, ${lit(m.channel)}, ${own(m.from)}, ${own(m.to)}, ${own(m.text)}, ${own(m.providerMessageId)}, ${lit(m.status)}, ${own(m.conversationKey)}, ${m.atMs}::bigint)`,
      )
      .join(', ');
    out.push([
      'messages',
      `${cte} insert into messages (id, workspace_id, connection_id, provider, direction, channel, "from", "to", text, provider_message_id, status, conversation_key, run_id, created_at)
       select ${uuid7Sql('h.ms + m.at_ms', `${seed('m')} || '.' || m.k`)}, ${lit(t.workspaceId)}, m.connection_id::uuid, m.provider, m.direction, m.channel, m."from", m."to", m.text,
         m.provider_message_id, m.status, m.conversation_key, ${runId}, to_timestamp((h.ms + m.at_ms) / 1000.0)
       from h cross join lateral (values ${values}) as m(k, connection_id, provider, direction, channel, "from", "to", text, provider_message_id, status, conversation_key, at_ms)
       where h.status = 'succeeded' and h.ms >= ${o.kept.messages}`,
    ]);
  }
  if (t.delivery && keeps(o.kept.deliveries)) {
    out.push([
      'webhook_deliveries',
      `${cte} insert into webhook_deliveries (id, workspace_id, connection_id, received_at, outcome, reason, event_ids, body)
       select ${uuid7Sql('h.ms', seed('d'))}, ${lit(t.workspaceId)}, ${lit(t.delivery.connectionId)}, ${at(0)}, ${lit(t.delivery.outcome)}, ${lit(t.delivery.reason)},
         jsonb_build_array(h.event_id::text), ${own(t.delivery.body, true)}
       from h where h.ms >= ${o.kept.deliveries}`,
    ]);
  }
  return out;
}

/** The longest retention of any workspace, as the product's sweep reads it (runtime/partitions.ts). */
async function retentionOf(c: pg.Client): Promise<Retention> {
  const keys = Object.keys(DEFAULT_RETENTION) as Array<keyof Retention>;
  const { rows } = await c.query(
    `select ${keys.map((k, i) => `max(coalesce((settings #>> '{retention,${k}}')::int, $${i + 1}::int))::int as "${k}"`).join(', ')} from workspaces`,
    keys.map((k) => DEFAULT_RETENTION[k]),
  );
  return Object.fromEntries(keys.map((k) => [k, (rows[0] as Partial<Retention>)[k] ?? DEFAULT_RETENTION[k]])) as Retention;
}

/**
 * Writes `n` history runs shaped like `t`, oldest first, in batches, keeping what the product's retention
 * keeps; then VACUUM (ANALYZE) and a CHECKPOINT, so that the load after it meets what a database with that
 * history looks like when it runs: visibility map set, statistics known, and not gigabytes of the fill's
 * pages still to be written out by the next checkpoint (which would land in the middle of the measured phases).
 */
export async function fillHistory(url: string, t: Template, opts: FillOptions): Promise<FillResult> {
  const batch = opts.batch ?? BATCH;
  const say = opts.progress ?? (() => {});
  const rows: Record<string, number> = {};
  const secondsByTable: Record<string, number> = {};
  return withClient(url, async (c) => {
    // Day partitions first, so that the history lands in them and not in the DEFAULT partition
    // (bundles_ensure_partitions() of migration 0008; a schema without it has plain tables: skipped).
    const { rows: has } = await c.query<{ partitions: boolean; uncertain: boolean; seq: boolean }>(
      `select to_regprocedure('bundles_ensure_partitions(date, date)') is not null as partitions, to_regclass('uncertain_runs') is not null as uncertain,
              to_regclass('runs_conversation_seq') is not null as seq`,
    );
    const partitioned = has[0]!.partitions;
    if (partitioned) await c.query(`select bundles_ensure_partitions(current_date - ${HISTORY_DAYS + 1}, current_date)`);
    const retentionDays = await retentionOf(c);
    const today = Math.floor(opts.endMs / DAY_MS) * DAY_MS; // UTC midnight, as partitions expire
    const kept: Kept = {
      runs: today - retentionDays.runsDays * DAY_MS,
      messages: today - retentionDays.messagesDays * DAY_MS,
      deliveries: today - retentionDays.deliveriesDays * DAY_MS,
      keys: opts.endMs - SWEEP_MS,
    };
    const o: BatchOptions = { n: opts.n, endMs: opts.endMs, salt: opts.salt, kept, uncertainRuns: has[0]!.uncertain, conversationSeq: has[0]!.seq ? 'runs_conversation_seq' : null };
    // This session only: the product's settings are untouched.
    await c.query(`set maintenance_work_mem = '512MB'`);
    await c.query(`set work_mem = '64MB'`);
    const started = performance.now();
    let written = 0;
    for (let lo = 0; lo < o.n; lo += batch) {
      const hi = Math.min(o.n, lo + batch);
      const t0 = performance.now();
      let batchRows = 0;
      for (const [table, text] of batchStatements(t, o, lo, hi)) {
        const s0 = performance.now();
        const res = await c.query(text);
        secondsByTable[table] = (secondsByTable[table] ?? 0) + (performance.now() - s0) / 1000;
        rows[table] = (rows[table] ?? 0) + (res.rowCount ?? 0);
        batchRows += res.rowCount ?? 0;
      }
      written += batchRows;
      const s = (performance.now() - t0) / 1000;
      const total = (performance.now() - started) / 1000;
      say(
        `history: ${hi.toLocaleString('en-US')} of ${o.n.toLocaleString('en-US')} runs (${Math.round((100 * hi) / o.n)}%), ` +
          `${Math.round(batchRows / s).toLocaleString('en-US')} rows/s in this batch, ${Math.round(written / total).toLocaleString('en-US')} rows/s so far`,
      );
    }
    const fillS = (performance.now() - started) / 1000;
    const v0 = performance.now();
    await c.query('vacuum (analyze)');
    const vacuumS = (performance.now() - v0) / 1000;
    const k0 = performance.now();
    // A superuser (or pg_checkpoint) may; an external DATABASE_URL's role may not, and then the figure is NaN.
    const checkpointed = await c.query('checkpoint').then(
      () => true,
      () => false,
    );
    const checkpointS = checkpointed ? (performance.now() - k0) / 1000 : Number.NaN;
    let defaultRows = 0;
    if (partitioned) {
      const { rows: defaults } = await c.query<{ name: string }>(
        `select format('%I', c.relname) as name from pg_class c join pg_inherits i on i.inhrelid = c.oid where c.relkind = 'r' and c.relname like '%\\_default'`,
      );
      for (const d of defaults) defaultRows += (await c.query<{ n: number }>(`select count(*)::int as n from ${d.name}`)).rows[0]!.n;
    }
    const statuses: Record<string, number> = {};
    for (let i = 0; i < o.n; i++) {
      if (runMs(i, o.n, o.endMs) < kept.runs) continue;
      const st = historyStatus(i, o.n);
      statuses[st] = (statuses[st] ?? 0) + 1;
    }
    return { runs: o.n, rows, fillS, vacuumS, checkpointS, rowsPerSec: written / fillS, secondsByTable, partitioned, defaultRows, retentionDays, statuses };
  });
}

// ---------------------------------------------------------------------------------------------
// What the history is for: the Runs page's search and the metrics scrape, timed.

export interface SearchTiming {
  /** `http`: GET /api/runs?q= (the route the Runs page uses); `sql`: the equivalent query, while the route has no `q`. */
  via: 'http' | 'sql';
  searches: number;
  /** Searches that found at least one run. */
  found: number;
  ms: LatencySummary;
}

/**
 * `ids` one after another, each timed from request to full answer. Over HTTP when the route filters by `q`
 * (a search for an id that exists nowhere answers no run), else the query the route is to run.
 */
export async function timeSearches(opts: { base: string; token: string; databaseUrl: string; workspaceId: string; ids: readonly string[] }): Promise<SearchTiming> {
  const get = async (q: string) => {
    const res = await fetch(`${opts.base}/api/runs?q=${encodeURIComponent(q)}`, { headers: { authorization: `Bearer ${opts.token}` } });
    const text = await res.text();
    return { ok: res.ok, runs: res.ok ? (JSON.parse(text) as { items: unknown[] }).items : [] };
  };
  const probe = await get(`no-such-order-${Date.now()}`);
  const times: number[] = [];
  let found = 0;
  if (probe.ok && probe.runs.length === 0) {
    await get(opts.ids[0]!); // warm: the first request of a route compiles its schema
    for (const id of opts.ids) {
      const t0 = performance.now();
      const { ok, runs } = await get(id);
      times.push(performance.now() - t0);
      if (!ok) throw new Error(`GET /api/runs?q=${id} failed`);
      if (runs.length) found++;
    }
    return { via: 'http', searches: times.length, found, ms: summarize(times) };
  }
  await withClient(opts.databaseUrl, async (c) => {
    const search = (q: string) =>
      c.query({
        name: 'bench_search',
        text: `select id, flow_id, version_id, event_id, status, error, created_at, started_at, finished_at
               from runs where search_key = $1 and workspace_id = $2 order by id desc limit 50`,
        values: [q, opts.workspaceId],
      });
    await search(opts.ids[0]!);
    for (const id of opts.ids) {
      const t0 = performance.now();
      const { rowCount } = await search(id);
      times.push(performance.now() - t0);
      if (rowCount) found++;
    }
  });
  return { via: 'sql', searches: times.length, found, ms: summarize(times) };
}

export interface ScrapeTiming {
  samples: number[];
  medianMs: number;
  maxMs: number;
  bytes: number;
}

/** GET /metrics `times` times in a row, each timed until its body is read. */
export async function timeMetricsScrape(base: string, times = 5): Promise<ScrapeTiming> {
  const samples: number[] = [];
  let bytes = 0;
  for (let k = 0; k < times; k++) {
    const t0 = performance.now();
    const res = await fetch(`${base}/metrics`);
    const body = await res.text();
    samples.push(performance.now() - t0);
    if (!res.ok) throw new Error(`GET /metrics answered ${res.status}: ${body.slice(0, 200)}`);
    bytes = Buffer.byteLength(body);
  }
  const s = summarize(samples);
  return { samples, medianMs: s.p50, maxMs: s.max, bytes };
}
