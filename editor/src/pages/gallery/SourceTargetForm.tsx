// "From a source to a target": source provider → connection → event, target provider → connection → action;
// the canvas opens with the two nodes wired and the obvious fields mapped.
import { useEffect, useMemo, useState } from 'react';
import { api, errorMessage, ApiError } from '../../api/client';
import { useCatalog } from '../../api/catalog';
import type { Connection, Flow, NodeManifest } from '../../api/types';
import { pairNodes } from '../../lib/pairing';
import { ConnectionSelect } from './ConnectionSelect';
import { groupByProvider, missingFields, type MissingField } from './sides';

interface Side {
  provider: string;
  connectionId: string;
  type: string;
}
const emptySide: Side = { provider: '', connectionId: '', type: '' };

function SideFields({ side, which, groups, connections, onChange, onConnectionCreated }: {
  side: Side;
  which: 'source' | 'target';
  groups: Map<string, NodeManifest[]>;
  connections: Connection[];
  onChange: (s: Side) => void;
  onConnectionCreated: (c: Connection) => void;
}) {
  const { providerById, providerTitles } = useCatalog();
  const title = (p: string) => providerTitles.get(p) ?? p;
  const needsConnection = side.provider !== '' && side.provider !== 'core';
  const types = groups.get(side.provider) ?? [];
  return (
    <fieldset className="st-side" data-testid={`st-${which}`}>
      <legend>{which === 'source' ? '1. When this happens (source)' : '2. Do this (target)'}</legend>
      <label className="field">
        <span className="field-label">{which === 'source' ? 'Source' : 'Target'} provider</span>
        <select value={side.provider} onChange={(e) => onChange({ ...emptySide, provider: e.target.value })} data-testid={`st-${which}-provider`}>
          <option value="">Choose a provider…</option>
          {[...groups.keys()].map((p) => (
            <option key={p} value={p}>{title(p)}</option>
          ))}
        </select>
      </label>
      {needsConnection && (
        <ConnectionSelect
          id={`st-${which}-connection`}
          label="Connection"
          providerId={side.provider}
          provider={providerById.get(side.provider)}
          connections={connections}
          value={side.connectionId}
          onChange={(id) => onChange({ ...side, connectionId: id })}
          onCreated={onConnectionCreated}
        />
      )}
      {side.provider && (!needsConnection || side.connectionId) && (
        <label className="field">
          <span className="field-label">{which === 'source' ? 'Event' : 'Action'}</span>
          <select value={side.type} onChange={(e) => onChange({ ...side, type: e.target.value })} data-testid={`st-${which}-type`}>
            <option value="">{which === 'source' ? 'Choose an event…' : 'Choose an action…'}</option>
            {types.map((m) => (
              <option key={m.id} value={m.id}>{m.title}</option>
            ))}
          </select>
          {types.find((m) => m.id === side.type)?.description && <span className="field-help">{types.find((m) => m.id === side.type)!.description}</span>}
        </label>
      )}
    </fieldset>
  );
}

/** A required field the pairing left empty: a select of the connection's options (first one chosen) or a text. */
function MissingInput({ field, connectionId, value, onChange }: { field: MissingField; connectionId: string; value: string; onChange: (v: string) => void }) {
  const [options, setOptions] = useState<Array<{ value: string; label: string }> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!field.options || !connectionId) return;
    let live = true;
    api.connections.options(connectionId, field.options).then(
      (items) => {
        if (!live) return;
        setOptions(items);
        if (!value && items[0]) onChange(items[0].value);
      },
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [field.options, connectionId]);
  const id = `st-field-${field.key}`;
  return (
    <label className="field">
      <span className="field-label">{field.title}<span className="required"> *</span></span>
      {field.options && options && options.length > 0 ? (
        <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={id}>
          {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      ) : field.widget === 'template' || field.widget === 'textarea' ? (
        <textarea value={value} onChange={(e) => onChange(e.target.value)} data-testid={id} rows={3} />
      ) : (
        <input value={value} onChange={(e) => onChange(e.target.value)} data-testid={id} />
      )}
      {error && <span className="field-error" role="alert">Could not list {field.options}: {error}</span>}
      {field.options && options?.length === 0 && <span className="field-help">The connection lists none: type it.</span>}
    </label>
  );
}

export function SourceTargetForm({ connections, onConnectionCreated, onCancel, onCreated }: {
  connections: Connection[];
  onConnectionCreated: (c: Connection) => void;
  onCancel: () => void;
  onCreated: (flow: Flow) => void;
}) {
  const { nodeTypes, manifests, providerTitles } = useCatalog();
  const triggers = useMemo(() => groupByProvider(nodeTypes, 'trigger'), [nodeTypes]);
  const actions = useMemo(() => groupByProvider(nodeTypes, 'action'), [nodeTypes]);
  const [source, setSource] = useState<Side>(emptySide);
  const [target, setTarget] = useState<Side>(emptySide);
  const [name, setName] = useState('');
  const [extra, setExtra] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const trigger = manifests.get(source.type);
  const action = manifests.get(target.type);
  const pairing = trigger && action ? pairNodes(trigger, source.connectionId || null, action, target.connectionId || null) : null;
  const missing = trigger && action ? missingFields(trigger, action) : [];
  const ready = Boolean(pairing) && missing.every((f) => extra[f.key]?.trim());
  const defaultName = trigger && action ? `${providerTitles.get(source.provider) ?? source.provider}: ${trigger.title} → ${action.title}` : '';

  const create = async () => {
    if (!pairing) return;
    setBusy(true);
    setError(null);
    const [t, a] = pairing.graph.nodes;
    const graph = { ...pairing.graph, nodes: [t!, { ...a!, config: { ...a!.config, ...Object.fromEntries(missing.map((f) => [f.key, extra[f.key]!.trim()])) } }] };
    try {
      onCreated(await api.flows.create({ name: name.trim() || defaultName, graph }));
    } catch (err) {
      const issues = err instanceof ApiError ? err.issues.map((i) => `${i.field ? `${i.field}: ` : ''}${i.message}`) : [];
      setError([errorMessage(err), ...issues].join(' — '));
      setBusy(false);
    }
  };

  return (
    <form className="form st-form" data-testid="source-target-form" onSubmit={(e) => { e.preventDefault(); void create(); }}>
      <div className="st-sides">
        <SideFields side={source} which="source" groups={triggers} connections={connections} onChange={setSource} onConnectionCreated={onConnectionCreated} />
        <SideFields side={target} which="target" groups={actions} connections={connections} onChange={(s) => { setTarget(s); setExtra({}); }} onConnectionCreated={onConnectionCreated} />
      </div>
      {pairing && (
        <div className="st-preview" data-testid="st-preview">
          <strong>Pre-mapped</strong>
          {pairing.mappings.length === 0 ? (
            <p className="muted">Nothing obvious to map: map the fields on the canvas.</p>
          ) : (
            <ul>
              {pairing.mappings.map((m) => (
                <li key={m.field}><code>{m.field}</code> ← <code>{m.value}</code> <span className="muted small">({m.reason})</span></li>
              ))}
            </ul>
          )}
          {missing.map((f) => (
            <MissingInput key={f.key} field={f} connectionId={target.connectionId} value={extra[f.key] ?? ''} onChange={(v) => setExtra((s) => ({ ...s, [f.key]: v }))} />
          ))}
          <label className="field">
            <span className="field-label">Bundle name</span>
            <input value={name} placeholder={defaultName} onChange={(e) => setName(e.target.value)} data-testid="st-name" />
          </label>
        </div>
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
      <div className="form-actions">
        <button type="button" className="btn" onClick={onCancel}>Cancel</button>
        <button type="submit" className="btn btn-primary" disabled={!ready || busy} data-testid="st-create">
          {busy ? 'Creating…' : 'Create bundle'}
        </button>
      </div>
    </form>
  );
}
