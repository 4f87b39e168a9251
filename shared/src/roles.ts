// Who may do what in a workspace: the roles of its members, the scopes of API tokens, and how they combine.
import { z } from 'zod';

/** Least to most: each role may do everything the ones before it may. */
export const ROLES = ['viewer', 'editor', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

/** An API token's scope: `read` acts as a viewer, `write` as an editor, `admin` as its user (admin or owner). */
export const TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
export const tokenScopeSchema = z.enum(TOKEN_SCOPES);

const scopeCap: Record<TokenScope, Role> = { read: 'viewer', write: 'editor', admin: 'owner' };

export const roleRank = (role: Role): number => ROLES.indexOf(role);

/** Whether `role` may do what needs `least`. */
export const roleAtLeast = (role: Role, least: Role): boolean => roleRank(role) >= roleRank(least);

/** What a request acts as: the member's role, capped by the token's scope (a session is not capped). */
export function effectiveRole(memberRole: Role, scope: TokenScope | null): Role {
  if (scope === null) return memberRole;
  const cap = scopeCap[scope];
  return roleRank(cap) < roleRank(memberRole) ? cap : memberRole;
}

/** The least role that may make a token of this scope: a token never acts above its user. */
const scopeNeeds: Record<TokenScope, Role> = { read: 'viewer', write: 'editor', admin: 'admin' };

export const scopeAllowed = (memberRole: Role, scope: TokenScope): boolean => roleAtLeast(memberRole, scopeNeeds[scope]);

/** What an audit entry says beyond its kind and target: a name to show after the target is gone, the fields
 * changed (names only, never values), a role or a version. */
export interface AuditDetail {
  name?: string;
  fields?: string[];
  role?: string;
  previousRole?: string;
  version?: number;
  email?: string;
  scope?: string;
  /** A test's outcome: `ok`, `failed`, or `untested` (nothing to tell yet). */
  outcome?: 'ok' | 'failed' | 'untested';
}
