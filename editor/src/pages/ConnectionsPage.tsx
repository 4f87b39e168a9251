import { useMemo, useState } from 'react';
import { useLocation } from 'wouter';
import { api, ApiError, errorMessage } from '../api/client';
import { useCatalog } from '../api/catalog';
import { useAsync } from '../api/hooks';
import { ExportPanel } from './ExportPanel';
import { SendUsage } from './SendUsage';
import type { Connection, ProviderDescriptor } from '../api/types';
import { JsonTree } from '../components/JsonTree';
import { useConfirm } from '../components/confirm';
import { useToast } from '../components/toast';
import { EmptyState, ErrorState, Modal, ProviderBadge, Spinner, StatusPill, formatTime, timeAgo } from '../components/ui';
import { ConnectionForm } from '../inspector/ConnectionForm';
import { NavLink } from '../lib/navigation';
import { statusTriggersOf } from '../rules/ruleSpec';
import { useRole } from '../lib/role';

export function ConnectionsPage({ selectedId }: { selectedId?: string }) {
  const { providers, providerById } = useCatalog();
  const list = useAsync(() => api.connections.list(), []);
  const [, navigate] = useLocation();
  const [creating, setCreating] = useState<ProviderDescriptor | null>(null);
  const [choosing, setChoosing] = useState(false);
  const toast = useToast();
  const { can, whyNot } = useRole();
  // Below admin the list has names and health only (no settings): enough to pick one in a node.
  const manage = can('manageConnections');

  const byProvider = useMemo(() => {
    const m = new Map<string, Connection[]>();
    for (const c of list.data ?? []) m.set(c.provider, [...(m.get(c.provider) ?? []), c]);
    return m;
  }, [list.data]);
  const selected = list.data?.find((c) => c.id === selectedId);

  return (
    <div className="page page-split">
      <div className="split-list">
        <div className="page-header">
          <div>
            <h1>Connections</h1>
            <p className="muted">Credentials of the systems your bundles talk to.</p>
          </div>
          {manage ? (
            <button type="button" className="btn btn-primary" onClick={() => setChoosing(true)} data-testid="new-connection">
              New connection
            </button>
          ) : (
            <span className="role-note" data-testid="role-note">
              Your bundles can use these connections. {whyNot('manageConnections')}
            </span>
          )}
        </div>
        {list.loading && !list.data && <Spinner label="Loading connections…" />}
        {list.error !== undefined && !list.data && <ErrorState error={list.error} onRetry={() => void list.reload()} />}
        {list.data && list.data.length === 0 && (
          <EmptyState title="No connections yet" action={manage ? <button type="button" className="btn btn-primary" onClick={() => setChoosing(true)}>Connect a provider</button> : undefined}>
            A connection holds a provider’s credentials and gives it a webhook URL for its events.
          </EmptyState>
        )}
        {list.data && list.data.length > 0 && (
          <div className="provider-groups">
            {[...byProvider.entries()].map(([provider, conns]) => (
              <section key={provider} className="provider-group">
                <h2 className="provider-group-head">
                  <ProviderBadge provider={provider} title={providerById.get(provider)?.title} size={22} />
                  {providerById.get(provider)?.title ?? provider}
                  {manage && providerById.get(provider) && (
                    <button type="button" className="btn btn-ghost btn-sm" onClick={() => setCreating(providerById.get(provider) ?? null)} aria-label={`New ${providerById.get(provider)?.title} connection`}>
                      + Add
                    </button>
                  )}
                </h2>
                <ul className="conn-list">
                  {conns.map((c) => (
                    <li key={c.id}>
                      <a
                        href={`/connections/${c.id}`}
                        className={`conn-item${c.id === selectedId ? ' active' : ''}`}
                        aria-current={c.id === selectedId ? 'true' : undefined}
                        data-testid={`connection-item-${c.id}`}
                        onClick={(e) => {
                          e.preventDefault();
                          navigate(`/connections/${c.id}`);
                        }}
                      >
                        <span className="conn-name">{c.name}</span>
                        <StatusPill status={c.status ?? 'untested'} />
                      </a>
                    </li>
                  ))}
                </ul>
              </section>
            ))}
          </div>
        )}
      </div>
      <div className="split-detail">
        {selected && !manage && (
          <p className="muted detail-placeholder" data-testid="connection-no-detail">
            “{selected.name}” is a {providerById.get(selected.provider)?.title ?? selected.provider} connection. Its settings, webhook URL and deliveries are shown to admins: {whyNot('manageConnections')}
          </p>
        )}
        {selected && manage && providerById.get(selected.provider) && (
          <ConnectionDetail
            key={selected.id}
            connection={selected}
            provider={providerById.get(selected.provider) as ProviderDescriptor}
            onChanged={(c) => list.setData((all) => (all ?? []).map((x) => (x.id === c.id ? c : x)))}
            onDeleted={() => {
              list.setData((all) => (all ?? []).filter((x) => x.id !== selected.id));
              navigate('/connections');
            }}
          />
        )}
        {selected && !providerById.get(selected.provider) && <ErrorState title="Unknown provider" error={new Error(`The provider “${selected.provider}” is not installed on this server.`)} />}
        {!selected && selectedId && list.data && <ErrorState title="Connection not found" error={new Error('It may have been deleted.')} />}
        {!selectedId && manage && list.data && list.data.length > 0 && <p className="muted detail-placeholder">Select a connection to see its webhook URL, test it, or edit it.</p>}
      </div>

      {choosing && (
        <Modal title="Choose a provider" onClose={() => setChoosing(false)} testId="provider-chooser">
          <div className="provider-grid">
            {providers.map((p) => (
              <button
                key={p.id}
                type="button"
                className="provider-tile"
                data-testid={`provider-${p.id}`}
                onClick={() => {
                  setChoosing(false);
                  setCreating(p);
                }}
              >
                <ProviderBadge provider={p.id} title={p.title} size={32} />
                <span>{p.title}</span>
              </button>
            ))}
          </div>
        </Modal>
      )}
      {creating && (
        <Modal title={`New ${creating.title} connection`} onClose={() => setCreating(null)} wide testId="connection-modal">
          <SetupSteps provider={creating} />
          <ConnectionForm
            provider={creating}
            onCancel={() => setCreating(null)}
            onSaved={(c) => {
              setCreating(null);
              list.setData((all) => [...(all ?? []), c]);
              toast(`Created “${c.name}”`, 'success');
              navigate(`/connections/${c.id}`);
            }}
          />
        </Modal>
      )}
    </div>
  );
}

function SetupSteps({ provider }: { provider: ProviderDescriptor }) {
  if (!provider.setup?.trim()) return null;
  return (
    <details className="setup-steps" open>
      <summary>How to set up {provider.title}</summary>
      <div className="setup-text">{provider.setup}</div>
    </details>
  );
}

function ConnectionDetail({ connection: c, provider, onChanged, onDeleted }: { connection: Connection; provider: ProviderDescriptor; onChanged: (c: Connection) => void; onDeleted: () => void }) {
  const [editing, setEditing] = useState(false);
  const { nodeTypes } = useCatalog();
  const [testing, setTesting] = useState(false);
  const [testResult, setTestResult] = useState<{ ok: boolean | null; message: string } | null>(c.lastTest ? { ok: c.lastTest.ok, message: c.lastTest.message } : null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const deliveries = useAsync(() => (provider.hasWebhook ? api.connections.deliveries(c.id) : Promise.resolve([])), [c.id], 5000);
  const confirm = useConfirm();
  const toast = useToast();

  const test = async () => {
    setTesting(true);
    setTestResult(null);
    try {
      const r = await api.connections.test(c.id);
      setTestResult(r);
      onChanged({ ...c, status: r.ok === null ? 'untested' : r.ok ? 'ok' : 'broken', lastTest: { ...r, at: new Date().toISOString() } });
    } catch (err) {
      setTestResult({ ok: false, message: errorMessage(err) });
    } finally {
      setTesting(false);
    }
  };

  const remove = async () => {
    setDeleteError(null);
    const ok = await confirm({ title: 'Delete connection?', message: `“${c.name}” and its stored credentials will be deleted. Bundles that use it will fail until they get another connection.`, confirmLabel: 'Delete connection', danger: true });
    if (!ok) return;
    try {
      await api.connections.remove(c.id);
      toast(`Deleted “${c.name}”`, 'success');
      onDeleted();
    } catch (err) {
      setDeleteError(err instanceof ApiError && err.status === 409 ? err.message : `Could not delete: ${errorMessage(err)}`);
    }
  };

  const copy = async () => {
    if (!c.webhookUrl) return;
    try {
      await navigator.clipboard.writeText(c.webhookUrl);
      toast('Webhook URL copied', 'success');
    } catch {
      toast('Copy failed: select the URL and copy it by hand.', 'error');
    }
  };

  return (
    <div className="conn-detail" data-testid="connection-detail">
      <header className="conn-detail-head">
        <ProviderBadge provider={c.provider} title={provider.title} size={36} />
        <div>
          <h2>{c.name}</h2>
          <span className="muted small">
            {provider.title} · created {timeAgo(c.createdAt)}
          </span>
        </div>
        <StatusPill status={c.status ?? 'untested'} />
      </header>
      <div className="btn-row">
        <button type="button" className="btn btn-primary" onClick={() => void test()} disabled={testing} data-testid="test-connection">
          {testing ? 'Testing…' : 'Test connection'}
        </button>
        <button type="button" className="btn" onClick={() => setEditing(true)} data-testid="edit-connection">
          Edit
        </button>
        {statusTriggersOf(c.provider, nodeTypes).length > 0 && (
          <NavLink href={`/connections/${c.id}/status-messages`} className="btn" data-testid="status-messages">
            Status messages
          </NavLink>
        )}
        <button type="button" className="btn btn-danger-ghost" onClick={() => void remove()} data-testid="delete-connection">
          Delete
        </button>
      </div>
      {testResult && (
        <div className={`banner ${testResult.ok === null ? 'banner-info' : testResult.ok ? 'banner-ok' : 'banner-error'}`} role="status" data-testid="test-result" data-ok={String(testResult.ok)}>
          <strong>{testResult.ok === null ? 'Waiting for a first delivery' : testResult.ok ? 'Connected' : 'Test failed'}:</strong> <span className="pre-line">{testResult.message}</span>
        </div>
      )}
      {deleteError && (
        <div className="banner banner-error" role="alert" data-testid="delete-error">
          {deleteError}
        </div>
      )}

      {c.webhookUrl && (
        <section className="detail-section">
          <h3>Webhook URL</h3>
          <div className="copy-row">
            <input readOnly value={c.webhookUrl} aria-label="Webhook URL" data-testid="webhook-url" onFocus={(e) => e.target.select()} />
            <button type="button" className="btn" onClick={() => void copy()} data-testid="copy-webhook">
              Copy
            </button>
          </div>
          <p className="muted small">Keep it secret: anyone with this URL can send events to this connection.</p>
        </section>
      )}
      {(c.setup ?? provider.setup)?.trim() && (
        <section className="detail-section">
          <h3>Setup in {provider.title}</h3>
          <div className="setup-text" data-testid="connection-setup">{c.setup ?? provider.setup}</div>
        </section>
      )}
      <section className="detail-section">
        <h3>Settings</h3>
        <dl className="kv">
          {Object.entries(c.config).map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</dd>
            </div>
          ))}
          {(c.secretsSet ?? []).map((k) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd className="muted">•••••••• stored</dd>
            </div>
          ))}
        </dl>
      </section>
      {provider.sendCap && <SendUsage connection={c} />}
      <ExportPanel connection={c} provider={provider} />
      {provider.hasWebhook && (
        <section className="detail-section">
          <h3>Delivery log</h3>
          {deliveries.loading && !deliveries.data && <Spinner />}
          {deliveries.error !== undefined && !deliveries.data && <ErrorState error={deliveries.error} onRetry={() => void deliveries.reload()} />}
          {deliveries.data && deliveries.data.length === 0 && <p className="muted small">No webhook delivery received yet.</p>}
          {deliveries.data && deliveries.data.length > 0 && (
            <table className="table table-compact" data-testid="deliveries">
              <thead>
                <tr>
                  <th>Received</th>
                  <th>Outcome</th>
                  <th>Events</th>
                  <th>Received data</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.data.map((d) => (
                  <tr key={d.id}>
                    <td>{formatTime(d.receivedAt)}</td>
                    <td>
                      <StatusPill status={d.outcome} />
                      {d.reason && <span className="muted small"> {d.reason}</span>}
                    </td>
                    <td>{d.eventIds.length}</td>
                    <td>
                      {d.body !== undefined && d.body !== null ? (
                        <JsonTree value={d.body} defaultOpen={0} />
                      ) : d.events.length > 0 ? (
                        <JsonTree value={d.events.length === 1 ? d.events[0]!.payload : d.events.map((e) => e.payload)} defaultOpen={0} />
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      {editing && (
        <Modal title={`Edit ${c.name}`} onClose={() => setEditing(false)} wide>
          <ConnectionForm
            provider={provider}
            connection={c}
            onCancel={() => setEditing(false)}
            onSaved={(saved) => {
              setEditing(false);
              onChanged(saved);
              toast('Connection saved', 'success');
            }}
          />
        </Modal>
      )}
    </div>
  );
}
