// Column helpers shared by every table: ids, timestamps, the workspace scope.
import { timestamp, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

export const id = () => uuid('id').primaryKey().defaultRandom();
export const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
export const workspaceId = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' });
