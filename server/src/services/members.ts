// The members of a workspace: listed, their role changed, removed (with their tokens and sessions there, at
// once). Only an owner makes or unmakes an owner, and a workspace always keeps one.
import { and, asc, eq, sql } from 'drizzle-orm';
import { roleAtLeast, roleRank, type Member, type Role } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { apiTokens, memberships, sessions, users } from '../db/schema/index.js';
import { isUuid } from '../ids.js';
import type { Principal } from './auth.js';
import { recordAudit } from './audit.js';
import { AppError, notFound } from './errors.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

const ownerOnly = (by: Principal, what: string) =>
  new AppError(403, 'forbidden', `Only an owner may ${what}: your role here is ${by.role}.`, { need: 'owner', role: by.role });

const lastOwner = () => new AppError(409, 'last_owner', 'This is the workspace’s last owner: make another member owner first.');

export class MemberService {
  constructor(private db: Db) {}

  /** The workspace's members, oldest first. */
  async list(workspaceId: string): Promise<Member[]> {
    const rows = await this.db
      .select({ id: users.id, email: users.email, name: users.name, role: memberships.role, joinedAt: memberships.createdAt })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.workspaceId, workspaceId))
      .orderBy(asc(memberships.createdAt), asc(users.email));
    return rows.map((r) => ({ ...r, joinedAt: r.joinedAt.toISOString() }));
  }

  /** The member's row, locked for the change; another workspace's member is not found. */
  private async target(tx: Tx, workspaceId: string, userId: string) {
    if (!isUuid(userId)) throw notFound('Member');
    // The workspace's owners are locked too, so that two changes cannot each leave the other the last owner.
    await tx.execute(sql`select 1 from memberships where workspace_id = ${workspaceId} and role = 'owner' for update`);
    const [row] = await tx
      .select({ role: memberships.role, email: users.email })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.userId, userId)))
      .for('update', { of: memberships });
    if (!row) throw notFound('Member');
    return row;
  }

  private async ownerCount(tx: Tx, workspaceId: string): Promise<number> {
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(memberships)
      .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.role, 'owner')));
    return row?.n ?? 0;
  }

  async setRole(by: Principal, userId: string, role: Role): Promise<Member> {
    await this.db.transaction(async (tx) => {
      const target = await this.target(tx, by.workspaceId, userId);
      if (target.role === role) return;
      if (userId === by.userId && roleRank(role) > roleRank(target.role)) {
        throw new AppError(403, 'forbidden', 'You cannot raise your own role: ask an owner.', { need: 'owner', role: by.role });
      }
      if ((role === 'owner' || target.role === 'owner') && !roleAtLeast(by.role, 'owner')) throw ownerOnly(by, 'make or unmake an owner');
      if (target.role === 'owner' && (await this.ownerCount(tx, by.workspaceId)) <= 1) throw lastOwner();
      await tx.update(memberships).set({ role }).where(and(eq(memberships.workspaceId, by.workspaceId), eq(memberships.userId, userId)));
      await recordAudit(tx, by, { kind: 'user.role_changed', targetType: 'user', targetId: userId, detail: { email: target.email, role, previousRole: target.role } });
    });
    const member = (await this.list(by.workspaceId)).find((m) => m.id === userId);
    if (!member) throw notFound('Member');
    return member;
  }

  /**
   * Removes the member, and in the same transaction their API tokens of this workspace and every session of
   * theirs whose current workspace is this one: their next request here is refused.
   */
  async remove(by: Principal, userId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const target = await this.target(tx, by.workspaceId, userId);
      if (target.role === 'owner') {
        if (!roleAtLeast(by.role, 'owner')) throw ownerOnly(by, 'remove an owner');
        if ((await this.ownerCount(tx, by.workspaceId)) <= 1) throw lastOwner();
      }
      await tx.delete(memberships).where(and(eq(memberships.workspaceId, by.workspaceId), eq(memberships.userId, userId)));
      await tx.delete(apiTokens).where(and(eq(apiTokens.workspaceId, by.workspaceId), eq(apiTokens.userId, userId)));
      await tx.delete(sessions).where(and(eq(sessions.workspaceId, by.workspaceId), eq(sessions.userId, userId)));
      await recordAudit(tx, by, { kind: 'user.removed', targetType: 'user', targetId: userId, detail: { email: target.email, role: target.role } });
    });
  }
}
