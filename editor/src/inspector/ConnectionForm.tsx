import { useMemo, useState } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import type { Connection, ProviderDescriptor } from '../api/types';
import { ConfigForm } from './ConfigForm';
import { defaultsFromSchema, fieldsFromSchema, isEmptyValue } from './schemaFields';

/** Create or edit a connection from its provider's auth schema. Secrets left empty keep their stored value. */
export function ConnectionForm({
  provider,
  connection,
  onSaved,
  onCancel,
}: {
  provider: ProviderDescriptor;
  connection?: Connection;
  onSaved: (c: Connection) => void;
  onCancel?: () => void;
}) {
  const fields = useMemo(() => fieldsFromSchema(provider.authSchema), [provider.authSchema]);
  const [name, setName] = useState(connection?.name ?? `${provider.title}`);
  // A new connection starts from the schema's defaults, so a select such as HTTP's authType shows what the server would assume.
  const [values, setValues] = useState<Record<string, unknown>>(() => ({ ...(connection?.config ?? defaultsFromSchema(provider.authSchema)) }));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const stored = connection?.secretsSet ?? [];

  const submit = async () => {
    const missing: Record<string, string> = {};
    for (const f of fields) {
      if (f.required && isEmptyValue(values[f.key]) && !(f.secret && stored.includes(f.key))) missing[f.key] = `${f.title} is required.`;
    }
    const minLength = provider.nameMinLength ?? 1;
    if (name.trim().length < minLength) {
      setFormError(minLength > 1 ? `${provider.title} wants a connection name of at least ${minLength} characters.` : 'Give the connection a name.');
      return;
    }
    setErrors(missing);
    if (Object.keys(missing).length > 0) return;
    setBusy(true);
    setFormError(null);
    try {
      const config: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== '') config[k] = v;
      // A stored public field emptied here is cleared (null), not kept: e.g. a daily send cap taken off.
      if (connection) for (const k of Object.keys(connection.config)) if (!(k in config) && !stored.includes(k)) config[k] = null;
      const saved = connection
        ? await api.connections.update(connection.id, { name: name.trim(), config })
        : await api.connections.create({ provider: provider.id, name: name.trim(), config });
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.details && typeof err.details === 'object') {
        const fe: Record<string, string> = {};
        for (const issue of err.issues) if (issue.field) fe[issue.field.split('.')[0] ?? issue.field] = issue.message;
        setErrors(fe);
      }
      setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="form connection-form"
      data-testid="connection-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="field">
        <label className="field-label" htmlFor="conn-name">
          Name<span className="required"> *</span>
        </label>
        <input id="conn-name" value={name} onChange={(e) => setName(e.target.value)} data-testid="connection-name" />
      </div>
      <ConfigForm
        fields={fields}
        values={values}
        onChange={(k, v) => {
          setValues((s) => ({ ...s, [k]: v }));
          setErrors((e) => {
            const { [k]: _gone, ...rest } = e;
            void _gone;
            return rest;
          });
        }}
        errors={errors}
        idPrefix="conn"
        secretsSet={stored}
      />
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <div className="form-actions">
        {onCancel && (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="connection-save">
          {busy ? 'Saving…' : connection ? 'Save connection' : 'Create connection'}
        </button>
      </div>
    </form>
  );
}
