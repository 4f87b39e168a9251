// A workspace's settings: its name, how long its history is kept (settings.retention; a missing field takes its
// default), and its time zone (settings.timeZone: the days of daily send caps).
import { eq, sql } from 'drizzle-orm';
import { canonicalTimeZone, DEFAULT_RETENTION, DEFAULT_TIME_ZONE, MAX_RETENTION_DAYS, retentionSchema, WORKSPACE_NAME_MAX, type Retention, type Workspace } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { workspaces } from '../db/schema/index.js';
import { AppError, notFound } from './errors.js';
import { recordAudit, type AuditActor } from './audit.js';

const retentionFields = Object.keys(DEFAULT_RETENTION) as Array<keyof Retention>;
const isRetentionField = (key: string): key is keyof Retention => (retentionFields as string[]).includes(key);
const daysMessage = `must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}`;

/** The stored fields with the defaults filled in; a stored value out of bounds (edited by hand) counts as missing. */
function withDefaults(stored: unknown): Retention {
  const given = stored && typeof stored === 'object' ? (stored as Record<string, unknown>) : {};
  const out = { ...DEFAULT_RETENTION } as Retention;
  for (const field of retentionFields) {
    const parsed = retentionSchema.shape[field].safeParse(given[field]);
    if (parsed.success) out[field] = parsed.data;
  }
  return out;
}

/** Checks a change before it is stored: only the three fields, each a whole number of days in bounds (422 naming the field). */
function validChange(input: unknown): Partial<Retention> {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw new AppError(422, 'invalid_settings', `Invalid retention: send an object with any of ${retentionFields.join(', ')}.`, {
      issues: [{ field: 'body', message: `must be an object with any of ${retentionFields.join(', ')}` }],
    });
  }
  const change: Partial<Retention> = {};
  const issues: Array<{ field: string; message: string }> = [];
  for (const [field, value] of Object.entries(input)) {
    if (!isRetentionField(field)) {
      issues.push({ field, message: 'is not a retention setting' });
      continue;
    }
    const parsed = retentionSchema.shape[field].safeParse(value);
    if (parsed.success) change[field] = parsed.data;
    else issues.push({ field, message: daysMessage });
  }
  if (issues.length > 0) {
    throw new AppError(422, 'invalid_settings', `Invalid retention: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}.`, { issues });
  }
  return change;
}

/** The retention a workspace keeps, defaults filled in. */
export async function retentionOf(db: Db, workspaceId: string): Promise<Retention> {
  const [row] = await db.select({ settings: workspaces.settings }).from(workspaces).where(eq(workspaces.id, workspaceId));
  if (!row) throw notFound('Workspace');
  return withDefaults(row.settings.retention);
}

export class SettingsService {
  constructor(private db: Db) {}

  async getRetention(workspaceId: string): Promise<Retention> {
    return retentionOf(this.db, workspaceId);
  }

  /**
   * Merges `input` into settings.retention in one UPDATE: the fields not sent keep their value, and
   * settings' other keys are left as they are. Answers the whole retention, defaults filled in.
   */
  async setRetention(by: AuditActor, input: Partial<Retention>): Promise<Retention> {
    const change = validChange(input);
    const current = sql`case when jsonb_typeof(${workspaces.settings} -> 'retention') = 'object' then ${workspaces.settings} -> 'retention' else '{}'::jsonb end`;
    const row = await this.db.transaction(async (tx) => {
      // Locked, so that the audit entry names what this change changed (a value sent as it was is no change).
      const [before] = await tx.select({ settings: workspaces.settings }).from(workspaces).where(eq(workspaces.id, by.workspaceId)).for('update');
      if (!before) throw notFound('Workspace');
      const [updated] = await tx
        .update(workspaces)
        .set({ settings: sql`jsonb_set(${workspaces.settings}, '{retention}', ${current} || ${JSON.stringify(change)}::jsonb)` })
        .where(eq(workspaces.id, by.workspaceId))
        .returning({ settings: workspaces.settings });
      const [was, now] = [withDefaults(before.settings.retention), withDefaults(updated!.settings.retention)];
      const fields = (Object.keys(change) as Array<keyof Retention>).filter((k) => was[k] !== now[k]).sort();
      if (fields.length > 0) await recordAudit(tx, by, { kind: 'settings.changed', targetType: 'workspace', targetId: by.workspaceId, detail: { fields } });
      return updated!;
    });
    return withDefaults(row.settings.retention);
  }

  /** The workspace's time zone; a stored name no longer valid (edited by hand) counts as missing. */
  async getTimeZone(workspaceId: string): Promise<string> {
    return (await this.getWorkspace(workspaceId)).timeZone;
  }

  /** Stores an IANA zone name that both Intl and PostgreSQL know (422 naming the field otherwise), as Intl spells it. */
  async setTimeZone(by: AuditActor, input: unknown): Promise<string> {
    return (await this.setWorkspace(by, { timeZone: input })).timeZone;
  }

  /** The workspace's name and time zone (the zone's default filled in). */
  async getWorkspace(workspaceId: string): Promise<Workspace> {
    const [row] = await this.db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    if (!row) throw notFound('Workspace');
    return workspaceOf(row);
  }

  /**
   * Renames the workspace and/or changes its time zone in one UPDATE, once both are valid: the name trimmed,
   * 1 to 100 characters; the zone as setTimeZone takes it. A field not sent keeps its value; 422 names each bad one.
   */
  async setWorkspace(by: AuditActor, input: { name?: unknown; timeZone?: unknown }): Promise<Workspace> {
    const issues: Issue[] = [];
    const name = input.name === undefined ? undefined : validName(input.name);
    if (name === null) issues.push({ field: 'name', message: nameMessage });
    const zone = input.timeZone === undefined ? undefined : await this.knownTimeZone(input.timeZone);
    if (zone === null) issues.push({ field: 'timeZone', message: zoneMessage });
    if (issues.length > 0) throw invalidWorkspace(issues);
    // Nothing to change (an empty body): the workspace as it is (an UPDATE without a column is refused).
    if (!name && !zone) return this.getWorkspace(by.workspaceId);
    const row = await this.db.transaction(async (tx) => {
      const [before] = await tx.select().from(workspaces).where(eq(workspaces.id, by.workspaceId)).for('update');
      if (!before) throw notFound('Workspace');
      const [updated] = await tx
        .update(workspaces)
        .set({
          ...(name ? { name } : {}),
          ...(zone ? { settings: sql`jsonb_set(${workspaces.settings}, '{timeZone}', ${JSON.stringify(zone)}::jsonb)` } : {}),
        })
        .where(eq(workspaces.id, by.workspaceId))
        .returning();
      const fields = [...(name && name !== before.name ? ['name'] : []), ...(zone && zone !== workspaceOf(before).timeZone ? ['timeZone'] : [])];
      if (fields.length > 0) await recordAudit(tx, by, { kind: 'settings.changed', targetType: 'workspace', targetId: by.workspaceId, detail: { name: updated!.name, fields } });
      return updated!;
    });
    return workspaceOf(row);
  }

  /** The zone as Intl spells it when both Intl and PostgreSQL know it, else null. */
  private async knownTimeZone(input: unknown): Promise<string | null> {
    const zone = typeof input === 'string' ? canonicalTimeZone(input) : null;
    if (!zone) return null;
    const known = await this.db.execute(sql`select exists (select 1 from pg_timezone_names where name = ${zone}) as known`);
    return (known.rows[0] as { known: boolean } | undefined)?.known ? zone : null;
  }
}

type Issue = { field: string; message: string };
const nameMessage = `must be 1 to ${WORKSPACE_NAME_MAX} characters (spaces around it do not count)`;
const zoneMessage = 'must be an IANA time zone name, e.g. America/Sao_Paulo or UTC';

function validName(input: unknown): string | null {
  const name = typeof input === 'string' ? input.trim() : '';
  return name.length >= 1 && name.length <= WORKSPACE_NAME_MAX ? name : null;
}

function invalidWorkspace(issues: Issue[]): AppError {
  const what = issues.length === 1 && issues[0]!.field === 'timeZone' ? 'time zone' : 'workspace settings';
  return new AppError(422, 'invalid_settings', `Invalid ${what}: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}.`, { issues });
}

function workspaceOf(row: typeof workspaces.$inferSelect): Workspace {
  const stored = row.settings.timeZone;
  return { id: row.id, name: row.name, timeZone: (typeof stored === 'string' && canonicalTimeZone(stored)) || DEFAULT_TIME_ZONE };
}
