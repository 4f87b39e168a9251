// Users, their sessions and API tokens; tokens and sessions are stored only as SHA-256 hashes.
import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, workspaceId } from './common.js';

export const users = pgTable('users', {
  id: id(),
  workspaceId: workspaceId(),
  email: text('email').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  createdAt: createdAt(),
});

export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    workspaceId: workspaceId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const apiTokens = pgTable('api_tokens', {
  id: id(),
  workspaceId: workspaceId(),
  userId: uuid('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  /** The token's first characters (`bnd_` and 4 more), shown in lists to tell tokens apart; null for older tokens. */
  prefix: text('prefix'),
  /** Written at most once a minute per token, so that an API client does not cost a write per request. */
  lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  /** Null: never expires. */
  expiresAt: timestamp('expires_at', { withTimezone: true }),
  createdAt: createdAt(),
});
