// The signed-in person's own account, for every role: changing the password (POST /api/me/password, which
// signs out their other sessions) and signing out the other sessions on demand.
import { useState } from 'react';
import { api, ApiError, errorToastText } from '../api/client';
import { useConfirm } from '../components/confirm';
import { useToast } from '../components/toast';
import { useSession } from '../lib/session';

type Field = 'currentPassword' | 'newPassword';

export function AccountSection() {
  const { me } = useSession();
  const toast = useToast();
  const confirm = useConfirm();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const missing: Partial<Record<Field, string>> = {};
    if (!current) missing.currentPassword = 'Enter your current password.';
    if (next.length < 8) missing.newPassword = 'Choose a password of at least 8 characters.';
    if (Object.keys(missing).length > 0) return setErrors(missing);
    setBusy(true);
    try {
      await api.account.changePassword({ currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setErrors({});
      toast('Password changed; your other sessions are signed out', 'success');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'wrong_password') setErrors({ currentPassword: 'This is not your current password.' });
      else if (err instanceof ApiError && err.issues.some((i) => i.field === 'body.newPassword')) setErrors({ newPassword: err.issues.find((i) => i.field === 'body.newPassword')!.message });
      else toast(errorToastText(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  const signOutOthers = async () => {
    const ok = await confirm({ title: 'Sign out your other sessions?', message: 'Every browser where you are logged in, except this one, has to log in again.', confirmLabel: 'Sign out others' });
    if (!ok) return;
    try {
      const { signedOut } = await api.account.signOutOthers();
      toast(signedOut === 0 ? 'No other session was signed in' : `${signedOut} other session${signedOut === 1 ? '' : 's'} signed out`, 'success');
    } catch (err) {
      toast(errorToastText(err), 'error');
    }
  };

  return (
    <section className="settings-section" aria-labelledby="account-title" data-testid="account">
      <h2 id="account-title">Your account</h2>
      <p className="muted">
        Signed in as <strong>{me?.user.email}</strong>
        {me?.user.name ? ` (${me.user.name})` : ''}.
      </p>
      <form
        className="form"
        noValidate
        data-testid="password-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <input type="text" name="username" autoComplete="username" value={me?.user.email ?? ''} readOnly hidden />
        <PasswordField id="current-password" label="Current password" autoComplete="current-password" value={current} error={errors.currentPassword} onChange={(v) => {
            setCurrent(v);
            setErrors(({ currentPassword: _c, ...r }) => r);
          }} />
        <PasswordField id="new-password" label="New password" autoComplete="new-password" value={next} error={errors.newPassword} help="At least 8 characters. Your other sessions are signed out." onChange={(v) => {
            setNext(v);
            setErrors(({ newPassword: _n, ...r }) => r);
          }} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="password-save">
            {busy ? 'Changing…' : 'Change password'}
          </button>
          <button type="button" className="btn" onClick={() => void signOutOthers()} data-testid="sign-out-others">
            Sign out other sessions
          </button>
        </div>
      </form>
    </section>
  );
}

function PasswordField(props: { id: string; label: string; autoComplete: string; value: string; error: string | undefined; help?: string; onChange: (v: string) => void }) {
  const { id, error } = props;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label className="field-label" htmlFor={id}>
        {props.label}
      </label>
      <input id={id} type="password" autoComplete={props.autoComplete} value={props.value} maxLength={200} onChange={(e) => props.onChange(e.target.value)} aria-invalid={error ? true : undefined} data-testid={id} />
      {props.help && <span className="field-help">{props.help}</span>}
      {error && (
        <span className="field-error" role="alert" data-testid={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}
