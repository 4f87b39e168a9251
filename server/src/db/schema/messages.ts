// The message log: every SMS / WhatsApp / chat message sent or received through a provider.
import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import type { StepError } from '@bundles/shared';
import { createdAt, id, updatedAt, workspaceId } from './common.js';
import { connections } from './connections.js';
import { runs } from './runs.js';

export const messages = pgTable(
  'messages',
  {
    id: id(),
    workspaceId: workspaceId(),
    connectionId: uuid('connection_id')
      .notNull()
      .references(() => connections.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    direction: text('direction').$type<'inbound' | 'outbound'>().notNull(),
    channel: text('channel').notNull(),
    from: text('from'),
    to: text('to'),
    text: text('text'),
    providerMessageId: text('provider_message_id'),
    status: text('status').notNull(),
    error: jsonb('error').$type<StepError>(),
    conversationKey: text('conversation_key'),
    runId: uuid('run_id').references(() => runs.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('messages_provider_id_idx').on(t.connectionId, t.providerMessageId),
    index('messages_workspace_created_idx').on(t.workspaceId, t.createdAt),
    index('messages_conversation_idx').on(t.connectionId, t.conversationKey, t.createdAt),
  ],
);
