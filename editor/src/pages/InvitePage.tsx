// The page an invitation link opens (/invite/:token), logged out or in: it greets with the workspace and the
// role (GET /api/invitations/:token/preview), asks a new person's name and password, or an existing account's
// current password, accepts (which signs them in) and lands in the app.
import { useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage, errorSentence, errorHint } from '../api/client';
import { useAsync } from '../api/hooks';
import type { InvitationPreview } from '@bundles/shared';
import { Spinner } from '../components/ui';
import { roleLabels } from '../lib/roles';
import { AuthCard } from './AuthPages';

export function InvitePage({ token, onDone }: { token: string; onDone: () => void }) {
  const preview = useAsync(() => api.invitations.preview(token), [token]);
  if (preview.loading && !preview.data) {
    return (
      <div className="center-page">
        <Spinner label="Opening the invitation…" />
      </div>
    );
  }
  if (!preview.data) {
    const known = preview.error instanceof ApiError && (preview.error.status === 404 || preview.error.status === 410);
    return (
      <AuthCard title={known ? (errorSentence(preview.error) ?? 'This invitation cannot be used') : 'Cannot open the invitation'} subtitle={known ? (errorHint(preview.error) ?? '') : errorMessage(preview.error)}>
        <p data-testid="invite-unusable">
          <a href="/" className="btn btn-block">
            Go to Bundles
          </a>
        </p>
      </AuthCard>
    );
  }
  return <AcceptForm token={token} preview={preview.data} onDone={onDone} />;
}

function AcceptForm({ token, preview, onDone }: { token: string; preview: InvitationPreview; onDone: () => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const existing = preview.existingAccount;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!existing && name.trim() === '') return setError('Enter your name.');
    if (!existing && password.length < 8) return setError('Choose a password of at least 8 characters.');
    if (existing && password === '') return setError('Enter the password of your account.');
    setBusy(true);
    setError(null);
    try {
      await api.invitations.accept({ token, password, ...(existing ? {} : { name: name.trim() }) });
      onDone();
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'wrong_password' ? 'This is not the password of your account.' : errorMessage(err));
      setBusy(false);
    }
  };

  const role = roleLabels[preview.role].toLowerCase();
  return (
    <AuthCard title={`Join ${preview.workspace.name}`} subtitle={`You are invited as ${role}, as ${preview.email}.`}>
      <p className="muted" data-testid="invite-greeting">
        {existing ? 'You have a Bundles account already: enter its password to add this workspace to it.' : 'Choose your name and a password to create your account.'}
      </p>
      <form onSubmit={(e) => void submit(e)} className="form" data-testid="accept-form" noValidate>
        <input type="email" name="email" autoComplete="username" value={preview.email} readOnly hidden />
        {!existing && (
          <label className="field">
            <span className="field-label">Your name</span>
            <input type="text" required autoComplete="name" maxLength={100} value={name} onChange={(e) => setName(e.target.value)} name="name" autoFocus data-testid="accept-name" />
          </label>
        )}
        <label className="field">
          <span className="field-label">{existing ? 'Your password' : 'Password'}</span>
          <input
            type="password"
            required
            autoComplete={existing ? 'current-password' : 'new-password'}
            maxLength={200}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            name="password"
            autoFocus={existing}
            data-testid="accept-password"
          />
          {!existing && <span className="field-help">At least 8 characters.</span>}
        </label>
        {error && (
          <p className="form-error" role="alert" data-testid="accept-error">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="accept-submit">
          {busy ? 'Joining…' : `Join as ${role}`}
        </button>
      </form>
    </AuthCard>
  );
}
