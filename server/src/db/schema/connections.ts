// Connections (provider credentials; secrets encrypted) and the webhook deliveries they received.
import { sql } from 'drizzle-orm';
import { index, json, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, hotWorkspaceId, id, updatedAt, workspaceId } from './common.js';

export const connections = pgTable(
  'connections',
  {
    id: id(),
    workspaceId: workspaceId(),
    provider: text('provider').notNull(),
    name: text('name').notNull(),
    /** Non-secret config fields. */
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    /** AES-256-GCM envelope of the secret fields (JSON object). */
    secrets: text('secrets'),
    /** The unguessable part of the webhook URL. */
    webhookSecret: text('webhook_secret').notNull(),
    status: text('status').$type<'untested' | 'ok' | 'broken'>().notNull().default('untested'),
    lastTest: jsonb('last_test').$type<{ ok: boolean | null; message: string; at: string }>(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('connections_workspace_idx').on(t.workspaceId)],
);

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    // No primary key: the log is read by connection and time only, and a key cost 38 bytes a delivery.
    id: uuid('id').notNull().default(sql`bundles_uuid7()`),
    workspaceId: hotWorkspaceId(),
    // No key: each check locked the connection's row on every event; removed with it (ConnectionService.remove).
    connectionId: uuid('connection_id').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    outcome: text('outcome').$type<'accepted' | 'duplicate' | 'rejected'>().notNull(),
    reason: text('reason'),
    eventIds: jsonb('event_ids').$type<string[]>().notNull().default([]),
    body: json('body'),
  },
  (t) => [index('webhook_deliveries_connection_idx').on(t.connectionId, t.receivedAt)],
);
