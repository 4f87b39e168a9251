// The header's workspace menu: the user's workspaces with their role in each, switching the session to another,
// and making a new one (named here, then switched to). After a switch the app loads its state again.
import { useEffect, useRef, useState } from 'react';
import { useLocation } from 'wouter';
import { api, ApiError, errorToastText } from '../api/client';
import type { Me, WorkspaceSummary } from '../api/types';
import { mayLeave } from '../lib/navigation';
import { useToast } from './toast';
import { Spinner } from './ui';

export function WorkspaceSwitcher({ me, onSwitched }: { me: Me; onSwitched: () => void }) {
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [list, setList] = useState<WorkspaceSummary[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const [, navigate] = useLocation();

  useEffect(() => {
    if (!open) return;
    let live = true;
    // Loaded on each opening: another tab may have made or left a workspace since.
    setList(null);
    setLoadError(undefined);
    api.workspaces.list().then(
      (l) => live && setList(l),
      (err: unknown) => live && setLoadError(err),
    );
    const outside = (e: MouseEvent) => {
      if (wrap.current && !wrap.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', outside);
    return () => {
      live = false;
      document.removeEventListener('mousedown', outside);
    };
  }, [open]);

  const close = () => {
    setOpen(false);
    setCreating(false);
  };

  const switchTo = async (id: string) => {
    if (!(await mayLeave())) return;
    setBusy(true);
    try {
      await api.workspaces.switchTo(id);
      close();
      // The pages show the other workspace's objects from now on: start again from its bundles.
      navigate('/bundles');
      onSwitched();
    } catch (err) {
      toast(errorToastText(err), 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="menu-wrap workspace-switcher" ref={wrap} onKeyDown={(e) => e.key === 'Escape' && close()}>
      <button
        type="button"
        className="btn btn-ghost btn-sm"
        aria-haspopup="menu"
        aria-expanded={open}
        title={`Workspace ${me.workspace.name} (your role: ${me.role}). Switch or make another.`}
        onClick={() => (open ? close() : setOpen(true))}
        data-testid="workspace-menu"
      >
        <span data-testid="topbar-workspace">{me.workspace.name}</span> <span className="muted">· {me.role} ▾</span>
      </button>
      {open && (
        <div className="menu workspace-menu" role="menu" aria-label="Workspaces" data-testid="workspace-list">
          {list === null && loadError === undefined && <Spinner label="Loading workspaces…" />}
          {loadError !== undefined && (
            <p className="field-error" role="alert">
              Cannot load your workspaces: {errorToastText(loadError)}
            </p>
          )}
          {list?.map((w) => (
            <div key={w.id} className="workspace-item" data-testid="workspace-item" data-workspace-name={w.name}>
              <span>
                <strong>{w.name}</strong> <span className="muted">{w.role}</span>
              </span>
              {w.current ? (
                <span className="pill" aria-label={`${w.name} is the current workspace`}>
                  current
                </span>
              ) : (
                <button type="button" role="menuitem" className="btn btn-sm" disabled={busy} onClick={() => void switchTo(w.id)} aria-label={`Switch to ${w.name}`} data-testid="workspace-switch">
                  Switch
                </button>
              )}
            </div>
          ))}
          {creating ? (
            <NewWorkspaceForm onCancel={() => setCreating(false)} onCreated={(w) => void switchTo(w.id)} />
          ) : (
            <button type="button" role="menuitem" onClick={() => setCreating(true)} data-testid="workspace-new">
              New workspace…
            </button>
          )}
        </div>
      )}
    </div>
  );
}

function NewWorkspaceForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (w: WorkspaceSummary) => void }) {
  const toast = useToast();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (name.trim() === '') return setError('Name the workspace, e.g. the shop or the team it is for.');
    setBusy(true);
    try {
      onCreated(await api.workspaces.create(name.trim()));
    } catch (err) {
      const onName = err instanceof ApiError ? err.issues.find((i) => i.field === 'body.name') : undefined;
      if (onName) setError(onName.message);
      else toast(errorToastText(err), 'error');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="form workspace-new-form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className={`field${error ? ' has-error' : ''}`}>
        <label className="field-label" htmlFor="workspace-new-name">
          New workspace name
        </label>
        <input
          id="workspace-new-name"
          autoFocus
          value={name}
          maxLength={100}
          onChange={(e) => {
            setName(e.target.value);
            setError(null);
          }}
          aria-invalid={error ? true : undefined}
          data-testid="workspace-new-name"
        />
        {error && (
          <span className="field-error" role="alert">
            {error}
          </span>
        )}
      </div>
      <p className="muted">You will be its owner; it starts empty, with the default settings.</p>
      <div className="form-actions">
        <button type="button" className="btn btn-ghost btn-sm" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary btn-sm" disabled={busy} data-testid="workspace-create">
          {busy ? 'Creating…' : 'Create and switch'}
        </button>
      </div>
    </form>
  );
}
