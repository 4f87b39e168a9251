// The audit log's writer: one row per change a person made (or a sign-in), in the workspace it was made in.
// Callers name fields that changed, never their values; nothing here reads a secret.
import type { AuditDetail } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { auditLog } from '../db/schema/index.js';
import type { Principal } from './auth.js';

export interface AuditEntry {
  /** e.g. `bundle.saved`, `connection.changed`, `user.role_changed`, `login`. */
  kind: string;
  targetType?: 'bundle' | 'connection' | 'user' | 'invitation' | 'token' | 'status_rule' | 'workspace';
  targetId?: string;
  detail?: AuditDetail;
}

/** Who did it: a request's principal, or a user acting before they have one (a sign-in). */
export type AuditActor = Pick<Principal, 'userId' | 'workspaceId' | 'email'>;

/** Records one entry (`db` may be a transaction, so that the entry lands with the change or not at all). */
export async function recordAudit(db: Pick<Db, 'insert'>, actor: AuditActor, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    workspaceId: actor.workspaceId,
    userId: actor.userId,
    actorEmail: actor.email,
    kind: entry.kind,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    detail: entry.detail ?? {},
  });
}
