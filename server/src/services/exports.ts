// Exports into a connection from another one: checked and queued here, run by a worker (runtime/exports.ts).
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { getProvider } from '@bundles/nodes';
import type { ConnectionExport } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { connectionExports, connections } from '../db/schema/index.js';
import { exportTask } from '../runtime/exports.js';
import { AppError, notFound } from './errors.js';
import { isUuid } from '../ids.js';

type Row = typeof connectionExports.$inferSelect;

function present(r: Row): ConnectionExport {
  return {
    id: r.id,
    connectionId: r.connectionId,
    sourceConnectionId: r.sourceConnectionId,
    kind: r.kind,
    status: r.status,
    done: r.done,
    total: r.total,
    failed: r.failed,
    errors: r.errors,
    report: r.report,
    error: r.error,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
  };
}

export class ExportService {
  constructor(private deps: { db: Db }) {}

  private async connection(workspaceId: string, id: string, what: string) {
    if (!isUuid(id)) throw notFound(what);
    const [row] = await this.deps.db.select().from(connections).where(and(eq(connections.id, id), eq(connections.workspaceId, workspaceId)));
    if (!row) throw notFound(what);
    return row;
  }

  async create(workspaceId: string, connectionId: string, body: { sourceConnectionId: string } & Record<string, unknown>): Promise<{ id: string }> {
    const target = await this.connection(workspaceId, connectionId, 'Connection');
    const provider = getProvider(target.provider)!;
    const exports = Object.entries(provider.exports ?? {});
    if (exports.length === 0) throw new AppError(422, 'no_export', `${provider.title} connections offer no export.`);
    const source = await this.connection(workspaceId, body.sourceConnectionId, 'Source connection');
    const found = exports.find(([, def]) => def.sources.includes(source.provider));
    if (!found) {
      const names = [...new Set(exports.flatMap(([, d]) => d.sources))].map((id) => getProvider(id)?.title ?? id);
      throw new AppError(422, 'invalid_export', `${provider.title} exports only from ${names.join(', ')}, not from ${getProvider(source.provider)?.title ?? source.provider}.`, {
        issues: [{ field: 'sourceConnectionId', message: `a ${names.join(' or ')} connection` }],
      });
    }
    const [kind, def] = found;
    const { sourceConnectionId: _source, ...rest } = body;
    const parsed = def.options.safeParse(rest);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i: { path: PropertyKey[]; message: string }) => ({ field: i.path.join('.'), message: i.message }));
      throw new AppError(422, 'invalid_export', `Invalid export: ${issues.map((i: { field: string; message: string }) => `${i.field} ${i.message}`).join('; ')}.`, { issues });
    }
    return this.deps.db.transaction(async (tx) => {
      const running = await tx
        .select({ id: connectionExports.id })
        .from(connectionExports)
        .where(and(eq(connectionExports.connectionId, target.id), inArray(connectionExports.status, ['queued', 'running'])));
      if (running.length > 0) throw new AppError(409, 'export_running', 'An export into this connection is still running: wait for it to end.', { exportId: running[0]!.id });
      const [row] = await tx
        .insert(connectionExports)
        .values({ workspaceId, connectionId: target.id, sourceConnectionId: source.id, kind, options: parsed.data as Record<string, unknown> })
        .returning({ id: connectionExports.id });
      // The job is queued in the same transaction: an export row never waits for a job that does not exist.
      await tx.execute(sql`select graphile_worker.add_job(${exportTask}, json_build_object('exportId', ${row!.id}::text), max_attempts => 10, job_key => ${`export:${row!.id}`})`);
      return { id: row!.id };
    });
  }

  async get(workspaceId: string, connectionId: string, exportId: string): Promise<ConnectionExport> {
    await this.connection(workspaceId, connectionId, 'Connection');
    if (!isUuid(exportId)) throw notFound('Export');
    const [row] = await this.deps.db.select().from(connectionExports).where(and(eq(connectionExports.id, exportId), eq(connectionExports.connectionId, connectionId)));
    if (!row) throw notFound('Export');
    return present(row);
  }

  async list(workspaceId: string, connectionId: string): Promise<ConnectionExport[]> {
    await this.connection(workspaceId, connectionId, 'Connection');
    const rows = await this.deps.db.select().from(connectionExports).where(eq(connectionExports.connectionId, connectionId)).orderBy(desc(connectionExports.createdAt)).limit(20);
    return rows.map(present);
  }
}
