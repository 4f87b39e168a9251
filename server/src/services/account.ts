// The signed-in user's own account: changing the password (which signs out their other sessions) and
// signing out every session but the current one.
import { and, eq, ne } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { sessions, users } from '../db/schema/index.js';
import { checkPassword, hashPassword, type Principal } from './auth.js';
import { recordAudit } from './audit.js';
import { AppError } from './errors.js';
import { checkLoginAllowed, clearLoginFailures, recordLoginFailure } from './login-throttle.js';
import { hashToken } from './tokens.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/** Deletes the user's sessions except `keep` (a session cookie's value; null: every one). Answers how many. */
async function signOutOthers(tx: Tx, userId: string, keep: string | null): Promise<number> {
  const where = keep ? and(eq(sessions.userId, userId), ne(sessions.tokenHash, hashToken(keep))) : eq(sessions.userId, userId);
  const gone = await tx.delete(sessions).where(where).returning({ id: sessions.id });
  return gone.length;
}

export class AccountService {
  constructor(private db: Db) {}

  /**
   * Checks the current password (throttled as sign-ins are, per account and client address), stores the new
   * one and signs out the user's other sessions; `currentSession` (the request's cookie) stays signed in.
   */
  async changePassword(by: Principal, input: { currentPassword: string; newPassword: string }, currentSession: string | null, address: string): Promise<void> {
    await checkLoginAllowed(this.db, by.email, address);
    const [user] = await this.db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.id, by.userId));
    if (!user || !(await checkPassword(input.currentPassword, user.passwordHash))) {
      await recordLoginFailure(this.db, by.email, address);
      throw new AppError(403, 'wrong_password', 'The current password is not right.');
    }
    await clearLoginFailures(this.db, by.email);
    const passwordHash = await hashPassword(input.newPassword);
    await this.db.transaction(async (tx) => {
      await tx.update(users).set({ passwordHash }).where(eq(users.id, by.userId));
      await signOutOthers(tx, by.userId, currentSession);
      await recordAudit(tx, by, { kind: 'password.changed', targetType: 'user', targetId: by.userId });
    });
  }

  /** Signs out every session of the user but `currentSession`; answers how many were signed out. */
  async signOutOtherSessions(by: Principal, currentSession: string | null): Promise<number> {
    return this.db.transaction(async (tx) => {
      const n = await signOutOthers(tx, by.userId, currentSession);
      await recordAudit(tx, by, { kind: 'sessions.signed_out_others', targetType: 'user', targetId: by.userId });
      return n;
    });
  }
}
