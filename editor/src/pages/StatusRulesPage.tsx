// Status messages of a sales connection (Guru, Monetizze, RetailCRM): one rule per line, as the vendors'
// own screens list them; each rule is a bundle underneath, opened on the canvas from here.
import { useState } from 'react';
import { api, errorToastText } from '../api/client';
import { useCatalog } from '../api/catalog';
import { useAsync } from '../api/hooks';
import type { Connection, StatusRule } from '../api/types';
import { useConfirm } from '../components/confirm';
import { useToast } from '../components/toast';
import { EmptyState, ErrorState, ProviderBadge, Spinner, StatusPill } from '../components/ui';
import { NavLink } from '../lib/navigation';
import { RuleForm } from '../rules/RuleForm';
import { delayText, kindTitle, scopeTitle, statusTriggersOf } from '../rules/ruleSpec';

export function StatusRulesPage({ connectionId }: { connectionId: string }) {
  const { nodeTypes } = useCatalog();
  const data = useAsync(async () => {
    const [connection, connections] = await Promise.all([api.connections.get(connectionId), api.connections.list()]);
    const rules = statusTriggersOf(connection.provider, nodeTypes).length > 0 ? await api.connections.statusRules.list(connectionId) : [];
    return { connection, connections, rules };
  }, [connectionId, nodeTypes]);
  const [editing, setEditing] = useState<StatusRule | 'new' | null>(null);
  const toast = useToast();

  if (data.loading && !data.data) return <Spinner label="Loading status messages…" />;
  if (data.error !== undefined && !data.data) return <ErrorState title="Cannot load the status messages" error={data.error} onRetry={() => void data.reload()} />;
  if (!data.data) return null;
  const { connection, connections, rules } = data.data;
  const hasStatuses = statusTriggersOf(connection.provider, nodeTypes).length > 0;
  const setRules = (next: StatusRule[]) => data.setData({ ...data.data!, rules: next });

  return (
    <div className="page status-rules-page">
      <div className="page-header">
        <div>
          <NavLink href={`/connections/${connection.id}`} className="muted back-link">
            ← {connection.name}
          </NavLink>
          <h1>
            <ProviderBadge provider={connection.provider} size={24} /> Status messages
          </h1>
          <p className="muted">An SMS or WhatsApp message when a sale or subscription of {connection.name} reaches a status. Each rule is a bundle you can open on the canvas.</p>
        </div>
        {hasStatuses && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')} data-testid="add-rule">
            Add rule
          </button>
        )}
      </div>
      {!hasStatuses && <EmptyState title="No statuses here">{connection.name} has no sales or subscriptions whose statuses could send messages.</EmptyState>}
      {hasStatuses && rules.length === 0 && (
        <EmptyState title="No status messages yet" action={<button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>Add the first rule</button>}>
          For example: an SMS to the buyer when a sale is approved, or a WhatsApp template when it is canceled.
        </EmptyState>
      )}
      {rules.length > 0 && <RulesTable connection={connection} connections={connections} rules={rules} onEdit={setEditing} onChange={setRules} />}
      {editing && (
        <RuleForm
          connection={connection}
          connections={connections}
          rule={editing === 'new' ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={(saved) => {
            setRules(editing === 'new' ? [...rules, saved] : rules.map((r) => (r.id === saved.id ? saved : r)));
            setEditing(null);
            toast(editing === 'new' ? 'Rule added' : 'Rule saved', 'success');
          }}
        />
      )}
    </div>
  );
}

function RulesTable({ connection, connections, rules, onEdit, onChange }: { connection: Connection; connections: Connection[]; rules: StatusRule[]; onEdit: (r: StatusRule) => void; onChange: (r: StatusRule[]) => void }) {
  const confirm = useConfirm();
  const toast = useToast();
  const [busy, setBusy] = useState<string | null>(null);
  const senderName = (id: string) => connections.find((c) => c.id === id)?.name ?? 'a removed connection';

  const toggle = async (rule: StatusRule) => {
    setBusy(rule.id);
    try {
      const { id: _id, connectionId: _c, flowId: _f, status: _s, createdAt: _ca, updatedAt: _u, ...input } = rule;
      const saved = await api.connections.statusRules.update(connection.id, rule.id, { ...input, active: rule.status !== 'running' });
      onChange(rules.map((r) => (r.id === saved.id ? saved : r)));
      toast(saved.status === 'running' ? 'Rule on: it sends from now on' : 'Rule off: it sends nothing until turned on', 'success');
    } catch (err) {
      toast(errorToastText(err), 'error');
    } finally {
      setBusy(null);
    }
  };
  const remove = async (rule: StatusRule) => {
    const ok = await confirm({ title: 'Remove this rule?', message: 'Its bundle and the bundle’s runs are deleted; messages already sent stay in the message log.', confirmLabel: 'Remove', danger: true });
    if (!ok) return;
    setBusy(rule.id);
    try {
      await api.connections.statusRules.remove(connection.id, rule.id);
      onChange(rules.filter((r) => r.id !== rule.id));
      toast('Rule removed', 'success');
    } catch (err) {
      toast(errorToastText(err), 'error');
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="table-wrap">
      <table className="table" data-testid="rules-table">
        <thead>
          <tr>
            <th>Type</th>
            <th>Status</th>
            <th>Sender</th>
            <th>Message</th>
            <th>Delay</th>
            <th>Products</th>
            <th>State</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.id} data-testid="rule-row">
              <td>{kindTitle[r.kind]}</td>
              <td>
                <span className="muted">{scopeTitle[r.scope]}:</span> {r.statuses.join(', ')}
              </td>
              <td>
                {senderName(r.senderConnectionId)}
                {r.sender ? <div className="muted">{r.sender}</div> : null}
              </td>
              <td className="rule-message">{r.template ? `Template ${r.template}${r.language ? ` (${r.language})` : ''}` : r.message}</td>
              <td>{delayText(r.delaySeconds) || 'at once'}</td>
              <td>{r.productIds?.join(', ') || 'any'}</td>
              <td>
                <button type="button" className="btn btn-ghost btn-sm" disabled={busy === r.id} onClick={() => void toggle(r)} aria-label={r.status === 'running' ? 'Turn off' : 'Turn on'}>
                  <StatusPill status={r.status === 'running' ? 'running' : 'stopped'} />
                </button>
              </td>
              <td className="row-actions">
                <button type="button" className="btn btn-sm" onClick={() => onEdit(r)}>
                  Edit
                </button>
                <NavLink href={`/bundles/${r.flowId}`} className="btn btn-ghost btn-sm">
                  Open bundle
                </NavLink>
                <button type="button" className="btn btn-sm btn-danger-ghost" disabled={busy === r.id} onClick={() => void remove(r)}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
