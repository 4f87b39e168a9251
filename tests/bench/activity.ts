// What else PostgreSQL did during phases a+b (`pnpm bench --profile`): autovacuum and autoanalyze by table
// (pg_stat_all_tables before and after), the WAL written (pg_stat_wal: records, full-page images, bytes), the
// relations whose blocks were not in shared buffers (pg_statio_all_tables), and the longest transactions seen
// by a sampler of pg_stat_activity (a long one holds back the horizon below which VACUUM may remove dead rows).
import pg from 'pg';
import { withClient } from './db.js';

interface TableCounts {
  autovacuum: number;
  autoanalyze: number;
  read: number;
  hit: number;
  heap: number;
}
type Counts = Map<string, TableCounts>;
interface Wal {
  records: number;
  fpi: number;
  bytes: number;
}

/** The counters of every table (pg_stat_all_tables, pg_statio_all_tables) and of the WAL, now. */
async function readCounters(url: string): Promise<{ tables: Counts; wal: Wal }> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ name: string; v: string; a: string; read: string; hit: string; heap: string }>(
      `select case when t.schemaname = 'public' then t.relname else t.schemaname || '.' || t.relname end as name,
              t.autovacuum_count::text as v, t.autoanalyze_count::text as a,
              (coalesce(io.heap_blks_read, 0) + coalesce(io.idx_blks_read, 0) + coalesce(io.toast_blks_read, 0) + coalesce(io.tidx_blks_read, 0))::text as read,
              (coalesce(io.heap_blks_hit, 0) + coalesce(io.idx_blks_hit, 0) + coalesce(io.toast_blks_hit, 0) + coalesce(io.tidx_blks_hit, 0))::text as hit,
              (coalesce(io.heap_blks_hit, 0) + coalesce(io.heap_blks_read, 0))::text as heap
       from pg_stat_all_tables t join pg_statio_all_tables io on io.relid = t.relid
       where t.schemaname not in ('pg_catalog', 'information_schema', 'pg_toast')`,
    );
    const { rows: w } = await c.query<{ records: string; fpi: string; bytes: string }>(
      `select wal_records::text as records, wal_fpi::text as fpi, wal_bytes::text as bytes from pg_stat_wal`,
    );
    return {
      tables: new Map(rows.map((r) => [r.name, { autovacuum: Number(r.v), autoanalyze: Number(r.a), read: Number(r.read), hit: Number(r.hit), heap: Number(r.heap) }])),
      wal: { records: Number(w[0]!.records), fpi: Number(w[0]!.fpi), bytes: Number(w[0]!.bytes) },
    };
  });
}

/** Each table's counters between two readings (a table new in the second counts from zero). */
function countsBetween(from: Counts, to: Counts): Array<TableCounts & { table: string }> {
  return [...to].map(([table, a]) => {
    const b = from.get(table);
    return { table, autovacuum: a.autovacuum - (b?.autovacuum ?? 0), autoanalyze: a.autoanalyze - (b?.autoanalyze ?? 0), read: a.read - (b?.read ?? 0), hit: a.hit - (b?.hit ?? 0), heap: a.heap - (b?.heap ?? 0) };
  });
}

interface Seen {
  ms: number;
  backend: string;
  query: string;
}

/** A transaction seen running for at least LONG_MS: when it began (performance.now() of this process) and for how long it was seen. */
export interface LongTransaction extends Seen {
  beganAt: number;
}

const LONG_MS = 20;

export interface ActivityReport {
  /** Tables autovacuum vacuumed or analyzed during the phases, with how many times. */
  maintenance: Array<{ table: string; autovacuum: number; autoanalyze: number }>;
  /** Relations whose blocks were read from outside shared buffers, most first (blocks read, blocks found). */
  reads: Array<{ table: string; read: number; hit: number }>;
  /** Relations whose blocks were used most during phase b (once marked) (found in shared buffers or read), with how many of them were the table's own (not its indexes'). */
  used: Array<{ table: string; blocks: number; heap: number }>;
  /** WAL written over the phases. */
  wal: Wal;
  /** The longest transactions seen (one per backend and query), longest first. */
  longest: Seen[];
  /** Every transaction seen running for at least 20 ms, by when it began. */
  long: LongTransaction[];
  samples: number;
}

export interface ActivityWatch {
  /** Marks the start of phase b: `used` counts the blocks used from here on. */
  markPhaseB(): Promise<void>;
  stop(): Promise<ActivityReport>;
}

/** Starts watching; `stop` ends the sampler and reads the counts again. */
export async function watchActivity(url: string, everyMs = 100): Promise<ActivityWatch> {
  const before = await readCounters(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const longest = new Map<string, Seen>();
  const long = new Map<string, LongTransaction>();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const { rows } = await client.query<{ backend: string; query: string; ms: number; xact: string }>(
        `select backend_type as backend, left(regexp_replace(query, '\\s+', ' ', 'g'), 80) as query,
                (extract(epoch from clock_timestamp() - xact_start) * 1000)::float8 as ms, pid::text || ':' || xact_start::text as xact
         from pg_stat_activity where pid <> pg_backend_pid() and xact_start is not null`,
      );
      const now = performance.now();
      samples++;
      for (const r of rows) {
        const key = `${r.backend}\u0000${r.query}`;
        if ((longest.get(key)?.ms ?? -1) < r.ms) longest.set(key, { ms: r.ms, backend: r.backend, query: r.query });
        if (r.ms >= LONG_MS && (long.get(r.xact)?.ms ?? -1) < r.ms) long.set(r.xact, { ms: r.ms, backend: r.backend, query: r.query, beganAt: now - r.ms });
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  let phaseB: Counts | null = null;
  return {
    async markPhaseB() {
      phaseB = (await readCounters(url)).tables;
    },
    async stop() {
      stopped = true;
      await loop;
      await client.end();
      const after = await readCounters(url);
      const delta = countsBetween(before.tables, after.tables);
      const maintenance = delta.filter((m) => m.autovacuum > 0 || m.autoanalyze > 0).sort((x, y) => x.table.localeCompare(y.table));
      const reads = delta.filter((m) => m.read > 0).sort((x, y) => y.read - x.read).slice(0, 8).map(({ table, read, hit }) => ({ table, read, hit }));
      const used = countsBetween(phaseB ?? before.tables, after.tables)
        .map(({ table, read, hit, heap }) => ({ table, blocks: read + hit, heap }))
        .filter((u) => u.blocks > 0)
        .sort((x, y) => y.blocks - x.blocks)
        .slice(0, 10);
      const wal = { records: after.wal.records - before.wal.records, fpi: after.wal.fpi - before.wal.fpi, bytes: after.wal.bytes - before.wal.bytes };
      return { maintenance, reads, used, wal, longest: [...longest.values()].sort((x, y) => y.ms - x.ms).slice(0, 6), long: [...long.values()].sort((x, y) => x.beganAt - y.beganAt), samples };
    },
  };
}

export function formatActivity(r: ActivityReport, runs: number, phaseBRuns = runs): string {
  const m = r.maintenance.length
    ? r.maintenance.map((x) => `${x.table} (${[x.autovacuum ? `vacuum ${x.autovacuum}` : '', x.autoanalyze ? `analyze ${x.autoanalyze}` : ''].filter(Boolean).join(', ')})`).join(', ')
    : 'none';
  const l = r.longest.map((s) => `  ${s.ms.toFixed(0).padStart(7)} ms  ${s.backend}: ${s.query}`);
  const per = (v: number) => (runs > 0 ? (v / runs).toFixed(2) : '–');
  const perB = (v: number) => (phaseBRuns > 0 ? (v / phaseBRuns).toFixed(1) : '–');
  const reads = r.reads.length ? r.reads.map((x) => `${x.table} ${x.read.toLocaleString('en-US')} of ${(x.read + x.hit).toLocaleString('en-US')}`).join(', ') : 'none';
  return [
    `PostgreSQL maintenance during a+b: ${m}`,
    `WAL during a+b: ${r.wal.records.toLocaleString('en-US')} records, ${r.wal.fpi.toLocaleString('en-US')} full-page images, ${(r.wal.bytes / 1e6).toFixed(1)} MB; per run ${per(r.wal.records)} records, ${per(r.wal.fpi)} full-page images, ${per(r.wal.bytes)} bytes`,
    `blocks read from outside shared buffers during a+b (of all blocks used): ${reads}`,
    `blocks used during b, per run (the table's own, the rest its indexes'): ${r.used.map((u) => `${u.table} ${perB(u.blocks)} (${perB(u.heap)})`).join(', ') || 'none'}`,
    `longest transactions seen during a+b (${r.samples} samples of pg_stat_activity):`,
    ...l,
  ].join('\n');
}

/** The long transactions that began in a phase, by when (seconds from its start). */
export function formatLongIn(long: readonly LongTransaction[], fromMs: number, toMs: number, phase: string): string {
  const inPhase = long.filter((t) => t.beganAt >= fromMs && t.beganAt < toMs);
  const list = inPhase.slice(0, 12).map((t) => `${((t.beganAt - fromMs) / 1000).toFixed(2)} s ${t.ms.toFixed(0)} ms ${t.backend === 'client backend' ? '' : `${t.backend}: `}${t.query.trim().slice(0, 40)}`);
  return `transactions of ≥ ${LONG_MS} ms that began during ${phase}, by when: ${list.length ? list.join('; ') : 'none'}${inPhase.length > 12 ? `; and ${inPhase.length - 12} more` : ''}`;
}
