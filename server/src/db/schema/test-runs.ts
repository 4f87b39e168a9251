// Test runs of a bundle's draft (the editor's Test tab): kept apart from runs, steps and messages, so a test
// is never counted in the message log, a send cap or the metrics; the newest 20 per bundle are kept.
import { boolean, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { TestStep } from '@bundles/shared';
import { id, workspaceId } from './common.js';
import { flows } from './flows.js';

export const testRuns = pgTable(
  'test_runs',
  {
    id: id(),
    workspaceId: workspaceId(),
    flowId: uuid('flow_id')
      .notNull()
      .references(() => flows.id, { onDelete: 'cascade' }),
    createdBy: uuid('created_by'),
    eventId: uuid('event_id'),
    nodeId: text('node_id'),
    live: boolean('live').notNull().default(false),
    status: text('status').$type<'succeeded' | 'failed' | 'filtered'>().notNull(),
    trigger: jsonb('trigger'),
    steps: jsonb('steps').$type<TestStep[]>().notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    finishedAt: timestamp('finished_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('test_runs_flow_idx').on(t.flowId, t.startedAt)],
);
