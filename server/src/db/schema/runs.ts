// Events received, the runs they start, and each run's steps.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, json, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { StepError } from '@bundles/shared';
import { createdAt, hotWorkspaceId, id } from './common.js';
import { flows } from './flows.js';

export const events = pgTable(
  'events',
  {
    id: id(),
    workspaceId: hotWorkspaceId(),
    // No key: each check locked the connection's row on every event; removed with it (ConnectionService.remove).
    // Null for an event Bundles makes itself (a run failed, a schedule's tick): see runtime/internal-runs.ts.
    connectionId: uuid('connection_id'),
    type: text('type').notNull(),
    dedupeKey: text('dedupe_key').notNull(),
    payload: json('payload').$type<Record<string, unknown>>().notNull(),
    duplicates: integer('duplicates').notNull().default(0),
    /**
     * The webhook delivery that carried it: a delivery that stored events is logged by them, with no row of
     * its own in webhook_deliveries (null for events stored before, whose deliveries have rows).
     */
    deliveryId: uuid('delivery_id'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // Keys are unique in event_keys, not here: a content key may come back as a new event later.
  (t) => [index('events_received_idx').on(t.connectionId, t.receivedAt)],
);

/**
 * The dedupe key of the latest event per connection and subject, and until when a repeat of it is a
 * duplicate. For the provider's own event ids the subject is the key; for keys derived from content it
 * is what the event is about (an order), so another status of that order in between makes the same
 * content new again. No foreign key: rows are written on every event (see hotWorkspaceId).
 */
export const eventKeys = pgTable(
  'event_keys',
  {
    connectionId: uuid('connection_id').notNull(),
    subject: text('subject').notNull(),
    eventId: uuid('event_id').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /**
     * `hashtextextended(dedupe_key, 0)`: only compared for equality with the next key of the subject, so
     * 8 bytes instead of the key (the event keeps the key itself). Two different keys of one subject
     * colliding, the only way a new event could pass for a repeat, has a chance of 2^-64.
     */
    keyHash: bigint('key_hash', { mode: 'bigint' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.subject] })],
);

/** `uncertain`: a write's outcome is unknown and the provider cannot tell; a person settles it. */
export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'filtered' | 'uncertain';

/** One attempt of a run that was retried, kept by the retry. */
export interface EarlierAttempt {
  versionId: string;
  status: RunStatus;
  error: StepError | null;
  startedAt: string | null;
  finishedAt: string | null;
  retriedAt: string;
  /** The version the retry chose: the one the run ran, or the live one. */
  retriedOn: 'original' | 'live';
}

export const runs = pgTable(
  'runs',
  {
    id: id(),
    workspaceId: hotWorkspaceId(),
    // No key: each check locked the flow's row on every run; removed with it (FlowService.remove).
    flowId: uuid('flow_id').notNull(),
    // No key: a version is deleted only with its flow, whose key cascades to the runs.
    versionId: uuid('version_id').notNull(),
    // No key: checking it locked the event the same statement had just inserted (0.14 ms a run, a fifth of
    // the ingest statement). An event goes only with its connection; a run whose event is gone shows none.
    eventId: uuid('event_id'),
    status: text('status').$type<RunStatus>().notNull().default('queued'),
    error: json('error').$type<StepError>(),
    /** Runs of one flow and conversation (a customer writing) run one at a time, in arrival order (`seq`). */
    conversationKey: text('conversation_key'),
    /** What users search runs by: the id of what the event is about (an order, a transaction) or who wrote. */
    searchKey: text('search_key'),
    // Only runs of a conversation take a number (from runs_conversation_seq): no other run is ordered by it.
    seq: bigint('seq', { mode: 'number' }),
    /** Waiting for an earlier run of its conversation: it has no job until that one is done. */
    parked: boolean('parked').notNull().default(false),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /**
     * The node whose first attempt the ingest statement journaled with the run (its attempt began with the
     * run: `started_at`); the run's next write, which records that attempt's outcome, clears it. The run row is
     * the journal here, so the run's first write costs no row (and no index entry) of its own.
     */
    journalNode: text('journal_node'),
    /** The attempts before a retry, oldest first (null for a run never retried): the version each ran and how it ended. */
    earlierAttempts: json('earlier_attempts').$type<EarlierAttempt[]>(),
  },
  // No index covers status, parked or finished_at, so the updates a run makes as it moves on stay HOT.
  (t) => [
    index('runs_flow_idx').on(t.flowId, t.createdAt),
    index('runs_workspace_created_idx').on(t.workspaceId, t.createdAt),
    index('runs_conversation_idx').on(t.flowId, t.conversationKey, t.seq).where(sql`conversation_key is not null`),
    index('runs_parked_idx').on(t.flowId).where(sql`parked`),
    // A B-tree, not a hash index: the keys are short (an order id), and a hash index's buckets cost 92 bytes
    // a run at 10,000 runs a partition against 25 (measured with pnpm bench --quick).
    index('runs_search_idx').on(t.searchKey),
  ],
);

/** `running`: the attempt is journaled and its outcome not yet known; `uncertain`: it stays unknown. */
export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'waiting' | 'uncertain';

export const steps = pgTable(
  'steps',
  {
    // No foreign key and no workspace of its own: a step is reached through its run only, and removed
    // with it (FlowService.remove); the key check cost as much as the event's on every run.
    runId: uuid('run_id').notNull(),
    // The node's type is its run's version's (versions do not change): not stored again on every step.
    nodeId: text('node_id').notNull(),
    status: text('status').$type<StepStatus>().notNull(),
    input: json('input'),
    output: json('output'),
    error: json('error').$type<StepError>(),
    /** The handle a branch took, so a resumed run follows the same path. */
    handle: text('handle'),
    attempts: integer('attempts').notNull().default(1),
    resumeAt: timestamp('resume_at', { withTimezone: true }),
    /** How a person settled an uncertain step: `marked_done` or `sent_again`. */
    resolution: text('resolution').$type<'marked_done' | 'sent_again'>(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  // A step is its run's node: no id of its own (one index less on the table written most).
  (t) => [primaryKey({ name: 'steps_pkey', columns: [t.runId, t.nodeId] })],
);

/**
 * The journal of a write in flight: the step's attempt, written before the call goes out and deleted by the
 * write that records its outcome (as a row of steps). A step is then written once: updating it in place left
 * its old version behind and a second primary-key entry on most runs (the pages were full). A step found
 * here when its run resumes was cut off during the call; its outcome is unknown.
 */
export const stepJournal = pgTable(
  'step_journal',
  {
    runId: uuid('run_id').notNull(),
    nodeId: text('node_id').notNull(),
    input: json('input'),
    attempts: integer('attempts').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ name: 'step_journal_pkey', columns: [t.runId, t.nodeId] })],
);

/**
 * The runs that stopped uncertain and wait for a person (RunService.resolve settles them): a few rows,
 * written only when a run becomes uncertain, so they are counted and listed without reading the runs
 * table (whose status has no index, to keep its updates HOT).
 */
export const uncertainRuns = pgTable('uncertain_runs', {
  runId: uuid('run_id').primaryKey(),
  workspaceId: uuid('workspace_id').notNull(),
  flowId: uuid('flow_id')
    .notNull()
    .references(() => flows.id, { onDelete: 'cascade' }),
  since: timestamp('since', { withTimezone: true }).notNull().defaultNow(),
});
