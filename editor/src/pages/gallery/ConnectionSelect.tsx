// A select of the workspace's connections of one provider, with "+ New … connection" creating one in place.
import { useState } from 'react';
import { createPortal } from 'react-dom';
import type { Connection, ProviderDescriptor } from '../../api/types';
import { Modal } from '../../components/ui';
import { ConnectionForm } from '../../inspector/ConnectionForm';

const NEW = '__new';

export function ConnectionSelect({
  id,
  label,
  providerId,
  provider,
  connections,
  value,
  error,
  onChange,
  onCreated,
}: {
  id: string;
  label: string;
  providerId: string;
  provider: ProviderDescriptor | undefined;
  connections: Connection[];
  value: string;
  error?: string | undefined;
  onChange: (connectionId: string) => void;
  onCreated: (c: Connection) => void;
}) {
  const [creating, setCreating] = useState(false);
  const title = provider?.title ?? providerId;
  const own = connections.filter((c) => c.provider === providerId);
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label className="field-label" htmlFor={id}>
        {label}
        <span className="required"> *</span>
      </label>
      <select
        id={id}
        data-testid={id}
        data-provider={providerId}
        value={value}
        onChange={(e) => (e.target.value === NEW ? setCreating(true) : onChange(e.target.value))}
      >
        <option value="">{own.length ? `Choose a ${title} connection…` : `No ${title} connection yet`}</option>
        {own.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
            {c.status === 'broken' ? ' (broken)' : ''}
          </option>
        ))}
        <option value={NEW}>+ New {title} connection…</option>
      </select>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
      {/* Outside the dialog's own form, in the DOM (no nested forms) and for React's bubbling submit events. */}
      {creating &&
        createPortal(
          <div onSubmit={(e) => e.stopPropagation()}>
            <Modal title={`New ${title} connection`} onClose={() => setCreating(false)} wide testId="connection-modal">
              {provider ? (
                <ConnectionForm
                  provider={provider}
                  onCancel={() => setCreating(false)}
                  onSaved={(c) => {
                    setCreating(false);
                    onCreated(c);
                    onChange(c.id);
                  }}
                />
              ) : (
                <p className="form-error" role="alert">
                  This server does not know the provider “{providerId}”.
                </p>
              )}
            </Modal>
          </div>,
          document.body,
        )}
    </div>
  );
}
