// Creating an API token: a name, a scope (up to the user's role) and a life; the value answered is shown here
// once, to copy, and never again.
import { useState } from 'react';
import { roleAtLeast } from '@bundles/shared/roles';
import { api, ApiError, errorToastText } from '../api/client';
import type { ApiToken, CreatedApiToken, Role, TokenScope } from '../api/types';
import { useToast } from '../components/toast';
import { useRole } from '../lib/role';

/** Each scope, what it may do, and the least role that may give it (as the server checks it). */
export const scopes: { value: TokenScope; label: string; needs: Role }[] = [
  { value: 'read', label: 'Read: bundles, runs, messages (no changes)', needs: 'viewer' },
  { value: 'write', label: 'Write: also edit, test, start and stop bundles', needs: 'editor' },
  { value: 'admin', label: 'Admin: everything your role may do', needs: 'admin' },
];

/** The widest scope the role may give, the one a new token gets unless another is chosen. */
export const widestScope = (role: Role): TokenScope => [...scopes].reverse().find((s) => roleAtLeast(role, s.needs))!.value;

const lives = [
  { value: '', label: 'Never expires' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
];

export function NewTokenForm({ onCreated }: { onCreated: (token: ApiToken) => void }) {
  const toast = useToast();
  const { role } = useRole();
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [scope, setScope] = useState<TokenScope>(widestScope(role));
  const [nameError, setNameError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);

  const submit = async () => {
    if (name.trim() === '') return setNameError('Name the token after who uses it, e.g. “Zapier” or “backup script”.');
    setBusy(true);
    try {
      const made = await api.tokens.create({ name: name.trim(), scope, ...(days ? { expiresInDays: Number(days) } : {}) });
      const { token: _value, ...listed } = made;
      onCreated(listed);
      setCreated(made);
      setName('');
      setDays('');
      setScope(widestScope(role));
    } catch (err) {
      const onName = err instanceof ApiError ? err.issues.find((i) => i.field === 'body.name') : undefined;
      if (onName) setNameError(onName.message);
      else toast(errorToastText(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {created && <NewTokenBox token={created} onDone={() => setCreated(null)} />}
      <form
        className="form token-form"
        noValidate
        data-testid="token-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="field-row">
          <div className={`field${nameError ? ' has-error' : ''}`}>
            <label className="field-label" htmlFor="token-name">
              Token name
            </label>
            <input
              id="token-name"
              value={name}
              maxLength={100}
              placeholder="e.g. Zapier"
              onChange={(e) => {
                setName(e.target.value);
                setNameError(null);
              }}
              aria-invalid={nameError ? true : undefined}
              data-testid="token-name"
            />
            {nameError && (
              <span className="field-error" role="alert" data-testid="token-name-error">
                {nameError}
              </span>
            )}
          </div>
          <div className="field">
            <label className="field-label" htmlFor="token-scope">
              Scope
            </label>
            <select id="token-scope" value={scope} onChange={(e) => setScope(e.target.value as TokenScope)} data-testid="token-scope">
              {scopes.map((s) => (
                <option key={s.value} value={s.value} disabled={!roleAtLeast(role, s.needs)}>
                  {s.label}
                  {roleAtLeast(role, s.needs) ? '' : ` (needs the ${s.needs} role)`}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label className="field-label" htmlFor="token-expiry">
              Expires
            </label>
            <select id="token-expiry" value={days} onChange={(e) => setDays(e.target.value)} data-testid="token-expiry">
              {lives.map((l) => (
                <option key={l.value} value={l.value}>
                  {l.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="token-create">
            {busy ? 'Creating…' : 'Create token'}
          </button>
        </div>
      </form>
    </>
  );
}

function NewTokenBox({ token, onDone }: { token: CreatedApiToken; onDone: () => void }) {
  const toast = useToast();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(token.token);
      setCopied(true);
    } catch {
      toast('Copy failed: select the token and copy it by hand.', 'error');
    }
  };
  return (
    <div className="banner banner-info new-token" role="status" data-testid="new-token">
      <p>
        <strong>Token “{token.name}” created.</strong> Copy it now: it is not shown again, and Bundles keeps only a hash of it.
      </p>
      <div className="copy-row">
        <input readOnly value={token.token} aria-label="New API token" data-testid="new-token-value" onFocus={(e) => e.target.select()} />
        <button type="button" className="btn" onClick={() => void copy()} data-testid="new-token-copy">
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="btn btn-ghost" onClick={onDone} data-testid="new-token-done">
          Done
        </button>
      </div>
    </div>
  );
}
