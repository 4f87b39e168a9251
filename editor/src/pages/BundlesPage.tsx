import { useRef, useState } from 'react';
import { useLocation } from 'wouter';
import { api, errorMessage, errorToastText } from '../api/client';
import { useCatalog } from '../api/catalog';
import { useAsync } from '../api/hooks';
import type { Flow, FlowExport } from '../api/types';
import { orderedTypes } from '../canvas/graph';
import { useConfirm } from '../components/confirm';
import { useToast } from '../components/toast';
import { EmptyState, ErrorState, Modal, ProviderBadge, Spinner, StatusPill, timeAgo } from '../components/ui';
import { useRole } from '../lib/role';

export function BundlesPage() {
  const flows = useAsync(() => api.flows.list(), [], 5000);
  const { manifests, providerTitles } = useCatalog();
  const [, navigate] = useLocation();
  const confirm = useConfirm();
  const toast = useToast();
  const [renaming, setRenaming] = useState<Flow | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const { can, whyNot } = useRole();
  const edit = can('editBundles');

  const act = async (id: string, fn: () => Promise<unknown>, done?: string) => {
    setBusy(id);
    try {
      await fn();
      if (done) toast(done, 'success');
      await flows.reload();
    } catch (err) {
      toast(errorToastText(err), 'error');
    } finally {
      setBusy(null);
    }
  };

  const toggle = (f: Flow) =>
    act(f.id, () => (f.status === 'running' ? api.flows.stop(f.id) : api.flows.start(f.id)), f.status === 'running' ? `Stopped “${f.name}”` : `Started “${f.name}”`);

  const remove = async (f: Flow) => {
    const ok = await confirm({
      title: 'Delete bundle?',
      message: (
        <>
          “{f.name}” and its versions will be deleted. {f.status === 'running' && 'It is running: events will no longer run it. '}This cannot be undone.
        </>
      ),
      confirmLabel: 'Delete bundle',
      danger: true,
    });
    if (ok) await act(f.id, () => api.flows.remove(f.id), `Deleted “${f.name}”`);
  };

  const exportFlow = async (f: Flow) => {
    try {
      const data = await api.flows.export(f.id);
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${f.name.replace(/[^\w-]+/g, '-').toLowerCase() || 'bundle'}.bundle.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      toast(errorToastText(err), 'error');
    }
  };

  const importFile = async (file: File) => {
    try {
      const data = JSON.parse(await file.text()) as FlowExport;
      if (data.format !== 'bundles.flow/v1' || !data.graph) throw new Error('This file is not a Bundles export (format bundles.flow/v1).');
      const flow = await api.flows.import(data);
      toast(`Imported “${flow.name}”`, 'success');
      await flows.reload();
    } catch (err) {
      toast(`Import failed: ${errorMessage(err)}`, 'error');
    }
  };

  const list = flows.data;
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1>Bundles</h1>
          <p className="muted">Each bundle runs its actions whenever its trigger fires.</p>
        </div>
        <div className="page-actions">
          <input ref={fileRef} type="file" accept="application/json,.json" hidden data-testid="import-file" onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void importFile(f);
            e.target.value = '';
          }} />
          {edit ? (
            <>
              <button type="button" className="btn" onClick={() => fileRef.current?.click()}>
                Import JSON
              </button>
              <button type="button" className="btn btn-primary" onClick={() => navigate('/bundles/new')} data-testid="create-bundle">
                New bundle
              </button>
            </>
          ) : (
            <span className="role-note" data-testid="role-note">
              You can look at bundles and their runs. {whyNot('editBundles')}
            </span>
          )}
        </div>
      </div>

      {flows.loading && !list && <Spinner label="Loading bundles…" />}
      {flows.error !== undefined && !list && <ErrorState error={flows.error} onRetry={() => void flows.reload()} />}
      {list && list.length === 0 && (
        <EmptyState
          title="No bundles yet"
          action={
            edit ? (
              <button type="button" className="btn btn-primary" onClick={() => navigate('/bundles/new')} data-testid="create-first-bundle">
                Create your first bundle
              </button>
            ) : undefined
          }
        >
          A bundle listens to one trigger, such as an order changing status, and runs actions, such as sending an SMS.
        </EmptyState>
      )}
      {list && list.length > 0 && (
        <table className="table bundles-table" data-testid="bundles-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Status</th>
              <th>Steps</th>
              <th>Last run</th>
              <th className="col-switch">Running</th>
              <th className="col-actions">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((f) => (
              <tr key={f.id} data-testid={`bundle-row-${f.id}`}>
                <td>
                  <a href={`/bundles/${f.id}`} onClick={(e) => { e.preventDefault(); navigate(`/bundles/${f.id}`); }} className="row-title">
                    {f.name}
                  </a>
                  {f.hasDraftChanges && f.status === 'running' && <span className="tag tag-warn">draft changes</span>}
                  {f.managedBy && (
                    <a
                      href={`/connections/${f.managedBy.connectionId}/status-messages`}
                      onClick={(e) => { e.preventDefault(); navigate(`/connections/${f.managedBy!.connectionId}/status-messages`); }}
                      className="tag"
                      title="Built by the Status messages screen; change it there"
                      data-testid="managed-tag"
                    >
                      status message
                    </a>
                  )}
                </td>
                <td>
                  <StatusPill status={f.status} />
                  {f.activeVersion && f.status === 'running' && <span className="muted small"> v{f.activeVersion.number}</span>}
                </td>
                <td>
                  <FlowIcons flow={f} manifests={manifests} providerTitles={providerTitles} />
                </td>
                <td>
                  {f.lastRun ? (
                    <span className="last-run">
                      <StatusPill status={f.lastRun.status} /> <span className="muted small">{timeAgo(f.lastRun.createdAt)}</span>
                    </span>
                  ) : (
                    <span className="muted">never</span>
                  )}
                </td>
                <td className="col-switch">
                  <label className="switch" title={whyNot('editBundles') ?? (f.status === 'running' ? 'Stop bundle' : 'Start bundle')}>
                    <input type="checkbox" role="switch" checked={f.status === 'running'} disabled={busy === f.id || !edit} onChange={() => void toggle(f)} aria-label={`Run “${f.name}”`} />
                    <span className="switch-track" aria-hidden="true" />
                  </label>
                </td>
                <td className="col-actions">
                  <RowMenu
                    label={`Actions for ${f.name}`}
                    items={[
                      { label: 'Open', onSelect: () => navigate(`/bundles/${f.id}`) },
                      ...(edit
                        ? [
                            { label: 'Rename', onSelect: () => setRenaming(f) },
                            { label: 'Duplicate', onSelect: () => void act(f.id, () => api.flows.duplicate(f.id), `Duplicated “${f.name}”`) },
                          ]
                        : []),
                      { label: 'Export JSON', onSelect: () => void exportFlow(f) },
                      ...(edit ? [{ label: 'Delete', danger: true, onSelect: () => void remove(f) }] : []),
                    ]}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {renaming && (
        <NameDialog
          title="Rename bundle"
          initial={renaming.name}
          submitLabel="Rename"
          onClose={() => setRenaming(null)}
          onSubmit={async (name) => {
            await api.flows.update(renaming.id, { name });
            setRenaming(null);
            toast('Renamed', 'success');
            await flows.reload();
          }}
        />
      )}
    </div>
  );
}

function FlowIcons({ flow, manifests, providerTitles }: { flow: Flow; manifests: ReturnType<typeof useCatalog>['manifests']; providerTitles: Map<string, string> }) {
  const types = orderedTypes(flow.graph, manifests);
  if (types.length === 0) return <span className="muted">empty</span>;
  return (
    <span className="flow-icons">
      {types.map((t, i) => {
        const m = manifests.get(t);
        const provider = m?.provider ?? t.split('.')[0] ?? t;
        return (
          <span key={`${t}-${i}`} className="flow-icon">
            {i > 0 && <span className="arrow" aria-hidden="true">{i === 1 ? '→' : '·'}</span>}
            <ProviderBadge provider={provider} title={providerTitles.get(provider)} tooltip={`${providerTitles.get(provider) ?? provider}: ${m?.title ?? t}`} size={22} />
          </span>
        );
      })}
    </span>
  );
}

export function NameDialog({ title, initial, submitLabel, onClose, onSubmit }: { title: string; initial: string; submitLabel: string; onClose: () => void; onSubmit: (name: string) => Promise<void> }) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!name.trim()) return setError('Give the bundle a name.');
    setBusy(true);
    try {
      await onSubmit(name.trim());
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  return (
    <Modal title={title} onClose={onClose} testId="name-dialog">
      <form className="form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <label className="field">
          <span className="field-label">Name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} onFocus={(e) => e.target.select()} data-testid="name-input" />
        </label>
        {error && <p className="form-error" role="alert">{error}</p>}
        <div className="form-actions">
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="name-submit">{submitLabel}</button>
        </div>
      </form>
    </Modal>
  );
}

interface MenuItem {
  label: string;
  danger?: boolean;
  onSelect: () => void;
}

/** A small keyboard-usable action menu (Escape closes, arrows move). */
export function RowMenu({ label, items }: { label: string; items: MenuItem[] }) {
  const [open, setOpen] = useState(false);
  // Fixed at the button, so no scrolling table clips it; opened upwards when the window ends below it.
  const [place, setPlace] = useState<{ top?: number; bottom?: number; right: number }>({ right: 0 });
  const menuRef = useRef<HTMLDivElement>(null);
  const toggle = (button: HTMLButtonElement) => {
    const r = button.getBoundingClientRect();
    const below = window.innerHeight - r.bottom;
    const right = window.innerWidth - r.right;
    setPlace(below < 40 + items.length * 36 && r.top > below ? { bottom: window.innerHeight - r.top + 4, right } : { top: r.bottom + 4, right });
    setOpen(!open);
    setTimeout(() => focusItem(0), 0);
  };
  const focusItem = (i: number) => {
    const els = menuRef.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]');
    if (!els || els.length === 0) return;
    els[(i + els.length) % els.length]?.focus();
  };
  return (
    <div className="menu-wrap" onBlur={(e) => { if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOpen(false); }}>
      <button type="button" className="icon-btn" aria-haspopup="menu" aria-expanded={open} aria-label={label} onClick={(e) => toggle(e.currentTarget)}>
        ⋯
      </button>
      {open && (
        <div className="menu menu-fixed" role="menu" ref={menuRef} style={place} onKeyDown={(e) => {
          const els = Array.from(menuRef.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);
          const idx = els.indexOf(document.activeElement as HTMLButtonElement);
          if (e.key === 'Escape') setOpen(false);
          else if (e.key === 'ArrowDown') { e.preventDefault(); focusItem(idx + 1); }
          else if (e.key === 'ArrowUp') { e.preventDefault(); focusItem(idx - 1); }
        }}>
          {items.map((it) => (
            <button key={it.label} type="button" role="menuitem" className={it.danger ? 'danger' : undefined} onClick={() => { setOpen(false); it.onSelect(); }}>
              {it.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
