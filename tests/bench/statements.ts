// PostgreSQL's side of `pnpm bench --profile`: pg_stat_statements over phases a+b and over b alone, by total time.
import { withClient } from './db.js';

export interface StatementRow {
  query: string;
  calls: number;
  totalMs: number;
  planMs: number;
  rows: number;
  /** Shared buffers found, read from outside them, and dirtied (pg_stat_statements' shared_blks_*). */
  blocks: { hit: number; read: number; dirtied: number };
  /** Run inside another statement (a foreign-key check, a function's query). */
  nested: boolean;
}

/** The statements' counters at one moment, by query id: `top(limit, since)` then gives what ran after it. */
export type StatementSnapshot = Map<string, StatementRow>;

export interface StatementStats {
  reset(): Promise<void>;
  snapshot(): Promise<StatementSnapshot>;
  top(limit?: number, since?: StatementSnapshot): Promise<StatementRow[]>;
}

/** Every statement's counters, by query id (top-level and nested apart). */
async function readAll(url: string): Promise<StatementSnapshot> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ id: string; query: string; calls: string; total: number; plan: number; rows: string; toplevel: boolean; hit: string; read: string; dirtied: string }>(
      `select s.queryid::text || ':' || s.toplevel::text as id, s.query, s.calls::text, s.total_exec_time + s.total_plan_time as total,
              s.total_plan_time as plan, s.rows::text, s.toplevel, s.shared_blks_hit::text as hit, s.shared_blks_read::text as read,
              s.shared_blks_dirtied::text as dirtied
       from pg_stat_statements s join pg_database d on d.oid = s.dbid
       where d.datname = current_database()`,
    );
    return new Map(
      rows.map((r) => [
        r.id,
        { query: r.query, calls: Number(r.calls), totalMs: r.total, planMs: r.plan, rows: Number(r.rows), blocks: { hit: Number(r.hit), read: Number(r.read), dirtied: Number(r.dirtied) }, nested: !r.toplevel },
      ]),
    );
  });
}

/** What each statement did between two snapshots, the busiest first. */
export function statementsBetween(before: StatementSnapshot, after: StatementSnapshot, limit: number): StatementRow[] {
  const rows: StatementRow[] = [];
  for (const [id, a] of after) {
    const b = before.get(id);
    const blocks = b ? { hit: a.blocks.hit - b.blocks.hit, read: a.blocks.read - b.blocks.read, dirtied: a.blocks.dirtied - b.blocks.dirtied } : a.blocks;
    const row = b ? { ...a, calls: a.calls - b.calls, totalMs: a.totalMs - b.totalMs, planMs: a.planMs - b.planMs, rows: a.rows - b.rows, blocks } : a;
    if (row.calls > 0) rows.push(row);
  }
  return rows.sort((x, y) => y.totalMs - x.totalMs).slice(0, limit);
}

/** Null when the server does not load pg_stat_statements (an external DATABASE_URL may not). */
export async function statementStats(url: string): Promise<StatementStats | null> {
  const loaded = await withClient(url, async (c) => {
    const { rows } = await c.query<{ v: string }>(`select current_setting('shared_preload_libraries') as v`);
    if (!rows[0]!.v.includes('pg_stat_statements')) return false;
    await c.query('create extension if not exists pg_stat_statements');
    return true;
  });
  if (!loaded) return null;
  return {
    reset: () => withClient(url, async (c) => void (await c.query('select pg_stat_statements_reset()'))),
    snapshot: () => readAll(url),
    top: async (limit = 16, since = new Map()) => statementsBetween(since, await readAll(url), limit),
  };
}

const perCall = (v: number, calls: number) => (calls > 0 ? (v / calls).toFixed(1).padStart(6) : '–');

export function formatStatements(top: StatementRow[] | null, runs: number, phase = 'a+b'): string {
  if (!top) return 'PostgreSQL statements: pg_stat_statements is not loaded in this server (the embedded one loads it under --profile).';
  // Nested statements' time is already inside their top-level statement's.
  const total = top.reduce((a, r) => a + (r.nested ? 0 : r.totalMs), 0);
  const lines = top.map((r) => {
    const text = r.query.replace(/\s+/g, ' ').slice(0, 90);
    return `  ${r.totalMs.toFixed(0).padStart(7)} ms ${((100 * r.totalMs) / (total || 1)).toFixed(1).padStart(5)}%  ${r.calls.toString().padStart(7)} calls  ${(r.totalMs / (r.calls || 1)).toFixed(3).padStart(7)} ms/call  ${(r.totalMs / (runs || 1)).toFixed(3).padStart(6)} ms/run  plan ${r.planMs.toFixed(0).padStart(5)} ms  blocks/call ${perCall(r.blocks.hit + r.blocks.read, r.calls)} (dirtied ${perCall(r.blocks.dirtied, r.calls)})  ${r.nested ? '(nested) ' : ''}${text}`;
  });
  return [`PostgreSQL statements during ${phase} (pg_stat_statements, top ${top.length} by time, ${runs} runs; a nested statement's time is part of the one that ran it):`, ...lines].join('\n');
}
