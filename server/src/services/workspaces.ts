// Workspaces of a user: listed with their role in each, made (the maker becomes the owner), switched to by a session.
import { and, asc, eq } from 'drizzle-orm';
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
}
