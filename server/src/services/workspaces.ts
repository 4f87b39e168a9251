// Workspaces of a user: listed with their role in each, made (the maker becomes the owner), switched to by a
// session, and deleted by an owner with everything in them.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { WorkspaceSummary } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { memberships, sessions, users, workspaces } from '../db/schema/index.js';
import type { Principal } from './auth.js';
import { recordAudit } from './audit.js';
import { AppError, notFound } from './errors.js';
import { hashToken } from './tokens.js';
import { isUuid } from '../ids.js';

export class WorkspaceService {
  constructor(private db: Db) {}

  /** The caller's workspaces, oldest membership first, with their own role in each; `current` is the one the request acts in. */
  async list(by: Principal): Promise<WorkspaceSummary[]> {
    const rows = await this.db
      .select({ id: workspaces.id, name: workspaces.name, role: memberships.role })
      .from(memberships)
      .innerJoin(workspaces, eq(workspaces.id, memberships.workspaceId))
      .where(eq(memberships.userId, by.userId))
      .orderBy(asc(memberships.createdAt), asc(workspaces.name));
    return rows.map((r) => ({ ...r, current: r.id === by.workspaceId }));
  }

  /** A new workspace with the default settings; its maker is its owner. The request still acts where it did. */
  async create(by: Principal, name: string): Promise<WorkspaceSummary> {
    return this.db.transaction(async (tx) => {
      const [ws] = await tx.insert(workspaces).values({ name }).returning();
      await tx.insert(memberships).values({ workspaceId: ws!.id, userId: by.userId, role: 'owner' });
      await recordAudit(tx, { ...by, workspaceId: ws!.id }, { kind: 'workspace.created', targetType: 'workspace', targetId: ws!.id, detail: { name } });
      return { id: ws!.id, name: ws!.name, role: 'owner', current: false };
    });
  }

  /**
   * Moves the session (its cookie value: `sessionToken`) to another workspace of its user, and makes it where
   * the user's next session starts. A workspace the user is no member of is not found; a token cannot switch.
   */
  async switchTo(by: Principal, id: string, sessionToken: string | undefined): Promise<WorkspaceSummary> {
    const target = isUuid(id) ? (await this.list(by)).find((w) => w.id === id) : undefined;
    if (!target) throw notFound('Workspace');
    if (by.via !== 'session' || !sessionToken) {
      throw new AppError(400, 'token_cannot_switch', 'An API token acts only in its own workspace: send X-Bundles-Workspace with a session, or make a token in the other workspace.');
    }
    await this.db.transaction(async (tx) => {
      await tx
        .update(sessions)
        .set({ workspaceId: id })
        .where(and(eq(sessions.tokenHash, hashToken(sessionToken)), eq(sessions.userId, by.userId)));
      await tx.update(users).set({ lastWorkspaceId: id }).where(eq(users.id, by.userId));
    });
    return { ...target, current: true };
  }

  /**
   * Deletes the workspace the request acts in (`id` must name it, and `confirmName` be its name), with its
   * bundles, connections, history and members' access. Refused for the caller's last workspace (409): they
   * would be left with nowhere to sign in to. Tables written on every event have no keys to cascade through.
   */
  async remove(by: Principal, id: string, confirmName: string): Promise<{ connectionIds: string[] }> {
    if (!isUuid(id) || id !== by.workspaceId) throw notFound('Workspace');
    return this.db.transaction(async (tx) => {
      const [ws] = await tx.select().from(workspaces).where(eq(workspaces.id, id)).for('update');
      if (!ws) throw notFound('Workspace');
      if (confirmName.trim() !== ws.name) {
        throw new AppError(422, 'invalid_request', `Type the workspace's name, "${ws.name}", to delete it.`, { issues: [{ field: 'confirmName', message: `must be the workspace's name, "${ws.name}"` }] });
      }
      const [others] = await tx.select({ n: sql<number>`count(*)::int` }).from(memberships).where(and(eq(memberships.userId, by.userId), sql`${memberships.workspaceId} <> ${id}`));
      if ((others?.n ?? 0) === 0) {
        throw new AppError(409, 'last_workspace', 'This is your only workspace: make or join another one first, so that you have somewhere to sign in to.');
      }
      const gone = await tx.execute<{ id: string }>(sql`select id from connections where workspace_id = ${id}`);
      const ofConnections = sql`(select c.id from connections c where c.workspace_id = ${id})`;
      await tx.execute(sql`delete from steps where run_id in (select r.id from runs r where r.workspace_id = ${id})`);
      await tx.execute(sql`delete from step_journal where run_id in (select r.id from runs r where r.workspace_id = ${id})`);
      for (const table of ['runs', 'events', 'messages']) await tx.execute(sql`delete from ${sql.identifier(table)} where workspace_id = ${id}`);
      for (const table of ['event_keys', 'webhook_deliveries', 'send_counts', 'reply_waits', 'trigger_subscriptions', 'connection_ledger']) {
        await tx.execute(sql`delete from ${sql.identifier(table)} where connection_id in ${ofConnections}`);
      }
      // Sessions acting in it move to the user's oldest other workspace (or end, for a user with none).
      await tx.execute(sql`
        update sessions s set workspace_id = m.workspace_id
        from (select distinct on (user_id) user_id, workspace_id from memberships where workspace_id <> ${id} order by user_id, created_at) m
        where s.workspace_id = ${id} and s.user_id = m.user_id`);
      // Everything else (flows, connections, memberships, tokens, invitations, the audit log) goes with it.
      await tx.delete(workspaces).where(eq(workspaces.id, id));
      return { connectionIds: gone.rows.map((r) => r.id) };
    });
  }
}
