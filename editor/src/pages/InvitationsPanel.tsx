// Inviting people (POST /api/invitations): an e-mail address and a role up to one's own; the one-time link is
// shown once to copy, with whether it was mailed. Below, the pending invitations, each to revoke.
import { useState } from 'react';
import { api, ApiError, errorToastText } from '../api/client';
import { useAsync } from '../api/hooks';
import type { CreatedInvitation, Invitation, Role } from '@bundles/shared';
import { ROLES, roleAtLeast } from '@bundles/shared/roles';
import { useConfirm } from '../components/confirm';
import { useToast } from '../components/toast';
import { ErrorState, Spinner } from '../components/ui';
import { roleLabels } from '../lib/roles';

const dateOf = (iso: string) => new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

export function InvitationsPanel({ myRole }: { myRole: Role }) {
  const invitations = useAsync(() => api.invitations.list(), []);
  const confirm = useConfirm();
  const toast = useToast();
  const [made, setMade] = useState<(CreatedInvitation & { email: string }) | null>(null);

  const revoke = async (inv: Invitation) => {
    const ok = await confirm({ title: `Revoke the invitation of ${inv.email}?`, message: 'Its link stops working at once. You can invite them again later.', confirmLabel: 'Revoke', danger: true });
    if (!ok) return;
    try {
      await api.invitations.revoke(inv.id);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) return toast(errorToastText(err), 'error');
    }
    invitations.setData((list) => (list ?? []).filter((i) => i.id !== inv.id));
    toast(`Invitation of ${inv.email} revoked`, 'success');
  };

  return (
    <div className="invitations" data-testid="invitations">
      <h3>Invite people</h3>
      {made && <InvitationLinkBox made={made} onDone={() => setMade(null)} />}
      <InviteForm
        myRole={myRole}
        onMade={(m) => {
          setMade(m);
          void invitations.reload();
        }}
      />
      <h3>Pending invitations</h3>
      {invitations.loading && !invitations.data && <Spinner label="Loading invitations…" />}
      {invitations.error !== undefined && !invitations.data && <ErrorState title="Cannot load the invitations" error={invitations.error} onRetry={() => void invitations.reload()} />}
      {invitations.data && invitations.data.length === 0 && <p className="muted" data-testid="no-invitations">No invitation is waiting to be accepted.</p>}
      {invitations.data && invitations.data.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="invitation-table">
            <thead>
              <tr>
                <th>E-mail</th>
                <th>Role</th>
                <th>Invited by</th>
                <th>Valid until</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {invitations.data.map((inv) => (
                <tr key={inv.id} data-testid="invitation-row" data-invitation-email={inv.email}>
                  <td>{inv.email}</td>
                  <td>{roleLabels[inv.role]}</td>
                  <td>{inv.invitedBy ?? '—'}</td>
                  <td>{inv.expired ? <span className="pill pill-failed">expired {dateOf(inv.expiresAt)}</span> : dateOf(inv.expiresAt)}</td>
                  <td className="token-actions">
                    <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => void revoke(inv)} aria-label={`Revoke the invitation of ${inv.email}`} data-testid="invitation-revoke">
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function InviteForm({ myRole, onMade }: { myRole: Role; onMade: (m: CreatedInvitation & { email: string }) => void }) {
  const toast = useToast();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('editor');
  const [emailError, setEmailError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const roles = ROLES.filter((r) => roleAtLeast(myRole, r));

  const submit = async () => {
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) return setEmailError('Enter the e-mail address of the person to invite.');
    setBusy(true);
    try {
      const made = await api.invitations.create({ email: email.trim(), role });
      onMade({ ...made, email: email.trim() });
      setEmail('');
    } catch (err) {
      const onEmail = err instanceof ApiError ? (err.issues.find((i) => i.field === 'body.email')?.message ?? (err.code === 'already_member' ? err.message : undefined)) : undefined;
      if (onEmail) setEmailError(onEmail);
      else toast(errorToastText(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="form token-form"
      noValidate
      data-testid="invite-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="field-row">
        <div className={`field${emailError ? ' has-error' : ''}`}>
          <label className="field-label" htmlFor="invite-email">
            E-mail address
          </label>
          <input
            id="invite-email"
            type="email"
            value={email}
            maxLength={254}
            placeholder="name@company.com"
            onChange={(e) => {
              setEmail(e.target.value);
              setEmailError(null);
            }}
            aria-invalid={emailError ? true : undefined}
            data-testid="invite-email"
          />
          {emailError && (
            <span className="field-error" role="alert" data-testid="invite-email-error">
              {emailError}
            </span>
          )}
        </div>
        <div className="field">
          <label className="field-label" htmlFor="invite-role">
            Role
          </label>
          <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="invite-role">
            {roles.map((r) => (
              <option key={r} value={r}>
                {roleLabels[r]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="invite-submit">
          {busy ? 'Inviting…' : 'Invite'}
        </button>
      </div>
    </form>
  );
}

function InvitationLinkBox({ made, onDone }: { made: CreatedInvitation & { email: string }; onDone: () => void }) {
  const toast = useToast();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(made.url);
      setCopied(true);
    } catch {
      toast('Copy failed: select the link and copy it by hand.', 'error');
    }
  };
  return (
    <div className={`banner ${made.mailed ? 'banner-ok' : 'banner-info'} new-token`} role="status" data-testid="invitation-link">
      <p data-testid="invitation-mailed">
        <strong>{made.email} is invited.</strong>{' '}
        {made.mailed ? 'The link was mailed to them; you can also copy it here.' : `It was not mailed: ${made.mailError ?? 'no reason given'} Copy the link and send it to them yourself.`} It works
        once, until {dateOf(made.expiresAt)}, and is not shown again.
      </p>
      <div className="copy-row">
        <input readOnly value={made.url} aria-label="Invitation link" data-testid="invitation-url" onFocus={(e) => e.target.select()} />
        <button type="button" className="btn" onClick={() => void copy()} data-testid="invitation-copy">
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onDone} data-testid="invitation-done">
          Done
        </button>
      </div>
    </div>
  );
}
