// The message log: every SMS / WhatsApp / chat message sent or received through a provider.
import { sql } from 'drizzle-orm';
import { index, json, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { StepError } from '@bundles/shared';
import { createdAt, hotWorkspaceId, id } from './common.js';

/**
 * SQL: `column` (a messages.provider_message_id) is one of the ids in the text[] `param`, reached through
 * messages_provider_id_idx, which holds the ids' hashes: found by the hashes (an array computed once), then matched.
 */
export const providerIdIn = (column: string, param: string): string =>
  `hashtext(${column}) = any(array(select hashtext(v) from unnest(${param}::text[]) v)) and ${column} = any(${param}::text[])`;

export const messages = pgTable(
  'messages',
  {
    id: id(),
    workspaceId: hotWorkspaceId(),
    // No key: each check locked the connection's row on every event; removed with it (ConnectionService.remove).
    connectionId: uuid('connection_id').notNull(),
    provider: text('provider').notNull(),
    direction: text('direction').$type<'inbound' | 'outbound'>().notNull(),
    channel: text('channel').notNull(),
    from: text('from'),
    to: text('to'),
    text: text('text'),
    providerMessageId: text('provider_message_id'),
    status: text('status').notNull(),
    error: json('error').$type<StepError>(),
    conversationKey: text('conversation_key'),
    // No key: a message outlives the run that sent it (runs go with their flow).
    runId: uuid('run_id'),
    createdAt: createdAt(),
    /** Null until its status first changes (a status callback): 8 bytes a message that most never use. */
    updatedAt: timestamp('updated_at', { withTimezone: true }),
  },
  (t) => [
    // Looked up by the provider's id only for equality, so the index keeps 4 bytes of it, not the text (ids are long
    // and random; a B-tree over them was the largest index of the table). A B-tree over the id's hash rather than a
    // hash index: the hash index grows in steps of whole bucket groups (a partition of 800,000 messages took 4 MB at
    // once), a B-tree a page at a time (27–37 bytes a message against 30–52). Queries use providerIdIn.
    index('messages_provider_id_idx').using('btree', sql`hashtext(${t.providerMessageId})`),
    index('messages_workspace_created_idx').on(t.workspaceId, t.createdAt),
    index('messages_conversation_idx').on(t.connectionId, t.conversationKey, t.createdAt),
  ],
);
