// Bytes on disk per run: pg_total_relation_size (table, TOAST and indexes) of every table the
// product writes, before and after the measured phases. A partitioned table counts all its
// partitions, so the figure stays comparable when a table becomes partitioned.
import { withClient } from './db.js';

export type Sizes = Map<string, number>;

/**
 * VACUUM the tables measured, as autovacuum does over time: space of deleted rows (graphile-worker's
 * finished jobs, a run's earlier row versions) is then free for the next rows, and empty trailing pages
 * are given back, so the figure is what stays, not what the last seconds left to clean up.
 */
export async function settle(url: string): Promise<void> {
  await withClient(url, async (c) => {
    const { rows } = await c.query<{ name: string }>(
      `select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relkind = 'r' and (n.nspname = 'public' or (n.nspname = 'graphile_worker' and c.relname = '_private_jobs'))`,
    );
    // The job queue holds no history: a finished job is deleted. Plain VACUUM gives its pages back only behind
    // the last row still there, so a single job left near the end of the table kept 19 MB of free space (reused by
    // the next jobs) counted as 440 bytes a run, in some --history runs and not others. Rewritten (a few live
    // rows, milliseconds), it measures what a run leaves in the queue: nothing, its index entries included.
    for (const r of rows) await c.query(r.name === 'graphile_worker._private_jobs' ? `vacuum full ${r.name}` : `vacuum ${r.name}`);
  });
}

/** Every table of the public schema and graphile-worker's job table, by name, in bytes. */
export async function tableSizes(url: string): Promise<Sizes> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ name: string; bytes: string }>(
      `select case when n.nspname = 'public' then c.relname else n.nspname || '.' || c.relname end as name,
              (case when c.relkind = 'p'
                    then (select coalesce(sum(pg_total_relation_size(t.relid)), 0) from pg_partition_tree(c.oid) t)
                    else pg_total_relation_size(c.oid) end)::text as bytes
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relkind in ('r', 'p') and not c.relispartition
         and (n.nspname = 'public' or (n.nspname = 'graphile_worker' and c.relname = '_private_jobs'))`,
    );
    return new Map(rows.map((r) => [r.name, Number(r.bytes)]));
  });
}

/**
 * The same bytes split by relation: each table's rows (heap and TOAST) and each of its indexes, a
 * partitioned table or index with all its partitions, so what a change moves is seen per index.
 */
export async function relationSizes(url: string): Promise<Sizes> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ name: string; bytes: string }>(
      `with rel as (
         select c.oid, c.relkind, coalesce(pg_partition_root(c.oid), c.oid) as root,
                case when c.relkind = 'r' then c.oid else i.indrelid end as tbl
         from pg_class c left join pg_index i on i.indexrelid = c.oid
         where c.relkind in ('r', 'i'))
       select case when n.nspname = 'public' then rc.relname else n.nspname || '.' || rc.relname end
                || case when rc.relkind in ('i', 'I') then '' else ' (rows)' end as name,
              sum(case when rel.relkind = 'r' then pg_table_size(rel.oid) else pg_relation_size(rel.oid) end)::text as bytes
       from rel
       join pg_class rc on rc.oid = rel.root
       join pg_class t on t.oid = rel.tbl
       join pg_namespace n on n.oid = rc.relnamespace
       where n.nspname = 'public' or (n.nspname = 'graphile_worker' and t.relname = '_private_jobs')
       group by 1`,
    );
    return new Map(rows.map((r) => [r.name, Number(r.bytes)]));
  });
}

export interface Footprint {
  /** All tables together, bytes per run. */
  total: number;
  /** Per table that grew, bytes per run, largest first. */
  tables: Record<string, number>;
  /** Per relation that grew (a table's rows, each index), bytes per run, largest first. */
  relations?: Record<string, number>;
}

export function bytesPerRun(before: Sizes, after: Sizes, runs: number): Footprint {
  const grown: Array<[string, number]> = [];
  let total = 0;
  for (const [name, bytes] of after) {
    const delta = bytes - (before.get(name) ?? 0);
    total += delta;
    if (delta !== 0) grown.push([name, runs > 0 ? Math.round(delta / runs) : 0]);
  }
  grown.sort((a, b) => b[1] - a[1]);
  return { total: runs > 0 ? Math.round(total / runs) : 0, tables: Object.fromEntries(grown) };
}

export function formatFootprint(f: Footprint): string {
  const parts = Object.entries(f.tables).map(([name, b]) => `${name} ${b.toLocaleString('en-US')}`);
  const line = `bytes per run by table (with TOAST and indexes): ${parts.join(', ') || 'none grew'}`;
  if (!f.relations) return line;
  const relations = Object.entries(f.relations).map(([name, b]) => `${name} ${b.toLocaleString('en-US')}`);
  return `${line}\nby relation: ${relations.join(', ') || 'none grew'}`;
}
