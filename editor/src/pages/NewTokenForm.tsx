// Creating an API token: a name and a life; the value answered is shown here once, to copy, and never again.
import { useState } from 'react';
import { api, ApiError, errorToastText } from '../api/client';
import type { ApiToken, CreatedApiToken } from '../api/types';
import { useToast } from '../components/toast';

const lives = [
  { value: '', label: 'Never expires' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
];

export function NewTokenForm({ onCreated }: { onCreated: (token: ApiToken) => void }) {
  const toast = useToast();
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedApiToken | null>(null);

  const submit = async () => {
    if (name.trim() === '') return setNameError('Name the token after who uses it, e.g. “Zapier” or “backup script”.');
    setBusy(true);
    try {
      const made = await api.tokens.create({ name: name.trim(), ...(days ? { expiresInDays: Number(days) } : {}) });
      const { token: _value, ...listed } = made;
      onCreated(listed);
      setCreated(made);
      setName('');
      setDays('');
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
