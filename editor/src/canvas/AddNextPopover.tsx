// The "+" of an output handle: the palette filtered to what can follow (actions), searched by typing;
// the chosen type is added already wired to that handle.
import { useMemo, useState } from 'react';
import type { NodeManifest } from '../api/types';
import { ProviderBadge } from '../components/ui';
import { groupManifests } from '../palette/Palette';
import { Popover, type Anchor } from './Popover';

/** What can be wired after a handle: any action (a trigger has no input). */
export function typesThatFit(nodeTypes: NodeManifest[]): NodeManifest[] {
  return nodeTypes.filter((m) => m.kind === 'action');
}

export function AddNextPopover({
  anchor,
  source,
  nodeTypes,
  providerTitles,
  onPick,
  onClose,
}: {
  anchor: Anchor;
  source: { nodeId: string; handle: string | null };
  nodeTypes: NodeManifest[];
  providerTitles: Map<string, string>;
  onPick: (type: string) => void;
  onClose: () => void;
}) {
  const [search, setSearch] = useState('');
  const [active, setActive] = useState(0);
  const groups = useMemo(() => groupManifests(typesThatFit(nodeTypes), providerTitles, search), [nodeTypes, providerTitles, search]);
  const flat = groups.flatMap((g) => g.items);
  const pick = (type: string) => {
    onClose();
    onPick(type);
  };
  const from = source.handle ? `${source.nodeId} → ${source.handle}` : source.nodeId;
  return (
    <Popover anchor={anchor} onClose={onClose} label={`Add a step after ${from}`} testId="add-next">
      <div className="add-next">
        <div className="add-next-head small muted">Add a step after <code>{from}</code></div>
        <input
          type="search"
          autoFocus
          placeholder="Search actions"
          aria-label="Search actions"
          value={search}
          data-testid="add-next-search"
          onChange={(e) => {
            setSearch(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault();
              const step = e.key === 'ArrowDown' ? 1 : -1;
              setActive((i) => (flat.length === 0 ? 0 : (i + step + flat.length) % flat.length));
            } else if (e.key === 'Enter' && flat[active]) {
              e.preventDefault();
              pick(flat[active].id);
            }
          }}
        />
        <div className="add-next-list" role="listbox" aria-label="Actions">
          {flat.length === 0 && <p className="muted small">No action matches “{search}”.</p>}
          {groups.map((g) => (
            <div key={g.provider} className="add-next-group">
              <div className="add-next-group-title small muted">
                <ProviderBadge provider={g.provider} title={g.title} size={16} /> {g.title}
              </div>
              {g.items.map((m) => (
                <button
                  key={m.id}
                  type="button"
                  role="option"
                  aria-selected={flat[active]?.id === m.id}
                  className={`add-next-item${flat[active]?.id === m.id ? ' active' : ''}`}
                  data-testid={`add-next-${m.id}`}
                  title={m.description}
                  onMouseEnter={() => setActive(flat.indexOf(m))}
                  onClick={() => pick(m.id)}
                >
                  {m.title}
                </button>
              ))}
            </div>
          ))}
        </div>
      </div>
    </Popover>
  );
}
