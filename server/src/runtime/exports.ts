// Background exports into a connection from another one (a provider's `exports`): a graphile-worker job per
// export, progress and checkpoint saved in connection_exports, resumed from the checkpoint after a restart.
import type pg from 'pg';
import { ProviderError, type ExportContext, type ExportProgress } from '@bundles/nodes';
import type { ExecuteDeps } from './execute.js';
import { connectionLedger } from './ledger.js';
import { providerContext } from './provider-context.js';

export const exportTask = 'export';
/** Error lines kept per export: the first ones tell what to fix; a count says how many more there were. */
const maxErrors = 200;

interface ExportRow {
  id: string;
  connection_id: string;
  source_connection_id: string;
  kind: string;
  options: Record<string, unknown>;
  status: string;
  checkpoint: unknown;
}

const saveSql = `
update connection_exports set checkpoint = $2, done = $3, total = $4, failed = $5, updated_at = now(),
  errors = (select coalesce(jsonb_agg(e), '[]'::jsonb) from (
    select e from jsonb_array_elements(errors || $6::jsonb) with ordinality as t(e, n) order by n limit ${maxErrors}) x)
where id = $1`;

async function finish(pool: pg.Pool, id: string, status: 'succeeded' | 'failed', text: string): Promise<void> {
  await pool.query(
    `update connection_exports set status = $2, ${status === 'succeeded' ? 'report' : 'error'} = $3, finished_at = now(), updated_at = now() where id = $1`,
    [id, status, text.slice(0, 4000)],
  );
}

/**
 * Runs (or resumes) one export to its end. A retryable failure is thrown for the queue to try again later
 * (from the last checkpoint); a permanent one, or the last attempt, ends the export failed with the reason.
 */
export async function runExport(deps: ExecuteDeps, exportId: string, attempt: { number: number; max: number }): Promise<void> {
  const { pool, log } = deps;
  const { rows } = await pool.query<ExportRow>(`select id, connection_id, source_connection_id, kind, options, status, checkpoint from connection_exports where id = $1`, [exportId]);
  const row = rows[0];
  if (!row || row.status === 'succeeded' || row.status === 'failed') return;
  const [target, source] = await Promise.all([deps.connections.get(row.connection_id), deps.connections.get(row.source_connection_id)]);
  const def = target?.provider.exports?.[row.kind];
  if (!target || !source || !def) return finish(pool, exportId, 'failed', 'The connection exported into or from was deleted, or no longer offers this export: start the export again from the connections you have now.');
  await pool.query(`update connection_exports set status = 'running', attempts = attempts + 1, error = null, updated_at = now() where id = $1`, [exportId]);

  const ctx: ExportContext<Record<string, unknown>> = {
    ...providerContext({ ...deps, log: log.child({ exportId }) }, target.context),
    source: source.context,
    options: def.options.parse(row.options) as Record<string, unknown>,
    // Each attempt claims as itself: a key an earlier attempt claimed and never completed (the process died in
    // the call) is `held`, so a resumed export reports it instead of sending it a second time.
    ledger: connectionLedger(pool, target.id, `export:${exportId}:${attempt.number}`),
    checkpoint: row.checkpoint ?? null,
    async save(p: ExportProgress) {
      await pool.query(saveSql, [exportId, JSON.stringify(p.checkpoint ?? null), p.done, p.total, p.failed, JSON.stringify(p.errors ?? [])]);
    },
  };
  try {
    const { report } = await def.run(ctx);
    await finish(pool, exportId, 'succeeded', report);
  } catch (err) {
    const permanent = err instanceof ProviderError && !err.retryable;
    const message = err instanceof Error ? err.message : String(err);
    if (permanent || attempt.number >= attempt.max) {
      await finish(pool, exportId, 'failed', permanent ? message : `gave up after ${attempt.number} attempts: ${message}`);
      return;
    }
    await pool.query(`update connection_exports set error = $2, updated_at = now() where id = $1`, [exportId, `will try again: ${message}`.slice(0, 4000)]);
    throw err;
  }
}
