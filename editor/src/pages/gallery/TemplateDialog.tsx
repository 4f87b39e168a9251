// Using a ready bundle: a name, a connection per role (or one created in place), the inputs; then the canvas.
import { useState } from 'react';
import type { BundleTemplate } from '@bundles/shared';
import { api, ApiError, errorMessage } from '../../api/client';
import type { Connection, Flow } from '../../api/types';
import { useCatalog } from '../../api/catalog';
import { Modal, ProviderBadge } from '../../components/ui';
import { ConnectionSelect } from './ConnectionSelect';

export function TemplateDialog({
  template,
  connections,
  onConnectionCreated,
  onClose,
  onCreated,
}: {
  template: BundleTemplate;
  connections: Connection[];
  onConnectionCreated: (c: Connection) => void;
  onClose: () => void;
  onCreated: (flow: Flow) => void;
}) {
  const { providerById, providerTitles } = useCatalog();
  const [name, setName] = useState(template.title);
  // A role whose provider has exactly one connection starts with it.
  const [chosen, setChosen] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      template.roles.map((r) => {
        const own = connections.filter((c) => c.provider === r.provider);
        return [r.role, own.length === 1 ? own[0]!.id : ''];
      }),
    ),
  );
  const [inputs, setInputs] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const missing: Record<string, string> = {};
    if (!name.trim()) missing.name = 'Give the bundle a name.';
    for (const r of template.roles) if (!chosen[r.role]) missing[`connections.${r.role}`] = `Choose a ${providerTitles.get(r.provider) ?? r.provider} connection.`;
    for (const i of template.inputs) if (!inputs[i.key]?.trim()) missing[`inputs.${i.key}`] = `${i.title} is required.`;
    setErrors(missing);
    if (Object.keys(missing).length) return;
    setBusy(true);
    setFormError(null);
    try {
      onCreated(await api.templates.use(template.id, { name: name.trim(), connections: chosen, inputs }));
    } catch (err) {
      if (err instanceof ApiError) setErrors(Object.fromEntries(err.issues.filter((i) => i.field).map((i) => [i.field!, i.message])));
      setFormError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <Modal title={template.title} onClose={onClose} wide testId="template-dialog">
      <p className="muted">{template.description}</p>
      <div className="gallery-badges">
        {template.providers.map((p) => (
          <ProviderBadge key={p} provider={p} title={providerTitles.get(p)} tooltip={providerTitles.get(p) ?? p} size={22} />
        ))}
      </div>
      <form className="form" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <label className={`field${errors.name ? ' has-error' : ''}`}>
          <span className="field-label">Bundle name</span>
          <input value={name} onChange={(e) => setName(e.target.value)} data-testid="template-name" />
          {errors.name && <span className="field-error" role="alert">{errors.name}</span>}
        </label>
        {template.roles.length === 0 && <p className="muted">This bundle needs no connection.</p>}
        {template.roles.map((r) => (
          <ConnectionSelect
            key={r.role}
            id={`role-${r.role}`}
            label={r.title}
            providerId={r.provider}
            provider={providerById.get(r.provider)}
            connections={connections}
            value={chosen[r.role] ?? ''}
            error={errors[`connections.${r.role}`]}
            onChange={(id) => setChosen((s) => ({ ...s, [r.role]: id }))}
            onCreated={onConnectionCreated}
          />
        ))}
        {template.inputs.map((i) => (
          <label key={i.key} className={`field${errors[`inputs.${i.key}`] ? ' has-error' : ''}`}>
            <span className="field-label">
              {i.title}
              <span className="required"> *</span>
            </span>
            <input value={inputs[i.key] ?? ''} placeholder={i.placeholder} onChange={(e) => setInputs((s) => ({ ...s, [i.key]: e.target.value }))} data-testid={`input-${i.key}`} />
            {i.description && <span className="field-help">{i.description}</span>}
            {errors[`inputs.${i.key}`] && <span className="field-error" role="alert">{errors[`inputs.${i.key}`]}</span>}
          </label>
        ))}
        {formError && <p className="form-error" role="alert">{formError}</p>}
        <div className="form-actions">
          <button type="button" className="btn" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="template-use">
            {busy ? 'Creating…' : 'Create bundle'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
