// Owner setup, password login and sessions (stored as SHA-256 hashes, never in clear); API tokens are in tokens.ts.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { memberships, sessions, users, workspaces } from '../db/schema/index.js';
import { effectiveRole, type Role, type TokenScope } from '@bundles/shared';
import { AppError } from './errors.js';
import { hashToken, insertApiToken } from './tokens.js';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;
export const sessionDays = 14;

export interface Principal {
  userId: string;
  /** The one workspace this request acts in. */
  workspaceId: string;
  email: string;
  via: 'session' | 'token';
  /** What the request may do: the member's role, capped by the token's scope. */
  role: Role;
  /** The member's own role in the workspace, uncapped. */
  memberRole: Role;
  /** The token's scope; null for a session. */
  scope: TokenScope | null;
}

/** A password's scrypt hash with its salt (`scrypt$salt$key`), as stored in users.password_hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function checkPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const got = await scrypt(password, Buffer.from(salt, 'base64'), expected.length);
  return timingSafeEqual(expected, got);
}

export async function setupRequired(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(users);
  return (row?.n ?? 0) === 0;
}

/** Creates the owner and the default workspace; only while no user exists. */
export async function setupOwner(db: Db, input: { email: string; password: string; workspace?: string | undefined }) {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    // Serialise concurrent setups: the second one sees the first user and gets 409.
    await tx.execute(sql`select pg_advisory_xact_lock(7242002)`);
    const [existing] = await tx.select({ n: sql<number>`count(*)::int` }).from(users);
    if ((existing?.n ?? 0) > 0) throw new AppError(409, 'already_set_up', 'Bundles is already set up: log in instead.');
    const [ws] = await tx.insert(workspaces).values({ name: input.workspace ?? 'My workspace' }).returning();
    const [user] = await tx.insert(users).values({ lastWorkspaceId: ws!.id, email: input.email.toLowerCase(), passwordHash }).returning();
    await tx.insert(memberships).values({ workspaceId: ws!.id, userId: user!.id, role: 'owner' });
    const { token } = await insertApiToken(tx, { userId: user!.id, workspaceId: ws!.id, name: 'setup' });
    return { token, user: user!, workspace: ws! };
  });
}

export async function login(db: Db, email: string, password: string) {
  const [user] = await db.select().from(users).where(eq(users.email, email.toLowerCase()));
  // Compare against a dummy hash when the user is unknown, so timing does not reveal accounts.
  const ok = await checkPassword(password, user?.passwordHash ?? 'scrypt$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
  if (!user || !ok) throw new AppError(401, 'invalid_credentials', 'Wrong e-mail or password.');
  return user;
}

export async function createSession(db: Db, userId: string, workspaceId: string): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + sessionDays * 86_400_000);
  await db.insert(sessions).values({ userId, workspaceId, tokenHash: hashToken(token), expiresAt });
  return { token, expiresAt };
}

export async function deleteSession(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, hashToken(token)));
}

/** Where a new session of this user starts: the workspace last switched to, else the oldest membership. */
export async function startingWorkspace(db: Db, userId: string, lastWorkspaceId: string | null): Promise<string | null> {
  const rows = await db
    .select({ workspaceId: memberships.workspaceId })
    .from(memberships)
    .where(eq(memberships.userId, userId))
    .orderBy(sql`${memberships.workspaceId} = ${lastWorkspaceId} desc nulls last`, memberships.createdAt);
  return rows[0]?.workspaceId ?? null;
}

/**
 * Who a session cookie stands for, acting in `pick` (an `X-Bundles-Workspace` header) or else the session's
 * current workspace; one read. A workspace the user is no member of gives no principal.
 */
export async function principalFromSession(db: Db, token: string, pick?: string): Promise<Principal | null> {
  const [row] = await db
    .select({ userId: sessions.userId, workspaceId: memberships.workspaceId, email: users.email, role: memberships.role })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(memberships, and(eq(memberships.userId, sessions.userId), eq(memberships.workspaceId, pick ? sql`${pick}::uuid` : sessions.workspaceId)))
    .where(and(eq(sessions.tokenHash, hashToken(token)), gt(sessions.expiresAt, new Date())));
  return row ? { userId: row.userId, workspaceId: row.workspaceId, email: row.email, via: 'session', role: effectiveRole(row.role, null), memberRole: row.role, scope: null } : null;
}
