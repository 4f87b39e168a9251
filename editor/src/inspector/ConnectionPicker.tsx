import { useState } from 'react';
import type { Connection, NodeManifest, ProviderDescriptor, ValidationIssue } from '../api/types';
import { Modal } from '../components/ui';
import { ConnectionForm } from './ConnectionForm';
import { connectionProviderOf, connectionProvidersOf, connectionsFor } from './connections';
import { useRole } from '../lib/role';

const NEW_CONNECTION = '__new';

/** The node's connection: those of `manifest.connectionProvider`, with "+ New connection…" opening its form. */
export function ConnectionPicker({
  manifest,
  connectionId,
  connections,
  provider,
  providerTitles,
  issues,
  onChange,
  onConnectionCreated,
}: {
  manifest: NodeManifest;
  connectionId: string | null | undefined;
  connections: Connection[];
  /** The descriptor of the connection provider; undefined when the server does not know it. */
  provider: ProviderDescriptor | undefined;
  providerTitles: Map<string, string>;
  /** Issues of the `connectionId` field. */
  issues: ValidationIssue[];
  onChange: (connectionId: string | null) => void;
  onConnectionCreated: (c: Connection) => void;
}) {
  const [creating, setCreating] = useState(false);
  // An editor uses the connections an admin made; making one is an admin's.
  const { can, whyNot } = useRole();
  const mayCreate = can('manageConnections');
  const providerId = connectionProviderOf(manifest);
  const providerTitle = provider?.title ?? providerTitles.get(providerId) ?? providerId;
  const choices = connectionsFor(manifest, connections);
  const optional = manifest.connectionOptional;
  // Connections of several providers (a wait for a reply: any that receives messages): each says whose, and a
  // new one is made on the Connections page, where its provider is chosen.
  const several = connectionProvidersOf(manifest).length > 1;
  const emptyLabel = optional ? 'No connection (no credentials)' : choices.length ? 'Choose a connection…' : several ? 'No SMS, WhatsApp or chat connection yet' : `No ${providerTitle} connection yet`;

  return (
    <div className={`field${issues.length ? ' has-error' : ''}`} data-testid="field-wrap-connectionId">
      <label className="field-label" htmlFor="node-connection">
        {optional ? `${providerTitle} connection` : 'Connection'}
        {!optional && <span className="required"> *</span>}
      </label>
      <div className="select-row">
        <select
          id="node-connection"
          data-testid="connection-picker"
          data-provider={providerId}
          value={connectionId ?? ''}
          onChange={(e) => {
            if (e.target.value === NEW_CONNECTION) setCreating(true);
            else onChange(e.target.value || null);
          }}
        >
          <option value="">{emptyLabel}</option>
          {choices.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
              {several ? ` (${providerTitles.get(c.provider) ?? c.provider})` : ''}
              {c.status === 'broken' ? ' (broken)' : ''}
            </option>
          ))}
          {!several && mayCreate && <option value={NEW_CONNECTION}>+ New {providerTitle} connection…</option>}
        </select>
      </div>
      {!mayCreate && choices.length === 0 && (
        <span className="field-help" data-testid="connection-admin-only">
          An admin of the workspace makes connections: {whyNot('manageConnections')}
        </span>
      )}
      {optional && <span className="field-help">Optional: its credentials are stored encrypted and sent with every request.</span>}
      {issues.map((i, n) => (
        <span key={n} className="field-error" role="alert">
          {i.message}
        </span>
      ))}
      {creating && (
        <Modal title={`New ${providerTitle} connection`} onClose={() => setCreating(false)} wide testId="connection-modal">
          {provider ? (
            <ConnectionForm
              provider={provider}
              onCancel={() => setCreating(false)}
              onSaved={(c) => {
                setCreating(false);
                onConnectionCreated(c);
                onChange(c.id);
              }}
            />
          ) : (
            <p>The provider “{providerId}” is not known to the server.</p>
          )}
        </Modal>
      )}
    </div>
  );
}
