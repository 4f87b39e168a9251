// What was done through a connection, kept durably (ConnectionLedger), and exports into a connection.
import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, updatedAt, workspaceId } from './common.js';
import { connections } from './connections.js';

export const connectionLedger = pgTable(
  'connection_ledger',
  {
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    /** Who claimed it: `runId:nodeId` of a step, or `export:<id>`. */
    owner: text('owner').notNull(),
    done: boolean('done').notNull().default(false),
    value: jsonb('value'),
    createdAt: createdAt(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  // Open claims by owner: a person settling an uncertain step completes the claims it left open.
  (t) => [primaryKey({ columns: [t.connectionId, t.key] }), index('connection_ledger_open_idx').on(t.owner).where(sql`not ${t.done}`)],
);

export type ExportStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export const connectionExports = pgTable(
  'connection_exports',
  {
    id: id(),
    workspaceId: workspaceId(),
    /** The connection exported into (its provider's `exports[kind]`). */
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    sourceConnectionId: uuid('source_connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    options: jsonb('options').$type<Record<string, unknown>>().notNull(),
    status: text('status').$type<ExportStatus>().notNull().default('queued'),
    checkpoint: jsonb('checkpoint'),
    done: integer('done').notNull().default(0),
    total: integer('total').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    errors: jsonb('errors').$type<string[]>().notNull().default([]),
    report: text('report'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('connection_exports_connection_idx').on(t.connectionId, t.createdAt)],
);
