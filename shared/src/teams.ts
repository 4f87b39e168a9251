// Shapes of the team API: members of a workspace, invitations (made, listed, previewed, accepted) and the
// account's password and sessions.
import { z } from 'zod';
import { roleSchema } from './roles.js';

export const EMAIL_MAX = 254;
export const PERSON_NAME_MAX = 100;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;
/** How long an invitation link is valid. */
export const INVITATION_DAYS = 7;

const timestamp = z.string();
const email = z.string().trim().toLowerCase().max(EMAIL_MAX).email('is not an e-mail address');
const newPassword = z.string().min(PASSWORD_MIN, `use at least ${PASSWORD_MIN} characters`).max(PASSWORD_MAX);

/** One member of the workspace, as GET /api/users lists them. */
export const memberSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: roleSchema,
  joinedAt: timestamp,
});
export type Member = z.infer<typeof memberSchema>;

export const memberRoleInputSchema = z.object({ role: roleSchema });

export const invitationInputSchema = z.object({ email, role: roleSchema });
export type InvitationInput = z.infer<typeof invitationInputSchema>;

/** A pending invitation, as GET /api/invitations lists it: never its link. */
export const invitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  invitedBy: z.string().nullable().describe('The inviter’s e-mail address (null once they are gone).'),
  createdAt: timestamp,
  expiresAt: timestamp,
  expired: z.boolean(),
});
export type Invitation = z.infer<typeof invitationSchema>;

/** POST /api/invitations: the link is answered this once (only its hash is kept). */
export const createdInvitationSchema = z.object({
  id: z.string(),
  url: z.string(),
  expiresAt: timestamp,
  /** Whether it went out by e-mail (SMTP configured and accepted); the link works either way. */
  mailed: z.boolean(),
  /** Why it was not mailed: SMTP is not configured, or what the mail server said. */
  mailError: z.string().optional(),
});
export type CreatedInvitation = z.infer<typeof createdInvitationSchema>;

/** GET /api/invitations/:token/preview: what the accept page greets with. */
export const invitationPreviewSchema = z.object({
  workspace: z.object({ name: z.string() }),
  email: z.string(),
  role: roleSchema,
  expiresAt: timestamp,
  /** The e-mail address has an account already: accepting asks for its current password, not a new one. */
  existingAccount: z.boolean(),
});
export type InvitationPreview = z.infer<typeof invitationPreviewSchema>;

export const INVITATION_TOKEN_MAX = 100;

/** POST /api/invitations/accept: a new account names itself and picks a password; an existing one gives its password. */
export const acceptInvitationSchema = z.object({
  token: z.string().min(1).max(INVITATION_TOKEN_MAX),
  name: z.string().trim().min(1, 'is required').max(PERSON_NAME_MAX).optional(),
  password: z.string().min(1, 'is required').max(PASSWORD_MAX),
});
export type AcceptInvitation = z.infer<typeof acceptInvitationSchema>;

export const passwordChangeSchema = z.object({
  currentPassword: z.string().min(1, 'is required').max(PASSWORD_MAX),
  newPassword,
});
export type PasswordChange = z.infer<typeof passwordChangeSchema>;

export const signedOutSchema = z.object({ signedOut: z.number().int() });
