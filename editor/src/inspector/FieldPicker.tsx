import { useMemo, useState } from 'react';
import type { PickerGroup } from './fieldPaths';
import { ProviderBadge } from '../components/ui';

function preview(value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return 'null';
  if (typeof value === 'object') return Array.isArray(value) ? `[${value.length}]` : '{…}';
  const s = String(value);
  return s.length > 28 ? `${s.slice(0, 27)}…` : s;
}

/** What upstream nodes output, with last-run values; choosing one inserts `{{ expression }}`. */
export function FieldPicker({ groups, onPick, onClose }: { groups: PickerGroup[]; onPick: (expression: string) => void; onClose?: () => void }) {
  const [q, setQ] = useState('');
  const filtered = useMemo(() => {
    const s = q.trim().toLowerCase();
    if (!s) return groups;
    return groups
      .map((g) => ({ ...g, fields: g.fields.filter((f) => f.expression.toLowerCase().includes(s) || (f.description ?? '').toLowerCase().includes(s)) }))
      .filter((g) => g.fields.length > 0);
  }, [groups, q]);

  return (
    <div
      className="field-picker"
      role="dialog"
      aria-label="Insert a field"
      data-testid="field-picker"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose?.();
        }
      }}
    >
      <input type="search" className="field-picker-search" placeholder="Search fields" value={q} onChange={(e) => setQ(e.target.value)} aria-label="Search fields" autoFocus />
      {groups.length === 0 && <p className="muted small">Connect this node after a trigger to use its fields.</p>}
      {groups.length > 0 && filtered.length === 0 && <p className="muted small">No field matches “{q}”.</p>}
      <div className="field-picker-groups">
        {filtered.map((g) => (
          <section key={g.nodeId} className="field-picker-group" data-testid={`picker-group-${g.nodeId}`}>
            <header>
              <ProviderBadge provider={g.provider} size={18} />
              <span>{g.title}</span>
              <code className="muted small">{g.root}</code>
            </header>
            {g.fields.length === 0 && <p className="muted small">This node declares no output.</p>}
            <ul>
              {g.fields.map((f) => (
                <li key={f.expression}>
                  <button type="button" className="field-picker-item" onClick={() => onPick(f.expression)} data-testid={`picker-field-${f.expression}`} title={f.description ?? f.expression}>
                    <span className="fp-path" style={{ paddingLeft: `${Math.max(0, f.segments.length - 1) * 10}px` }}>
                      {String(f.segments.at(-1))}
                    </span>
                    <span className="fp-type">{f.type}</span>
                    {f.hasValue && <span className="fp-value" title={JSON.stringify(f.value)}>{preview(f.value)}</span>}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </div>
  );
}
