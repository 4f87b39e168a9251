import { jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { WorkspaceSettings } from '@bundles/shared';

export const workspaces = pgTable('workspaces', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  /** What the workspace's admins set (retention, …); a missing field takes its default. */
  settings: jsonb('settings').$type<WorkspaceSettings>().notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
