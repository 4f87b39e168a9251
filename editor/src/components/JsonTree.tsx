import { useState } from 'react';

/** A collapsible tree of a JSON value (step input, output, error; delivery bodies). */
export function JsonTree({ value, label, defaultOpen = 1 }: { value: unknown; label?: string; defaultOpen?: number }) {
  return (
    <div className="json-tree" role="tree">
      <JsonNode value={value} name={label} depth={0} openDepth={defaultOpen} />
    </div>
  );
}

function JsonNode({ value, name, depth, openDepth }: { value: unknown; name?: string; depth: number; openDepth: number }) {
  const [open, setOpen] = useState(depth < openDepth);
  const isObj = value !== null && typeof value === 'object';
  if (!isObj) {
    return (
      <div className="json-row" role="treeitem" aria-selected={false}>
        {name !== undefined && <span className="json-key">{name}: </span>}
        <JsonScalar value={value} />
      </div>
    );
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
  const summary = Array.isArray(value) ? `[${entries.length}]` : `{${entries.length}}`;
  return (
    <div className="json-branch" role="treeitem" aria-expanded={open} aria-selected={false}>
      <button type="button" className="json-toggle" onClick={() => setOpen(!open)}>
        <span className="json-caret" aria-hidden="true">
          {open ? '▾' : '▸'}
        </span>
        {name !== undefined && <span className="json-key">{name}</span>}
        <span className="json-summary">{summary}</span>
      </button>
      {open && (
        <div className="json-children" role="group">
          {entries.length === 0 && <div className="json-row json-empty">empty</div>}
          {entries.map(([k, v]) => (
            <JsonNode key={k} name={k} value={v} depth={depth + 1} openDepth={openDepth} />
          ))}
        </div>
      )}
    </div>
  );
}

function JsonScalar({ value }: { value: unknown }) {
  if (value === null) return <span className="json-null">null</span>;
  if (value === undefined) return <span className="json-null">undefined</span>;
  if (typeof value === 'string') return <span className="json-string">"{value}"</span>;
  if (typeof value === 'number') return <span className="json-number">{value}</span>;
  if (typeof value === 'boolean') return <span className="json-bool">{String(value)}</span>;
  return <span>{String(value)}</span>;
}
