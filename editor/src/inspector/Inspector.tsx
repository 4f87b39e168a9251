import { useMemo, useState } from 'react';
import { api } from '../api/client';
import type { Connection, NodeManifest, ProviderDescriptor, Step, ValidationIssue } from '../api/types';
import type { BundleEdge, BundleNode } from '../canvas/graph';
import { JsonTree } from '../components/JsonTree';
import { Modal, ProviderBadge, StatusPill, formatDuration } from '../components/ui';
import { ConfigForm } from './ConfigForm';
import { ConnectionForm } from './ConnectionForm';
import { pickerGroups, previewContext, type RunValues } from './fieldPaths';
import { fieldsFromSchema } from './schemaFields';

export interface NodePatch {
  config?: Record<string, unknown>;
  connectionId?: string | null;
  label?: string;
}

export function Inspector({
  node,
  manifest,
  nodes,
  edges,
  manifests,
  providerTitles,
  provider,
  connections,
  issues,
  runValues,
  step,
  onChange,
  onDelete,
  onConnectionCreated,
}: {
  node: BundleNode;
  manifest: NodeManifest | undefined;
  nodes: BundleNode[];
  edges: BundleEdge[];
  manifests: Map<string, NodeManifest>;
  providerTitles: Map<string, string>;
  provider: ProviderDescriptor | undefined;
  connections: Connection[];
  issues: ValidationIssue[];
  runValues?: RunValues;
  step?: Step;
  onChange: (patch: NodePatch, coalesceKey?: string) => void;
  onDelete: () => void;
  onConnectionCreated: (c: Connection) => void;
}) {
  const fields = useMemo(() => fieldsFromSchema(manifest?.configSchema), [manifest]);
  const pickerNodes = useMemo(() => nodes.map((n) => ({ id: n.id, type: n.data.type, label: n.data.label })), [nodes]);
  const template = useMemo(() => {
    const groups = pickerGroups(node.id, pickerNodes, edges, manifests, runValues);
    const { context, fromRun } = previewContext(node.id, pickerNodes, edges, manifests, runValues);
    return { groups, context, fromRun };
  }, [node.id, pickerNodes, edges, manifests, runValues]);

  const fieldErrors = useMemo(() => {
    const out: Record<string, string> = {};
    for (const i of issues) {
      if (!i.field) continue;
      out[i.field] = out[i.field] ? `${out[i.field]} ${i.message}` : i.message;
    }
    return out;
  }, [issues]);
  const nodeErrors = issues.filter((i) => !i.field || !fields.some((f) => f.key === (i.field ?? '').split('.')[0]));
  const providerId = manifest?.provider ?? node.data.type.split('.')[0] ?? '';
  const ownConnections = connections.filter((c) => c.provider === providerId);
  const connectionId = node.data.connectionId;
  const [creatingConnection, setCreatingConnection] = useState(false);

  const loadOptions = connectionId ? (source: string) => api.connections.options(connectionId, source) : null;

  return (
    <div className="inspector" data-testid="inspector" aria-label={`Inspector: ${manifest?.title ?? node.data.type}`}>
      <header className="inspector-head">
        <ProviderBadge provider={providerId} title={providerTitles.get(providerId)} size={32} />
        <div>
          <div className="muted small">{manifest?.kind === 'trigger' ? 'Trigger' : 'Action'} · {providerTitles.get(providerId) ?? providerId}</div>
          <h2>{manifest?.title ?? node.data.type}</h2>
        </div>
        <button type="button" className="icon-btn danger" aria-label="Delete node" title="Delete node (Del)" onClick={onDelete} data-testid="inspector-delete">
          <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
            <path d="M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6M10 11v6M14 11v6" />
          </svg>
        </button>
      </header>
      {manifest?.description && <p className="muted small inspector-desc">{manifest.description}</p>}
      {!manifest && (
        <p className="form-error" role="alert">
          The node type “{node.data.type}” is not installed on this server. Remove this node or install the provider.
        </p>
      )}
      <div className="inspector-meta">
        <span className="muted small">Id in templates:</span>{' '}
        <code data-testid="inspector-node-id">{manifest?.kind === 'trigger' ? 'trigger' : `steps.${node.id}`}</code>
      </div>
      {nodeErrors.length > 0 && (
        <ul className="issue-list" role="alert" data-testid="node-issue-list">
          {nodeErrors.map((i, n) => (
            <li key={n}>{i.field ? `${i.field}: ${i.message}` : i.message}</li>
          ))}
        </ul>
      )}

      {step && <StepView step={step} />}

      <div className="form">
        <div className="field">
          <label className="field-label" htmlFor="node-label">
            Label
          </label>
          <input id="node-label" value={node.data.label ?? ''} placeholder={manifest?.title} onChange={(e) => onChange({ label: e.target.value }, `${node.id}:label`)} />
        </div>
        {manifest?.needsConnection && (
          <div className={`field${issues.some((i) => i.field === 'connectionId') ? ' has-error' : ''}`} data-testid="field-wrap-connectionId">
            <label className="field-label" htmlFor="node-connection">
              Connection<span className="required"> *</span>
            </label>
            <div className="select-row">
              <select
                id="node-connection"
                data-testid="connection-picker"
                value={connectionId ?? ''}
                onChange={(e) => {
                  if (e.target.value === '__new') setCreatingConnection(true);
                  else onChange({ connectionId: e.target.value || null });
                }}
              >
                <option value="">{ownConnections.length ? 'Choose a connection…' : `No ${providerTitles.get(providerId) ?? providerId} connection yet`}</option>
                {ownConnections.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                    {c.status === 'broken' ? ' (broken)' : ''}
                  </option>
                ))}
                <option value="__new">+ New connection…</option>
              </select>
            </div>
            {issues
              .filter((i) => i.field === 'connectionId')
              .map((i, n) => (
                <span key={n} className="field-error" role="alert">
                  {i.message}
                </span>
              ))}
          </div>
        )}
      </div>

      <h3 className="section-title">Settings</h3>
      <ConfigForm
        fields={fields}
        values={node.data.config}
        onChange={(key, value) => {
          const next = { ...node.data.config };
          if (value === undefined) delete next[key];
          else next[key] = value;
          onChange({ config: next }, `${node.id}:${key}`);
        }}
        errors={fieldErrors}
        idPrefix={`cfg-${node.id}`}
        loadOptions={loadOptions}
        optionsKey={connectionId ?? ''}
        template={template}
      />

      {creatingConnection && provider && (
        <Modal title={`New ${provider.title} connection`} onClose={() => setCreatingConnection(false)} wide>
          <ConnectionForm
            provider={provider}
            onCancel={() => setCreatingConnection(false)}
            onSaved={(c) => {
              setCreatingConnection(false);
              onConnectionCreated(c);
              onChange({ connectionId: c.id });
            }}
          />
        </Modal>
      )}
      {creatingConnection && !provider && (
        <Modal title="New connection" onClose={() => setCreatingConnection(false)}>
          <p>The provider “{providerId}” is not known to the server.</p>
        </Modal>
      )}
    </div>
  );
}

function StepView({ step }: { step: Step }) {
  return (
    <section className="step-view" data-testid="step-view">
      <h3 className="section-title">
        Last opened run <StatusPill status={step.status} />
      </h3>
      <p className="muted small">
        {step.attempts} attempt{step.attempts === 1 ? '' : 's'} · {formatDuration(step.startedAt, step.finishedAt)}
      </p>
      {step.error && (
        <div className="step-error" role="alert">
          {step.error.code && <code>{step.error.code}</code>} {step.error.message}
        </div>
      )}
      <details open>
        <summary>Input</summary>
        <JsonTree value={step.input} />
      </details>
      <details open>
        <summary>Output</summary>
        <JsonTree value={step.output} />
      </details>
    </section>
  );
}
