// A workspace's settings: how long its history is kept.
import { z } from 'zod';

/** Days each kind of history is kept. Events, runs and steps go together: a run needs its event and steps. */
export const DEFAULT_RETENTION = { runsDays: 30, messagesDays: 180, deliveriesDays: 14 } as const;

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
});
export type Retention = z.infer<typeof retentionSchema>;

export const workspaceSettingsSchema = z.object({ retention: retentionSchema.partial().optional() });
export type WorkspaceSettings = z.infer<typeof workspaceSettingsSchema>;

/** The answer of GET and PUT /api/settings/retention: the days in force, and the defaults a missing field takes. */
export const retentionSettingsSchema = retentionSchema.extend({ defaults: retentionSchema });
export type RetentionSettings = z.infer<typeof retentionSettingsSchema>;
