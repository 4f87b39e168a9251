// API tokens: made with a value answered once (stored only as its SHA-256 hash), listed with their last use,
// revoked; and the check of a bearer token on each request, which records its use at most once a minute.
import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { ApiToken, ApiTokenInput, CreatedApiToken } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { apiTokens, memberships, users } from '../db/schema/index.js';
import { effectiveRole, roleAtLeast, scopeAllowed, type Role, type TokenScope } from '@bundles/shared';
import { recordAudit } from './audit.js';
import { isUuid } from '../ids.js';
import type { Principal } from './auth.js';
import { AppError, notFound } from './errors.js';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

type TokenRow = typeof apiTokens.$inferSelect;

const tokenOf = (row: TokenRow, userEmail: string): ApiToken => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  scope: row.scope,
  userEmail,
});

/** The widest scope a role may give a token: `admin` for an admin or owner, `write` for an editor, `read` for a viewer. */
export function widestScope(role: Role): TokenScope {
  if (roleAtLeast(role, 'admin')) return 'admin';
  return roleAtLeast(role, 'editor') ? 'write' : 'read';
}

/** Stores a new token (`db` may be a transaction) and answers it with its value, which is kept nowhere. */
export async function insertApiToken(
  db: Pick<Db, 'insert'>,
  input: { userId: string; workspaceId: string; name: string; expiresAt?: Date | null; scope?: TokenScope },
  userEmail = '',
): Promise<CreatedApiToken> {
  const token = `bnd_${randomBytes(24).toString('base64url')}`;
  const [row] = await db
    .insert(apiTokens)
    .values({ ...input, tokenHash: hashToken(token), prefix: token.slice(0, 8) })
    .returning();
  return { ...tokenOf(row!, userEmail), token };
}

/** A token that never expires, for setup scripts and tests; answers its value. */
export async function createApiToken(db: Db, userId: string, workspaceId: string, name: string, scope?: TokenScope): Promise<string> {
  return (await insertApiToken(db, { userId, workspaceId, name, ...(scope ? { scope } : {}) })).token;
}

/** The token's use is due to be recorded: never recorded, or a minute ago or more (the database's clock). */
const useDue = sql`(${apiTokens.lastUsedAt} is null or ${apiTokens.lastUsedAt} < now() - interval '1 minute')`;

export type TokenRefusal = { refused: 'invalid_token' } | { refused: 'token_expired'; expiredAt: string };
export type TokenCheck = { principal: Principal } | TokenRefusal;

/**
 * Who a bearer token stands for: one read per request. Its use is written only when the last one recorded is
 * a minute old or more, by an UPDATE that rechecks it, so concurrent requests and processes write once.
 */
export async function checkApiToken(db: Db, token: string): Promise<TokenCheck> {
  const [row] = await db
    .select({
      id: apiTokens.id,
      userId: apiTokens.userId,
      workspaceId: apiTokens.workspaceId,
      email: users.email,
      scope: apiTokens.scope,
      role: memberships.role,
      expiresAt: apiTokens.expiresAt,
      expired: sql<boolean>`${apiTokens.expiresAt} is not null and ${apiTokens.expiresAt} <= now()`,
      useDue: sql<boolean>`${useDue}`,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    // A token whose user left the workspace is no longer valid there.
    .innerJoin(memberships, and(eq(memberships.userId, apiTokens.userId), eq(memberships.workspaceId, apiTokens.workspaceId)))
    .where(eq(apiTokens.tokenHash, hashToken(token)));
  if (!row) return { refused: 'invalid_token' };
  if (row.expired) return { refused: 'token_expired', expiredAt: row.expiresAt!.toISOString() };
  if (row.useDue) await db.update(apiTokens).set({ lastUsedAt: sql`now()` }).where(and(eq(apiTokens.id, row.id), useDue));
  return {
    principal: {
      userId: row.userId,
      workspaceId: row.workspaceId,
      email: row.email,
      via: 'token',
      role: effectiveRole(row.role, row.scope),
      memberRole: row.role,
      scope: row.scope,
    },
  };
}

export class TokenService {
  constructor(private db: Db) {}

  /**
   * The workspace's tokens, newest first: an admin sees every member's (what can reach the workspace), with
   * whose it is; anyone else their own. A token's own scope counts: a `write` token of an admin lists its own.
   */
  async list(by: Principal): Promise<ApiToken[]> {
    const mine = eq(apiTokens.workspaceId, by.workspaceId);
    const rows = await this.db
      .select({ token: apiTokens, email: users.email })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(roleAtLeast(by.role, 'admin') ? mine : and(mine, eq(apiTokens.userId, by.userId)))
      .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
    return rows.map((r) => tokenOf(r.token, r.email));
  }

  /** Makes a token of the caller in the workspace; its scope may not reach above what the caller may do (403 forbidden). */
  async create(by: Principal, input: ApiTokenInput): Promise<CreatedApiToken> {
    const scope = input.scope ?? widestScope(by.role);
    if (!scopeAllowed(by.role, scope)) {
      throw new AppError(403, 'forbidden', `scope: a token with the ${scope} scope would act above your role here (${by.role}); the widest you may give is ${widestScope(by.role)}.`, {
        field: 'scope',
        need: scope === 'admin' ? 'admin' : 'editor',
        role: by.role,
      });
    }
    const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
    return this.db.transaction(async (tx) => {
      const made = await insertApiToken(tx, { userId: by.userId, workspaceId: by.workspaceId, name: input.name, expiresAt, scope }, by.email);
      await recordAudit(tx, by, { kind: 'token.created', targetType: 'token', targetId: made.id, detail: { name: made.name, scope } });
      return made;
    });
  }

  /**
   * Deletes the token: the next request that sends it is refused. An admin may revoke any of the workspace's,
   * anyone else only their own; another's (or another workspace's) is not found.
   */
  async revoke(by: Principal, id: string): Promise<void> {
    if (!isUuid(id)) throw notFound('API token');
    const mine = and(eq(apiTokens.id, id), eq(apiTokens.workspaceId, by.workspaceId));
    await this.db.transaction(async (tx) => {
      const gone = await tx
        .delete(apiTokens)
        .where(roleAtLeast(by.role, 'admin') ? mine : and(mine, eq(apiTokens.userId, by.userId)))
        .returning({ id: apiTokens.id, name: apiTokens.name });
      if (gone.length === 0) throw notFound('API token');
      await recordAudit(tx, by, { kind: 'token.revoked', targetType: 'token', targetId: id, detail: { name: gone[0]!.name } });
    });
  }
}
