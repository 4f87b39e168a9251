// Runs waiting for a reply (core.wait_for_reply): one row per waiting step, while it waits. The ingest
// statement hands an inbound message of the conversation to the oldest open wait (runtime/ingest-writer.ts);
// the run, resumed, reads the row and deletes it (runtime/reply-waits.ts).
import { sql } from 'drizzle-orm';
import { index, json, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** `open`: waiting; `taken`: a reply came (`reply`, `taken_by_event`); `timed_out`: the run went on without one. */
/** The reply as the step's output gives it (core.wait_for_reply's `message`). */
export interface StoredReply {
  text: string | null;
  from: string | null;
  at: string;
  provider: string;
  channel: string;
}

export type ReplyWaitStatus = 'open' | 'taken' | 'timed_out';

export const replyWaits = pgTable(
  'reply_waits',
  {
    // No keys (runs are partitioned, and connections and flows are removed with their rows by hand):
    // FlowService.remove and ConnectionService.remove delete these, the retention sweep any left behind.
    runId: uuid('run_id').notNull(),
    nodeId: text('node_id').notNull(),
    workspaceId: uuid('workspace_id').notNull(),
    flowId: uuid('flow_id').notNull(),
    connectionId: uuid('connection_id').notNull(),
    /** As the connection's provider keys its inbound messages (ProviderDefinition.conversationKey). */
    conversationKey: text('conversation_key').notNull(),
    status: text('status').$type<ReplyWaitStatus>().notNull().default('open'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    takenByEvent: uuid('taken_by_event'),
    reply: json('reply').$type<StoredReply>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.nodeId] }),
    // Only open waits are looked up by an inbound message: the index holds nothing else.
    index('reply_waits_open_idx').on(t.connectionId, t.conversationKey, t.createdAt).where(sql`status = 'open'`),
  ],
);
