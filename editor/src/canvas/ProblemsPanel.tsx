// The Problems tab: what keeps the draft from starting, by node and field; a click selects the node.
import type { NodeManifest, ValidationIssue } from '../api/types';
import type { BundleNode } from './graph';

export interface ProblemsPanelProps {
  problems: ValidationIssue[];
  nodes: BundleNode[];
  manifests: Map<string, NodeManifest>;
  onSelect(nodeId: string): void;
}

export function ProblemsPanel({ problems, nodes, manifests, onSelect }: ProblemsPanelProps) {
  if (problems.length === 0) {
    return (
      <div className="inspector-empty" data-testid="problems-empty">
        <h3>No problems</h3>
        <p className="muted">The draft is complete: Start publishes it as a new version and runs it.</p>
      </div>
    );
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const titleOf = (nodeId: string) => {
    const n = byId.get(nodeId);
    return n ? n.data.label || manifests.get(n.data.type)?.title || n.data.type : nodeId;
  };
  return (
    <div className="problems-panel" data-testid="problems-panel">
      <p className="muted small">
        The draft is saved as it is; these {problems.length === 1 ? 'problem keeps' : `${problems.length} problems keep`} it from starting.
      </p>
      <ul className="problem-list">
        {problems.map((p, i) => (
          <li key={i} data-testid="problem">
            {p.nodeId && byId.has(p.nodeId) ? (
              <button type="button" className="link-btn problem-node" onClick={() => onSelect(p.nodeId!)} data-testid={`problem-node-${p.nodeId}`}>
                {titleOf(p.nodeId)}
              </button>
            ) : (
              <span className="problem-node">Bundle</span>
            )}
            {p.field && <code className="problem-field">{p.field}</code>}
            <span className="problem-message">{p.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
