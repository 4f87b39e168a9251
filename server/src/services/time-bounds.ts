// `from`/`to` of a list query (runs, messages): ISO 8601 times bounding a timestamp column.
import { gte, lte, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { AppError } from './errors.js';

/** The conditions for `from` (at or after) and `to` (at or before); a value that is no date is a 422 naming its field. */
export function timeBounds(column: PgColumn, q: { from?: string | undefined; to?: string | undefined }): SQL[] {
  const out: SQL[] = [];
  for (const [key, op] of [['from', gte], ['to', lte]] as const) {
    const v = q[key];
    if (!v) continue;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) throw new AppError(422, 'invalid_request', `"${key}" is not a date: use ISO 8601, e.g. 2026-11-01T00:00:00Z.`, { issues: [{ field: key, message: 'not a date' }] });
    out.push(op(column, d));
  }
  return out;
}
