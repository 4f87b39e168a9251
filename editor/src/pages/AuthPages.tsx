import { useState, type FormEvent, type ReactNode } from 'react';
import { api, errorMessage } from '../api/client';

export function AuthCard({ title, subtitle, children }: { title: string; subtitle: string; children: ReactNode }) {
  return (
    <div className="auth-page">
      <div className="auth-card">
        <div className="brand brand-lg">
          <span className="brand-mark" aria-hidden="true" />
          Bundles
        </div>
        <h1>{title}</h1>
        <p className="muted">{subtitle}</p>
        {children}
      </div>
    </div>
  );
}

export function SetupPage({ onDone }: { onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [workspace, setWorkspace] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (password.length < 8) return setError('Choose a password of at least 8 characters.');
    setBusy(true);
    setError(null);
    try {
      await api.setup({ email, password, ...(workspace ? { workspace } : {}) });
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthCard title="Welcome to Bundles" subtitle="Create the owner account and your workspace to get started.">
      <form onSubmit={(e) => void submit(e)} className="form" data-testid="setup-form">
        <label className="field">
          <span className="field-label">Email</span>
          <input type="email" required autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} name="email" autoFocus />
        </label>
        <label className="field">
          <span className="field-label">Password</span>
          <input type="password" required autoComplete="new-password" minLength={8} value={password} onChange={(e) => setPassword(e.target.value)} name="password" />
          <span className="field-help">At least 8 characters.</span>
        </label>
        <label className="field">
          <span className="field-label">Workspace name <span className="muted">(optional)</span></span>
          <input type="text" value={workspace} onChange={(e) => setWorkspace(e.target.value)} name="workspace" placeholder="My company" />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Creating…' : 'Create account'}
        </button>
      </form>
    </AuthCard>
  );
}

export function LoginPage({ onDone }: { onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.login({ email, password });
      onDone();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthCard title="Log in" subtitle="Build, start and watch your bundles.">
      <form onSubmit={(e) => void submit(e)} className="form" data-testid="login-form">
        <label className="field">
          <span className="field-label">Email</span>
          <input type="email" required autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} name="email" autoFocus />
        </label>
        <label className="field">
          <span className="field-label">Password</span>
          <input type="password" required autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} name="password" />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthCard>
  );
}
