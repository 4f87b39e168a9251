// The audit log's reader: a workspace's entries newest first, filtered by user, kind and time, a page at a time.
import { and, desc, eq, like, sql, type SQL } from 'drizzle-orm';
import type { AuditEntryView, AuditPage, AuditQuery } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { auditLog } from '../db/schema/index.js';
import { AppError } from './errors.js';
import { timeBounds } from './time-bounds.js';
import { isUuid } from '../ids.js';

/**
 * A cursor names the last entry of a page by its place in the order, (created_at, id): the next page starts
 * after it even when that entry is gone (retention). The time keeps PostgreSQL's microseconds (a JS Date
 * would round them, and skip or repeat entries of the same millisecond). Opaque to clients: base64url.
 */
interface Cursor {
  at: string;
  id: string;
}

const cursorTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.at}|${c.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(value: string): Cursor {
  const [at, id, ...rest] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  if (rest.length || !at || !id || !cursorTime.test(at) || Number.isNaN(Date.parse(at)) || !isUuid(id)) {
    throw new AppError(400, 'invalid_cursor', 'The cursor is not one this list answered: send the `nextCursor` of the previous page as it came, or none for the first page.', { field: 'cursor' });
  }
  return { at, id };
}

/** `bundle.` (a prefix, ending with a dot) matches every kind it starts; anything else one kind exactly. */
function kindCondition(kind: string): SQL {
  if (!kind.endsWith('.')) return eq(auditLog.kind, kind);
  // The regex of the query schema allows only [a-z_.]: `_` is LIKE's one-character wildcard, so escape it.
  return like(auditLog.kind, `${kind.replace(/_/g, '\\_')}%`);
}

/**
 * `from`/`to` as time-bounds.ts reads them (a 422 naming a field that is no date), except that a time with
 * microseconds, as entries' `at` are, is compared with all of them: `to` = an entry's `at` includes it.
 */
function bounds(q: { from?: string | undefined; to?: string | undefined }): SQL[] {
  timeBounds(auditLog.createdAt, q); // only for its 422 on a value that is no date
  const out: SQL[] = [];
  for (const [key, op] of [['from', '>='], ['to', '<=']] as const) {
    const v = q[key];
    if (!v) continue;
    const exact = cursorTime.test(v) ? v : new Date(v).toISOString();
    out.push(sql`${auditLog.createdAt} ${sql.raw(op)} ${exact}::timestamptz`);
  }
  return out;
}

const atText = sql<string>`to_char(${auditLog.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export class AuditLogService {
  constructor(private db: Db) {}

  /** Newest first, through audit_log_workspace_idx (workspace_id, created_at desc, id desc). */
  async list(workspaceId: string, q: AuditQuery): Promise<AuditPage> {
    const where: SQL[] = [eq(auditLog.workspaceId, workspaceId)];
    if (q.userId !== undefined) {
      if (!isUuid(q.userId)) return { items: [], nextCursor: null };
      where.push(eq(auditLog.userId, q.userId));
    }
    if (q.kind) where.push(kindCondition(q.kind));
    where.push(...bounds(q));
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      // A row comparison: the index's order, so PostgreSQL starts the scan right after the cursor.
      where.push(sql`(${auditLog.createdAt}, ${auditLog.id}) < (${c.at}::timestamptz, ${c.id}::uuid)`);
    }
    const limit = q.limit ?? 50;
    const rows = await this.db
      .select({ row: auditLog, at: atText })
      .from(auditLog)
      .where(and(...where))
      .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(({ row, at }) => present(row, at)), nextCursor: rows.length > limit && last ? encodeCursor({ at: last.at, id: last.row.id }) : null };
  }
}

function present(r: typeof auditLog.$inferSelect, at: string): AuditEntryView {
  return {
    id: r.id,
    at,
    user: r.actorEmail !== null ? { id: r.userId, email: r.actorEmail } : null,
    kind: r.kind,
    targetType: r.targetType,
    targetId: r.targetId,
    detail: r.detail,
  };
}
