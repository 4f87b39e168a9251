// The private hosts and ranges this workspace's calls may reach (GET/PUT /api/settings/allowed-hosts): one
// entry a line, each refused entry named under the box; the operator's list shown beside it. Admins only.
import { useState } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import { useAsync } from '../api/hooks';
import type { AllowedHostsSettings } from '../api/types';
import { useToast } from '../components/toast';
import { ErrorState, Spinner } from '../components/ui';

const linesOf = (hosts: string[]) => hosts.join('\n');
const entriesOf = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export function AllowedHostsSection() {
  const stored = useAsync(() => api.settings.allowedHosts(), []);
  return (
    <section className="settings-section" aria-labelledby="allowed-hosts-title">
      <h2 id="allowed-hosts-title">Private addresses</h2>
      <p className="muted">
        HTTP requests and providers’ base-URL overrides reach public addresses only. List here the hosts, addresses or ranges inside your network that this workspace’s bundles may call, one a line (e.g.{' '}
        <code>crm.internal</code>, <code>10.0.0.5</code>, <code>192.168.0.0/24</code>).
      </p>
      {stored.loading && !stored.data && <Spinner label="Loading the allowed addresses…" />}
      {stored.error !== undefined && !stored.data && <ErrorState title="Cannot load the allowed addresses" error={stored.error} onRetry={() => void stored.reload()} />}
      {stored.data && <AllowedHostsForm settings={stored.data} onSaved={(s) => stored.setData(s)} />}
    </section>
  );
}

function AllowedHostsForm({ settings, onSaved }: { settings: AllowedHostsSettings; onSaved: (s: AllowedHostsSettings) => void }) {
  const toast = useToast();
  const [text, setText] = useState(() => linesOf(settings.hosts));
  const [problems, setProblems] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const changed = linesOf(entriesOf(text)) !== linesOf(settings.hosts);

  const save = async () => {
    setBusy(true);
    setProblems([]);
    const entries = entriesOf(text);
    try {
      const saved = await api.settings.saveAllowedHosts(entries);
      onSaved(saved);
      setText(linesOf(saved.hosts));
      toast('Allowed addresses saved', 'success');
    } catch (err) {
      // The server names entries as hosts[i]: shown with the line they came from.
      const named = err instanceof ApiError ? err.issues.map((i) => i.message) : [];
      setProblems(named.length > 0 ? named : [errorMessage(err)]);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="form"
      noValidate
      data-testid="allowed-hosts-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className={`field${problems.length ? ' has-error' : ''}`}>
        <label className="field-label" htmlFor="allowed-hosts">
          Allowed for this workspace
        </label>
        <textarea id="allowed-hosts" rows={4} value={text} placeholder="None: public addresses only" onChange={(e) => setText(e.target.value)} data-testid="allowed-hosts-input" aria-describedby="allowed-hosts-errors" />
        {problems.length > 0 && (
          <ul className="field-error" id="allowed-hosts-errors" role="alert" data-testid="allowed-hosts-errors">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
      </div>
      <p className="muted" data-testid="allowed-hosts-operator">
        {settings.operator.length > 0 ? `Allowed for every workspace by whoever runs Bundles: ${settings.operator.join(', ')}.` : 'Whoever runs Bundles allows no private address for every workspace (BUNDLES_ALLOWED_HOSTS).'}
      </p>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || !changed} data-testid="allowed-hosts-save">
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
