// Column helpers shared by every table: ids, timestamps, the workspace scope.
import { sql } from 'drizzle-orm';
import { timestamp, uuid } from 'drizzle-orm/pg-core';
import { workspaces } from './workspaces.js';

/**
 * Ids are UUIDv7 (time first, then random; `bundles_uuid7()` in SQL, `newId()` in Node): rows written
 * one after another land next to each other in the primary key, which stays compact and cached however
 * long the history grows, and the id says when the row was made.
 */
export const id = () => uuid('id').primaryKey().default(sql`bundles_uuid7()`);
export const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
export const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();
export const workspaceId = () =>
  uuid('workspace_id')
    .notNull()
    .references(() => workspaces.id, { onDelete: 'cascade' });

/**
 * The workspace scope of rows written on every event (events, runs, steps, messages, deliveries):
 * no foreign key, because each key check locks the one workspace row on the hot path; they are
 * removed with their connection or flow, whose keys cascade.
 */
export const hotWorkspaceId = () => uuid('workspace_id').notNull();
