// Events received, the runs they start, and each run's steps.
import { index, integer, json, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { StepError } from '@bundles/shared';
import { createdAt, hotWorkspaceId, id } from './common.js';
import { connections } from './connections.js';
import { flows } from './flows.js';

export const events = pgTable(
  'events',
  {
    id: id(),
    workspaceId: hotWorkspaceId(),
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    payload: json('payload').$type<Record<string, unknown>>().notNull(),
    duplicates: integer('duplicates').notNull().default(0),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('events_dedupe_idx').on(t.connectionId, t.dedupeKey), index('events_received_idx').on(t.connectionId, t.receivedAt)],
);

export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'filtered';

export const runs = pgTable(
  'runs',
  {
    id: id(),
    workspaceId: hotWorkspaceId(),
    flowId: uuid('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    // No key: a version is deleted only with its flow, whose key cascades to the runs.
    versionId: uuid('version_id').notNull(),
    eventId: uuid('event_id').references(() => events.id, { onDelete: 'set null' }),
    status: text('status').$type<RunStatus>().notNull().default('queued'),
    error: json('error').$type<StepError>(),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  // No index covers status or finished_at, so the updates a run makes as it moves on stay HOT.
  (t) => [index('runs_flow_idx').on(t.flowId, t.createdAt), index('runs_workspace_created_idx').on(t.workspaceId, t.createdAt)],
);

export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'waiting';

export const steps = pgTable(
  'steps',
  {
    id: id(),
    workspaceId: hotWorkspaceId(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    nodeId: text('node_id').notNull(),
    nodeType: text('node_type').notNull(),
    status: text('status').$type<StepStatus>().notNull(),
    input: json('input'),
    output: json('output'),
    error: json('error').$type<StepError>(),
    /** The handle a branch took, so a resumed run follows the same path. */
    handle: text('handle'),
    attempts: integer('attempts').notNull().default(1),
    resumeAt: timestamp('resume_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('steps_run_node_idx').on(t.runId, t.nodeId)],
);
