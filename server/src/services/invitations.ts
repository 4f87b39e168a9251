// Invitations: a one-time link (its token stored only as a SHA-256 hash) to join a workspace with a role,
// valid INVITATION_DAYS; made (and mailed when SMTP is configured), listed, revoked, previewed and accepted.
import { randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import {
  INVITATION_DAYS,
  PASSWORD_MIN,
  roleAtLeast,
  type AcceptInvitation,
  type CreatedInvitation,
  type Invitation,
  type InvitationInput,
  type InvitationPreview,
} from '@bundles/shared';
import type { Db } from '../db/index.js';
import { invitations, memberships, users, workspaces } from '../db/schema/index.js';
import { isUuid } from '../ids.js';
import { checkPassword, hashPassword, type Principal } from './auth.js';
import { recordAudit } from './audit.js';
import { AppError, notFound } from './errors.js';
import type { Mailer } from './mailer.js';
import { checkLoginAllowed, clearLoginFailures, recordLoginFailure } from './login-throttle.js';
import { hashToken, insertApiToken } from './tokens.js';

type InvitationRow = typeof invitations.$inferSelect;

/** The answer to a link that does not lead anywhere (any more). */
function unusable(row: InvitationRow | undefined, now = new Date()): AppError | null {
  if (!row) return new AppError(404, 'invitation_not_found', 'This invitation link is not valid: it was revoked, or it never existed.');
  if (row.acceptedAt) return new AppError(410, 'invitation_used', 'This invitation was accepted already: log in instead.');
  if (row.expiresAt <= now) return new AppError(410, 'invitation_expired', `This invitation expired at ${row.expiresAt.toISOString()}: ask for a new one.`, { expiredAt: row.expiresAt.toISOString() });
  return null;
}

const fieldError = (field: string, message: string) =>
  new AppError(400, 'invalid_request', `Invalid request: ${field} ${message}`, { issues: [{ field, message }] });

export class InvitationService {
  constructor(private deps: { db: Db; mailer: Mailer; publicUrl: () => string }) {}

  async create(by: Principal, input: InvitationInput): Promise<CreatedInvitation> {
    const { db } = this.deps;
    if (!roleAtLeast(by.role, input.role)) {
      throw new AppError(403, 'forbidden', `You cannot invite someone as ${input.role}: your role here is ${by.role}.`, { need: input.role, role: by.role });
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
    const { id, workspaceName } = await db.transaction(async (tx) => {
      const [member] = await tx
        .select({ id: users.id })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.workspaceId, by.workspaceId), eq(users.email, input.email)));
      if (member) throw new AppError(409, 'already_member', `${input.email} is a member of this workspace already.`);
      // A new invitation to the same address replaces the one still pending: one link per person works.
      await tx.delete(invitations).where(and(eq(invitations.workspaceId, by.workspaceId), eq(invitations.email, input.email), isNull(invitations.acceptedAt)));
      const [row] = await tx
        .insert(invitations)
        .values({ workspaceId: by.workspaceId, email: input.email, role: input.role, tokenHash: hashToken(token), invitedBy: by.userId, expiresAt })
        .returning({ id: invitations.id });
      await recordAudit(tx, by, { kind: 'invitation.created', targetType: 'invitation', targetId: row!.id, detail: { email: input.email, role: input.role } });
      const [ws] = await tx.select({ name: workspaces.name }).from(workspaces).where(eq(workspaces.id, by.workspaceId));
      return { id: row!.id, workspaceName: ws!.name };
    });
    const url = `${this.deps.publicUrl().replace(/\/+$/, '')}/invite/${token}`;
    const sent = await this.deps.mailer.send({
      to: input.email,
      subject: `You are invited to ${workspaceName} on Bundles`,
      text: [
        `${by.email} invites you to the workspace "${workspaceName}" on Bundles, as ${input.role}.`,
        '',
        `Accept the invitation here (the link works once, until ${expiresAt.toUTCString()}):`,
        url,
      ].join('\n'),
    });
    return { id, url, expiresAt: expiresAt.toISOString(), mailed: sent.mailed, ...(sent.mailed ? {} : { mailError: sent.reason }) };
  }

  /** The pending invitations (not accepted), newest first; expired ones are shown as such until revoked. */
  async list(workspaceId: string): Promise<Invitation[]> {
    const inviter = alias(users, 'inviter');
    const rows = await this.deps.db
      .select({
        id: invitations.id,
        email: invitations.email,
        role: invitations.role,
        invitedBy: inviter.email,
        createdAt: invitations.createdAt,
        expiresAt: invitations.expiresAt,
        expired: sql<boolean>`${invitations.expiresAt} <= now()`,
      })
      .from(invitations)
      .leftJoin(inviter, eq(inviter.id, invitations.invitedBy))
      .where(and(eq(invitations.workspaceId, workspaceId), isNull(invitations.acceptedAt)))
      .orderBy(desc(invitations.createdAt));
    return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), expiresAt: r.expiresAt.toISOString() }));
  }

  /** Revokes a pending invitation: its link is not found from now on. */
  async revoke(by: Principal, id: string): Promise<void> {
    if (!isUuid(id)) throw notFound('Invitation');
    await this.deps.db.transaction(async (tx) => {
      const [gone] = await tx
        .delete(invitations)
        .where(and(eq(invitations.id, id), eq(invitations.workspaceId, by.workspaceId), isNull(invitations.acceptedAt)))
        .returning({ email: invitations.email, role: invitations.role });
      if (!gone) throw notFound('Invitation');
      await recordAudit(tx, by, { kind: 'invitation.revoked', targetType: 'invitation', targetId: id, detail: { email: gone.email, role: gone.role } });
    });
  }

  private async byToken(token: string): Promise<InvitationRow | undefined> {
    const [row] = await this.deps.db.select().from(invitations).where(eq(invitations.tokenHash, hashToken(token)));
    return row;
  }

  /** What the accept page shows; a link that leads nowhere is refused as accepting it would be. */
  async preview(token: string): Promise<InvitationPreview> {
    const row = await this.byToken(token);
    const refusal = unusable(row);
    if (refusal) throw refusal;
    const [ws] = await this.deps.db.select({ name: workspaces.name }).from(workspaces).where(eq(workspaces.id, row!.workspaceId));
    const [user] = await this.deps.db.select({ id: users.id }).from(users).where(eq(users.email, row!.email));
    return { workspace: { name: ws!.name }, email: row!.email, role: row!.role, expiresAt: row!.expiresAt.toISOString(), existingAccount: !!user };
  }

  /**
   * The invitation a link leads to, refused (404/410) when it leads nowhere, with the account its e-mail has
   * (whose password accepting it then needs), if any.
   */
  private async lookup(token: string): Promise<{ email: string; existingUser: { id: string; passwordHash: string } | null }> {
    const row = await this.byToken(token);
    const refusal = unusable(row);
    if (refusal) throw refusal;
    const [user] = await this.deps.db.select({ id: users.id, passwordHash: users.passwordHash }).from(users).where(eq(users.email, row!.email));
    return { email: row!.email, existingUser: user ?? null };
  }

  /**
   * Accepts: creates the user (name, password) or, for an existing account, checks its password; then in one
   * transaction adds the membership with the invited role, spends the invitation and makes an API token.
   * Throttled per invitation and per client address (`invite:` keys: a link that leads nowhere counts), and an
   * existing account's wrong password counts against its sign-in like a failed login.
   */
  async accept(input: AcceptInvitation, address: string): Promise<{ token: string; userId: string; workspaceId: string; email: string }> {
    const { db } = this.deps;
    const key = hashToken(input.token);
    await checkLoginAllowed(db, key, address, 'invite:');
    const { email, existingUser } = await this.lookup(input.token).catch(async (err: unknown) => {
      if (err instanceof AppError) await recordLoginFailure(db, key, address, 'invite:');
      throw err;
    });
    let passwordHash: string | null = null;
    if (existingUser) {
      await checkLoginAllowed(db, email, address);
      if (!(await checkPassword(input.password, existingUser.passwordHash))) {
        await recordLoginFailure(db, key, address, 'invite:');
        await recordLoginFailure(db, email, address);
        throw new AppError(403, 'wrong_password', 'This is not the password of the existing account with this e-mail address.');
      }
      await clearLoginFailures(db, email);
    } else {
      if (!input.name) throw fieldError('body.name', 'is required for a new account');
      if (input.password.length < PASSWORD_MIN) throw fieldError('body.password', `use at least ${PASSWORD_MIN} characters`);
      passwordHash = await hashPassword(input.password);
    }
    return db.transaction(async (tx) => {
      // Locked, and judged again: of two acceptances at once, the second finds it spent.
      const [row] = await tx.select().from(invitations).where(eq(invitations.tokenHash, hashToken(input.token))).for('update');
      const refusal = unusable(row);
      if (refusal) throw refusal;
      const inv = row!;
      let userId: string;
      if (existingUser) {
        userId = existingUser.id;
        await tx.update(users).set({ lastWorkspaceId: inv.workspaceId }).where(eq(users.id, userId));
      } else {
        const [created] = await tx
          .insert(users)
          .values({ email: inv.email, name: input.name!, passwordHash: passwordHash!, lastWorkspaceId: inv.workspaceId })
          .onConflictDoNothing({ target: users.email })
          .returning({ id: users.id });
        // The address signed up through another invitation meanwhile: accept again with that password.
        if (!created) throw new AppError(409, 'already_member', `${inv.email} has an account already: accept with its password.`);
        userId = created.id;
      }
      const added = await tx
        .insert(memberships)
        .values({ workspaceId: inv.workspaceId, userId, role: inv.role })
        .onConflictDoNothing()
        .returning({ userId: memberships.userId });
      if (added.length === 0) throw new AppError(409, 'already_member', `${inv.email} is a member of this workspace already.`);
      await tx.update(invitations).set({ acceptedAt: new Date() }).where(eq(invitations.id, inv.id));
      const { token } = await insertApiToken(tx, { userId, workspaceId: inv.workspaceId, name: 'invitation' });
      const actor = { userId, workspaceId: inv.workspaceId, email: inv.email };
      await recordAudit(tx, actor, { kind: 'invitation.accepted', targetType: 'invitation', targetId: inv.id, detail: { email: inv.email, role: inv.role } });
      return { token, userId, workspaceId: inv.workspaceId, email: inv.email };
    });
  }
}
