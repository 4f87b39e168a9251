// Flows (bundles), their immutable versions and the trigger subscriptions of running versions.
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { FlowGraph } from '@bundles/shared';
import { createdAt, id, updatedAt, workspaceId } from './common.js';
import { users } from './auth.js';
import { connections } from './connections.js';

export const flows = pgTable(
  'flows',
  {
    id: id(),
    workspaceId: workspaceId(),
    name: text('name').notNull(),
    status: text('status').$type<'draft' | 'running' | 'stopped'>().notNull().default('draft'),
    graph: jsonb('graph').$type<FlowGraph>().notNull(),
    activeVersionId: uuid('active_version_id'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('flows_workspace_idx').on(t.workspaceId)],
);

export const flowVersions = pgTable(
  'flow_versions',
  {
    id: id(),
    workspaceId: workspaceId(),
    flowId: uuid('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    graph: jsonb('graph').$type<FlowGraph>().notNull(),
    /** Who started it (null for versions made before authors were kept, or by a removed user). */
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('flow_versions_number_idx').on(t.flowId, t.number)],
);

export const triggerSubscriptions = pgTable(
  'trigger_subscriptions',
  {
    id: id(),
    workspaceId: workspaceId(),
    flowId: uuid('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    versionId: uuid('version_id')
      .notNull()
      .references(() => flowVersions.id, { onDelete: 'cascade' }),
    // Null for a trigger fed by Bundles itself (core.error_trigger, core.schedule), not by a connection.
    connectionId: uuid('connection_id').references(() => connections.id, { onDelete: 'restrict' }),
    eventType: text('event_type').notNull(),
    key: text('key'),
    nodeId: text('node_id').notNull(),
    nodeType: text('node_type').notNull(),
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    index('trigger_subscriptions_route_idx').on(t.connectionId, t.eventType).where(sql`active`),
    index('trigger_subscriptions_internal_idx').on(t.workspaceId, t.eventType).where(sql`active and connection_id is null`),
  ],
);

/**
 * The next tick of each running core.schedule subscription. Every worker process's tick loop claims due
 * rows (FOR UPDATE SKIP LOCKED) and, in the same transaction, starts the run and moves `next_at` on: a
 * tick fires once however many processes run. Removed with its subscription (stopped or replaced).
 */
export const schedules = pgTable(
  'schedules',
  {
    subscriptionId: uuid('subscription_id')
      .primaryKey()
      .references(() => triggerSubscriptions.id, { onDelete: 'cascade' }),
    workspaceId: workspaceId(),
    nextAt: timestamp('next_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('schedules_next_at_idx').on(t.nextAt)],
);
