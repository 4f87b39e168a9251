// The workspace's name and time zone (GET/PUT /api/settings/workspace), one form: the name is the header's,
// the zone gives the days of connections' daily send caps.
import { useState } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import { useAsync } from '../api/hooks';
import type { Workspace } from '../api/types';
import { useToast } from '../components/toast';
import { ErrorState, Spinner } from '../components/ui';
import { useSession } from '../lib/session';
import { knownTimeZones as knownZones } from '../lib/timeZones';
import { RoleNote } from '../components/RoleNote';
import { useRole } from '../lib/role';

/** WORKSPACE_NAME_MAX of @bundles/shared (the editor takes only types from its index); the server decides. */
const maxName = 100;


type Field = 'name' | 'timeZone';
type Drafts = Record<Field, string>;
const emptyMessage: Record<Field, string> = { name: 'Enter a name for the workspace.', timeZone: 'Enter a time zone, e.g. America/Sao_Paulo or UTC.' };

export function WorkspaceSection() {
  const stored = useAsync(() => api.settings.workspace(), []);
  const { onWorkspaceRenamed } = useSession();
  return (
    <section className="settings-section" aria-labelledby="workspace-title">
      <h2 id="workspace-title">Workspace</h2>
      <p className="muted">Its name is shown at the top of every page. The days of daily send caps begin at midnight in its time zone.</p>
      {stored.loading && !stored.data && <Spinner label="Loading the workspace…" />}
      {stored.error !== undefined && !stored.data && <ErrorState title="Cannot load the workspace" error={stored.error} onRetry={() => void stored.reload()} />}
      {stored.data && (
        <WorkspaceForm
          workspace={stored.data}
          onSaved={(w) => {
            stored.setData(w);
            onWorkspaceRenamed(w.name);
          }}
        />
      )}
    </section>
  );
}

function WorkspaceForm({ workspace, onSaved }: { workspace: Workspace; onSaved: (w: Workspace) => void }) {
  const canChange = useRole().can('changeSettings');
  const toast = useToast();
  const [drafts, setDrafts] = useState<Drafts>({ name: workspace.name, timeZone: workspace.timeZone });
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const changed = (['name', 'timeZone'] as const).filter((f) => drafts[f].trim() !== workspace[f]);

  const submit = async () => {
    const empty = changed.filter((f) => drafts[f].trim() === '');
    if (empty.length > 0) return setErrors(Object.fromEntries(empty.map((f) => [f, emptyMessage[f]])));
    setBusy(true);
    setFormError(null);
    try {
      const saved = await api.settings.saveWorkspace(Object.fromEntries(changed.map((f) => [f, drafts[f].trim()])));
      onSaved(saved);
      setDrafts({ name: saved.name, timeZone: saved.timeZone });
      setErrors({});
      toast('Workspace saved', 'success');
    } catch (err) {
      const onFields: Partial<Record<Field, string>> = {};
      if (err instanceof ApiError) for (const i of err.issues) if (i.field === 'name' || i.field === 'timeZone') onFields[i.field] = i.message;
      setErrors(onFields);
      if (Object.keys(onFields).length === 0) setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const edit = (field: Field) => (value: string) => {
    setDrafts((d) => ({ ...d, [field]: value }));
    setErrors(({ [field]: _gone, ...rest }) => rest);
  };

  return (
    <form
      className="form"
      noValidate
      data-testid="workspace-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <RoleNote action="changeSettings" />
      <fieldset className="fieldset-plain" disabled={!canChange}>
      <TextField id="workspace-name" label="Name" value={drafts.name} error={errors.name} onChange={edit('name')} maxLength={maxName} help="Shown in the header, e.g. the shop’s name." />
      <TextField
        id="settings-time-zone"
        label="Time zone"
        value={drafts.timeZone}
        error={errors.timeZone}
        onChange={edit('timeZone')}
        maxLength={64}
        list="settings-time-zones"
        help="An IANA name such as America/Sao_Paulo, Europe/Lisbon or UTC (the default)."
      />
      <datalist id="settings-time-zones">
        {knownZones.map((z) => (
          <option key={z} value={z} />
        ))}
      </datalist>
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || changed.length === 0} data-testid="workspace-save">
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
      </fieldset>
    </form>
  );
}

function TextField(props: { id: string; label: string; value: string; error: string | undefined; onChange: (v: string) => void; maxLength: number; help: string; list?: string }) {
  const { id, label, value, error, onChange, maxLength, help, list } = props;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        value={value}
        maxLength={maxLength}
        list={list}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-help${error ? ` ${id}-error` : ''}`}
        data-testid={id}
      />
      <span className="field-help" id={`${id}-help`}>
        {help}
      </span>
      {error && (
        <span className="field-error" id={`${id}-error`} role="alert" data-testid={`${id}-error`}>
          {error}
        </span>
      )}
    </div>
  );
}
