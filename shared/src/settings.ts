// A workspace's settings: its name, how long its history is kept, and its time zone.
import { z } from 'zod';

/** Days each kind of history is kept. Events, runs and steps go together: a run needs its event and steps. */
export const DEFAULT_RETENTION = { runsDays: 30, messagesDays: 180, deliveriesDays: 14, auditDays: 365 } as const;

/** The longest any workspace may keep history: expired partitions are dropped past the longest retention. */
export const MAX_RETENTION_DAYS = 3650;

const days = z.number().int().min(1).max(MAX_RETENTION_DAYS);

export const retentionSchema = z.object({
  /** Events received, the runs they started and their steps. */
  runsDays: days,
  /** The message log. */
  messagesDays: days,
  /** The webhook delivery log. */
  deliveriesDays: days,
  /** The audit log (who did what). */
  auditDays: days,
});
export type Retention = z.infer<typeof retentionSchema>;

export const workspaceSettingsSchema = z.object({
  retention: retentionSchema.partial().optional(),
  timeZone: z.string().optional(),
  /** Private hosts and ranges this workspace's calls may reach (core.http_request, base-URL overrides). */
  allowedHosts: z.array(z.string()).optional(),
});
export type WorkspaceSettings = z.infer<typeof workspaceSettingsSchema>;

/** The answer of GET and PUT /api/settings/retention: the days in force, and the defaults a missing field takes. */
export const retentionSettingsSchema = retentionSchema.extend({ defaults: retentionSchema });
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;

/** The zone of a workspace without one set: its days (e.g. of a daily send cap) are UTC days. */
export const DEFAULT_TIME_ZONE = 'UTC';

const zoneName = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;

/**
 * The IANA name of a time zone as Intl spells it (`europe/lisbon` → `Europe/Lisbon`), or null when it is
 * none. Offsets such as `+01:00` are refused: PostgreSQL reads them with the opposite sign (POSIX).
 */
export function canonicalTimeZone(name: string): string | null {
  if (name.length > 64 || !zoneName.test(name)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

export const timeZoneSchema = z
  .string()
  .max(64)
  .refine((v) => canonicalTimeZone(v) !== null, { message: 'must be an IANA time zone name, e.g. America/Sao_Paulo or UTC' });

/** GET and PUT /api/settings/time-zone. */
export const timeZoneSettingsSchema = z.object({ timeZone: z.string() });
export type TimeZoneSettings = z.infer<typeof timeZoneSettingsSchema>;

/** The longest workspace name, trimmed (setup and PUT /api/settings/workspace). */
export const WORKSPACE_NAME_MAX = 100;

/** GET and PUT /api/settings/workspace: the workspace's name and time zone (the name is /api/me's too). */
export const workspaceSchema = z.object({ id: z.string(), name: z.string(), timeZone: z.string() });
export type Workspace = z.infer<typeof workspaceSchema>;

/** The most entries a workspace's list of allowed private addresses holds. */
export const MAX_ALLOWED_HOSTS = 50;

/** GET and PUT /api/settings/allowed-hosts: the workspace's own list, and the operator's (read-only here). */
export const allowedHostsSettingsSchema = z.object({
  hosts: z.array(z.string()),
  /** BUNDLES_ALLOWED_HOSTS: allowed for every workspace by whoever runs Bundles. */
  operator: z.array(z.string()),
});
export type AllowedHostsSettings = z.infer<typeof allowedHostsSettingsSchema>;
