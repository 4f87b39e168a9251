import { memo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { ProviderBadge, STATUS_WORDING } from '../components/ui';
import { lacksConnection } from '../inspector/connections';
import { DEFAULT_SOURCE_HANDLE, TARGET_HANDLE, type BundleNode } from './graph';
import { useEditorView } from './EditorContext';
import { anchorOf } from './Popover';

function FlowNodeImpl({ id, data, selected }: NodeProps<BundleNode>) {
  const { manifests, providerTitles, issuesByNode, stepStatus, actions } = useEditorView();
  const manifest = manifests.get(data.type);
  const provider = manifest?.provider ?? data.type.split('.')[0] ?? '?';
  const issues = issuesByNode.get(id) ?? [];
  const status = stepStatus ? (stepStatus.get(id) ?? 'not-run') : null;
  const isTrigger = manifest?.kind === 'trigger';
  const handles = manifest?.handles ?? [];
  const needsConnection = lacksConnection(manifest, data.connectionId);
  const disabled = data.disabled === true;
  const classes = ['flow-node', isTrigger ? 'is-trigger' : 'is-action', selected ? 'selected' : '', disabled ? 'is-disabled' : '', status ? `run-${status}` : '', issues.length ? 'has-issues' : '', manifest ? '' : 'unknown-type']
    .filter(Boolean)
    .join(' ');
  return (
    <div className={classes} data-testid={`node-${id}`} data-status={status ?? undefined} aria-label={`${manifest?.title ?? data.type} (${id})`}>
      {!isTrigger && <Handle type="target" position={Position.Left} id={TARGET_HANDLE} className="handle handle-in" />}
      <div className="flow-node-head">
        <ProviderBadge provider={provider} title={providerTitles.get(provider) ?? provider} size={26} />
        <div className="flow-node-titles">
          <div className="flow-node-kind">{isTrigger ? 'Trigger' : (providerTitles.get(provider) ?? provider)}</div>
          <div className="flow-node-title">{data.label || manifest?.title || data.type}</div>
        </div>
        {actions && (
          <button
            type="button"
            className="icon-btn node-menu-btn nodrag nopan"
            aria-label={`Menu of ${id}`}
            aria-haspopup="menu"
            data-testid={`node-menu-btn-${id}`}
            onClick={(e) => {
              e.stopPropagation();
              actions.openMenu(id, anchorOf(e.currentTarget));
            }}
          >
            ⋯
          </button>
        )}
        {issues.length > 0 && (
          <span className="issue-badge" data-testid={`node-issues-${id}`} title={issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('\n')}>
            {issues.length}
          </span>
        )}
      </div>
      <div className="flow-node-foot">
        <code className="flow-node-id">{id}</code>
        {!manifest && <span className="tag tag-error">unknown type</span>}
        {disabled && <span className="tag" title="Passed through when the bundle runs">disabled</span>}
        {needsConnection && issues.length === 0 && <span className="tag tag-warn">no connection</span>}
        {status && <span className={`step-dot step-${status}`} title={STATUS_WORDING[status] ?? `Step ${status}`}>{status}</span>}
      </div>
      {(handles.length === 0 ? [null] : handles).map((h, i, all) => {
        const top = `${((i + 1) * 100) / (all.length + 1)}%`;
        return (
          <span key={h ?? DEFAULT_SOURCE_HANDLE}>
            <Handle
              type="source"
              position={Position.Right}
              id={h ?? DEFAULT_SOURCE_HANDLE}
              className={h ? `handle handle-out handle-named handle-${h}` : 'handle handle-out'}
              style={h ? { top } : undefined}
            >
              {h && <span className="handle-label">{h}</span>}
            </Handle>
            {actions && (
              <button
                type="button"
                className={`handle-add nodrag nopan${h ? ' handle-add-named' : ''}`}
                style={{ top }}
                aria-label={h ? `Add a step after ${id} on ${h}` : `Add a step after ${id}`}
                title="Add a step here"
                data-testid={`add-after-${id}${h ? `-${h}` : ''}`}
                onClick={(e) => {
                  e.stopPropagation();
                  actions.openAddAfter(id, h, anchorOf(e.currentTarget));
                }}
              >
                +
              </button>
            )}
          </span>
        );
      })}
    </div>
  );
}

export const FlowNode = memo(FlowNodeImpl);
