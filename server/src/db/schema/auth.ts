// Users, the workspaces they belong to (with a role in each), invitations, sessions and API tokens; tokens,
// sessions and invitation links are stored only as SHA-256 hashes.
import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { AuditDetail, Role, TokenScope } from '@bundles/shared';
import { createdAt, id, workspaceId } from './common.js';
import { workspaces } from './workspaces.js';

/** A person: one e-mail, one password, in any number of workspaces (memberships). */
export const users = pgTable('users', {
  id: id(),
  email: text('email').notNull().unique(),
  /** Set when an invitation is accepted; the first owner may have none. */
  name: text('name'),
  passwordHash: text('password_hash').notNull(),
  /** Where a new session starts: the workspace last switched to (null: the oldest membership). */
  lastWorkspaceId: uuid('last_workspace_id').references(() => workspaces.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
});

export const memberships = pgTable(
  'memberships',
  {
    workspaceId: workspaceId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<Role>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.userId] }),
    index('memberships_user_idx').on(t.userId),
    check('memberships_role_check', sql`${t.role} in ('viewer', 'editor', 'admin', 'owner')`),
  ],
);

/** A one-time link to join a workspace with a role; valid until `expiresAt`, spent when accepted. */
export const invitations = pgTable(
  'invitations',
  {
    id: id(),
    workspaceId: workspaceId(),
    email: text('email').notNull(),
    role: text('role').$type<Role>().notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    invitedBy: uuid('invited_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    index('invitations_workspace_idx').on(t.workspaceId, t.createdAt),
    check('invitations_role_check', sql`${t.role} in ('viewer', 'editor', 'admin', 'owner')`),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    /** The session's current workspace (`POST /api/workspaces/:id/switch` moves it). */
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

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: id(),
    /** The workspace the token acts in, always: a token does not switch. */
    workspaceId: workspaceId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** What it may do, capped by its user's role in the workspace at each request (never above it). */
    scope: text('scope').$type<TokenScope>().notNull().default('admin'),
    tokenHash: text('token_hash').notNull().unique(),
    /** The token's first characters (`bnd_` and 4 more), shown in lists to tell tokens apart; null for older tokens. */
    prefix: text('prefix'),
    /** Written at most once a minute per token, so that an API client does not cost a write per request. */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    /** Null: never expires. */
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [check('api_tokens_scope_check', sql`${t.scope} in ('read', 'write', 'admin')`)],
);

/**
 * Who did what, when: one row per change a person made (or a sign-in). `detail` names fields, never
 * values of secrets. Kept for the workspace's `auditDays`; removed in batches by the maintenance job
 * (a few rows a minute at most: not an event-rate table).
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: id(),
    workspaceId: workspaceId(),
    /** Null once the user is deleted; `actorEmail` still says who it was. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'set null' }),
    actorEmail: text('actor_email'),
    /** e.g. `bundle.saved`, `connection.changed`, `user.role_changed`, `login`. */
    kind: text('kind').notNull(),
    /** What it was done to: `bundle`, `connection`, `user`, `invitation`, `token`, `status_rule`, `workspace`. */
    targetType: text('target_type'),
    targetId: text('target_id'),
    /** A name to show even after the target is gone, and what changed (field names, a role, a version). */
    detail: jsonb('detail').$type<AuditDetail>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_log_workspace_idx').on(t.workspaceId, t.createdAt.desc(), t.id.desc()),
    index('audit_log_created_idx').on(t.createdAt),
  ],
);
