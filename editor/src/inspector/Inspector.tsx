import { useMemo } from 'react';
import { api } from '../api/client';
import type { Connection, NodeManifest, OptionItem, ProviderDescriptor, Step, ValidationIssue } from '../api/types';
import type { BundleEdge, BundleNode } from '../canvas/graph';
import { JsonTree } from '../components/JsonTree';
import { ProviderBadge, StatusPill, formatDuration } from '../components/ui';
import { RESOLUTION_LABELS } from '../runs/runStatus';
import { ConfigForm } from './ConfigForm';
import { ConnectionPicker } from './ConnectionPicker';
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
  connectionProvider,
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
  /** The provider whose connections the node takes (manifest.connectionProvider), if the server knows it. */
  connectionProvider: ProviderDescriptor | undefined;
  connections: Connection[];
  issues: ValidationIssue[];
  runValues?: RunValues;
  step?: Step;
  onChange: (patch: NodePatch, coalesceKey?: string) => void;
  onDelete: () => void;
  onConnectionCreated: (c: Connection) => void;
}) {
  const fields = useMemo(() => fieldsFromSchema(manifest?.configSchema), [manifest]);
  const pickerNodes = useMemo(() => nodes.map((n) => ({ id: n.id, type: n.data.type, label: n.data.label, config: n.data.config })), [nodes]);
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
  const connectionId = node.data.connectionId;

  const loadOptions = optionLoader(connectionId, fields.some((f) => f.optionsSource === 'bundles'));

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
          <ConnectionPicker
            manifest={manifest}
            connectionId={connectionId}
            connections={connections}
            provider={connectionProvider}
            providerTitles={providerTitles}
            issues={issues.filter((i) => i.field === 'connectionId')}
            onChange={(id) => onChange({ connectionId: id })}
            onConnectionCreated={onConnectionCreated}
          />
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
        onPatch={(patch) => {
          // A choice that sets several fields (a template and its language) is one change, one undo step.
          const next = { ...node.data.config };
          for (const [key, value] of Object.entries(patch)) {
            if (value === undefined) delete next[key];
            else next[key] = value;
          }
          onChange({ config: next });
        }}
        errors={fieldErrors}
        idPrefix={`cfg-${node.id}`}
        loadOptions={loadOptions}
        optionsKey={connectionId ?? ''}
        template={template}
      />

    </div>
  );
}

function StepView({ step }: { step: Step }) {
  return (
    <section className="step-view" data-testid="step-view">
      <h3 className="section-title">
        Last opened run <StatusPill status={step.status} />
        {step.resolution && <span className="tag tag-resolution">{RESOLUTION_LABELS[step.resolution]}</span>}
      </h3>
      {step.status === 'uncertain' && <p className="small uncertain-hint">Settle it in the Runs tab: send it again, or mark it as done.</p>}
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

/**
 * Where a field's options come from: the node's connection, or, for `bundles` (core.error_trigger's
 * "Bundles"), the workspace's bundles.
 */
function optionLoader(connectionId: string | null, listsBundles: boolean): ((source: string) => Promise<OptionItem[]>) | null {
  if (!connectionId && !listsBundles) return null;
  const bundles = async () => (await api.flows.list()).map((f) => ({ value: f.id, label: f.name }));
  return (source: string) => (source === 'bundles' ? bundles() : connectionId ? api.connections.options(connectionId, source) : Promise.resolve([]));
}
