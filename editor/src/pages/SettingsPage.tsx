// The workspace's settings: its name and time zone (WorkspaceForm), how long its history is kept (GET/PUT
// /api/settings/retention, here), and the API tokens that reach it (ApiTokensSection).
import { useState } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import { useAsync } from '../api/hooks';
import type { Retention, RetentionSettings } from '../api/types';
import { useToast } from '../components/toast';
import { ErrorState, Spinner } from '../components/ui';
import { ApiTokensSection } from './ApiTokensSection';
import { AllowedHostsSection } from './AllowedHostsSection';
import { DeleteWorkspaceSection } from './DeleteWorkspaceSection';
import { AccountSection } from './AccountSection';
import { MembersSection } from './MembersSection';
import { useSession } from '../lib/session';
import { WorkspaceSection } from './WorkspaceForm';
import { RoleNote } from '../components/RoleNote';
import { useRole } from '../lib/role';

/** MAX_RETENTION_DAYS of @bundles/shared (the editor takes only types from it); a hint here, the server decides. */
const maxDays = 3650;

type Field = keyof Retention;
type Drafts = Record<Field, string>;

const fields: Array<{ key: Field; label: string; help: string }> = [
  { key: 'runsDays', label: 'Runs, events and steps — days', help: 'The events received, the runs they started and their steps go together.' },
  { key: 'messagesDays', label: 'Message log — days', help: 'The SMS and chat messages sent and received.' },
  { key: 'deliveriesDays', label: 'Webhook delivery log — days', help: 'Each webhook call received and how it was answered.' },
  { key: 'auditDays', label: 'Audit log — days', help: 'Who changed what: sign-ins, invitations, roles, connections, bundles, tokens.' },
];
const isField = (name: string): name is Field => fields.some((f) => f.key === name);
const draftsOf = (r: Retention): Drafts => ({ runsDays: String(r.runsDays), messagesDays: String(r.messagesDays), deliveriesDays: String(r.deliveriesDays), auditDays: String(r.auditDays) });

export function SettingsPage() {
  const retention = useAsync(() => api.settings.retention(), []);
  const { me } = useSession();
  const admin = me?.role === 'admin' || me?.role === 'owner';
  return (
    <div className="page settings-page">
      <div className="page-header">
        <div>
          <h1>Settings</h1>
          <p className="muted">This workspace’s name and time zone, how long it keeps its history, and the API tokens that reach it.</p>
        </div>
      </div>
      <WorkspaceSection />
      {retention.loading && !retention.data && <Spinner label="Loading settings…" />}
      {retention.error !== undefined && !retention.data && <ErrorState title="Cannot load the settings" error={retention.error} onRetry={() => void retention.reload()} />}
      {retention.data && <RetentionForm settings={retention.data} onSaved={(s) => retention.setData(s)} />}
      {admin && <AllowedHostsSection />}
      <ApiTokensSection />
      {admin && <MembersSection />}
      <AccountSection />
      <DeleteWorkspaceSection />
    </div>
  );
}

function RetentionForm({ settings, onSaved }: { settings: RetentionSettings; onSaved: (s: RetentionSettings) => void }) {
  const canChange = useRole().can('changeSettings');
  const toast = useToast();
  const [drafts, setDrafts] = useState<Drafts>(() => draftsOf(settings));
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const changed = fields.map((f) => f.key).filter((k) => drafts[k].trim() !== String(settings[k]));

  const submit = async () => {
    const empty = changed.filter((k) => drafts[k].trim() === '');
    if (empty.length > 0) return setErrors(Object.fromEntries(empty.map((k) => [k, `Enter a number of days (the default is ${settings.defaults[k]}).`])));
    setBusy(true);
    setFormError(null);
    try {
      // Only what changed is sent: a field left alone keeps whatever is stored, even if set elsewhere meanwhile.
      const saved = await api.settings.saveRetention(Object.fromEntries(changed.map((k) => [k, Number(drafts[k])])));
      onSaved(saved);
      setDrafts(draftsOf(saved));
      setErrors({});
      toast('Settings saved', 'success');
    } catch (err) {
      const onFields: Partial<Record<Field, string>> = {};
      if (err instanceof ApiError) for (const issue of err.issues) if (issue.field && isField(issue.field)) onFields[issue.field] = issue.message;
      setErrors(onFields);
      // What cannot be shown on a field (the server unreachable, a 500) is shown under the form.
      if (Object.keys(onFields).length === 0) setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="settings-section" aria-labelledby="retention-title">
      <h2 id="retention-title">History kept</h2>
      <p className="muted" data-testid="retention-explainer">
        History older than these limits is removed once a day, counted in whole days. A run still waiting or uncertain is kept, with its event and steps, until it finishes.
      </p>
      <form
        className="form"
        noValidate
        data-testid="retention-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <RoleNote action="changeSettings" />
        <fieldset className="fieldset-plain" disabled={!canChange}>
        {fields.map((f) => (
          <DaysField
            key={f.key}
            field={f}
            value={drafts[f.key]}
            defaultDays={settings.defaults[f.key]}
            error={errors[f.key]}
            onChange={(v) => {
              setDrafts((d) => ({ ...d, [f.key]: v }));
              setErrors(({ [f.key]: _gone, ...rest }) => rest);
            }}
          />
        ))}
        {formError && (
          <p className="form-error" role="alert">
            {formError}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || changed.length === 0} data-testid="retention-save">
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
        </fieldset>
      </form>
    </section>
  );
}

function DaysField({ field, value, defaultDays, error, onChange }: { field: (typeof fields)[number]; value: string; defaultDays: number; error: string | undefined; onChange: (v: string) => void }) {
  const id = `retention-${field.key}`;
  return (
    <div className={`field days-field${error ? ' has-error' : ''}`} data-testid={`field-wrap-${field.key}`}>
      <label className="field-label" htmlFor={id}>
        {field.label}
      </label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={1}
        max={maxDays}
        step={1}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-help${error ? ` ${id}-error` : ''}`}
        data-testid={id}
      />
      <span className="field-help" id={`${id}-help`}>
        {field.help} Default: {defaultDays} days.
      </span>
      {error && (
        <span className="field-error" id={`${id}-error`} role="alert" data-testid={`field-error-${field.key}`}>
          {error}
        </span>
      )}
    </div>
  );
}
