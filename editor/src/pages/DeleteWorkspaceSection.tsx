// Deleting the workspace (owners only): its name typed to confirm, then everything in it is gone and the
// session continues in the user's other workspace; the server's refusal (the only workspace) is shown here.
import { useState } from 'react';
import { api, errorMessage } from '../api/client';
import { useSession } from '../lib/session';

export function DeleteWorkspaceSection() {
  const { me } = useSession();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!me || me.role !== 'owner') return null;
  const name = me.workspace.name;

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.workspaces.remove(me.workspace.id, typed);
      // The session now acts in another workspace: start again from its bundles.
      window.location.assign('/bundles');
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <section className="settings-section danger-zone" aria-labelledby="delete-workspace-title">
      <h2 id="delete-workspace-title">Delete this workspace</h2>
      <p className="muted">
        Deletes “{name}” with all its bundles, connections, runs, messages and API tokens, and takes every member’s access to it. This cannot be undone. Type the workspace’s name to confirm.
      </p>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void remove();
        }}
      >
        <div className="field">
          <label className="field-label" htmlFor="delete-workspace-name">
            Workspace name
          </label>
          <input id="delete-workspace-name" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" data-testid="delete-workspace-name" />
        </div>
        {error && (
          <p className="form-error" role="alert" data-testid="delete-workspace-error">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="btn btn-danger" disabled={busy || typed.trim() !== name} data-testid="delete-workspace">
            {busy ? 'Deleting…' : 'Delete workspace'}
          </button>
        </div>
      </form>
    </section>
  );
}
