import { useMemo, useState, type DragEvent } from 'react';
import type { NodeManifest } from '../api/types';
import { ProviderBadge } from '../components/ui';

export const DRAG_MIME = 'application/x-bundles-node-type';

export interface PaletteGroup {
  provider: string;
  title: string;
  items: NodeManifest[];
}

export function groupManifests(nodeTypes: NodeManifest[], providerTitles: Map<string, string>, search: string): PaletteGroup[] {
  const q = search.trim().toLowerCase();
  const groups = new Map<string, NodeManifest[]>();
  for (const m of nodeTypes) {
    const title = providerTitles.get(m.provider) ?? m.provider;
    const hay = `${m.title} ${m.id} ${m.description ?? ''} ${title}`.toLowerCase();
    if (q && !q.split(/\s+/).every((w) => hay.includes(w))) continue;
    groups.set(m.provider, [...(groups.get(m.provider) ?? []), m]);
  }
  return [...groups.entries()]
    .map(([provider, items]) => ({
      provider,
      title: providerTitles.get(provider) ?? provider,
      // Triggers first, then alphabetical.
      items: items.sort((a, b) => Number(a.kind !== 'trigger') - Number(b.kind !== 'trigger') || a.title.localeCompare(b.title)),
    }))
    .sort((a, b) => Number(a.provider === 'core') - Number(b.provider === 'core') || a.title.localeCompare(b.title));
}

export function Palette({
  nodeTypes,
  providerTitles,
  hasTrigger,
  onAdd,
}: {
  nodeTypes: NodeManifest[];
  providerTitles: Map<string, string>;
  hasTrigger: boolean;
  /** Keyboard / click alternative to dragging: adds the node at the centre of the view. */
  onAdd: (type: string) => void;
}) {
  const [search, setSearch] = useState('');
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const groups = useMemo(() => groupManifests(nodeTypes, providerTitles, search), [nodeTypes, providerTitles, search]);

  const onDragStart = (e: DragEvent, m: NodeManifest) => {
    e.dataTransfer.setData(DRAG_MIME, m.id);
    e.dataTransfer.setData('text/plain', m.id);
    e.dataTransfer.effectAllowed = 'move';
  };

  return (
    <aside className="palette" aria-label="Node palette" data-testid="palette">
      <div className="palette-search">
        <input type="search" placeholder="Search triggers and actions" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Search node types" data-testid="palette-search" />
      </div>
      <div className="palette-groups">
        {groups.length === 0 && <p className="muted small palette-empty">No node type matches “{search}”.</p>}
        {groups.map((g) => {
          const open = search.trim() !== '' || !collapsed.has(g.provider);
          return (
            <section key={g.provider} className="palette-group">
              <button
                type="button"
                className="palette-group-head"
                aria-expanded={open}
                onClick={() => setCollapsed((c) => { const n = new Set(c); if (n.has(g.provider)) n.delete(g.provider); else n.add(g.provider); return n; })}
              >
                <ProviderBadge provider={g.provider} title={g.title} size={20} />
                <span>{g.title}</span>
                <span className="muted small">{g.items.length}</span>
              </button>
              {open && (
                <ul className="palette-items">
                  {g.items.map((m) => {
                    const disabled = m.kind === 'trigger' && hasTrigger;
                    return (
                      <li key={m.id}>
                        <div
                          className={`palette-item${disabled ? ' disabled' : ''}`}
                          draggable={!disabled}
                          onDragStart={(e) => onDragStart(e, m)}
                          data-testid={`palette-item-${m.id}`}
                          title={disabled ? 'A bundle has one trigger: remove the current one first.' : (m.description ?? 'Drag onto the canvas, or press Enter')}
                          role="button"
                          tabIndex={disabled ? -1 : 0}
                          aria-disabled={disabled}
                          onKeyDown={(e) => {
                            if (!disabled && (e.key === 'Enter' || e.key === ' ')) {
                              e.preventDefault();
                              onAdd(m.id);
                            }
                          }}
                          onDoubleClick={() => !disabled && onAdd(m.id)}
                        >
                          <span className={`kind-dot kind-${m.kind}`} aria-hidden="true" />
                          <span className="palette-item-title">{m.title}</span>
                          <span className="palette-item-kind">{m.kind}</span>
                        </div>
                      </li>
                    );
                  })}
                </ul>
              )}
            </section>
          );
        })}
      </div>
    </aside>
  );
}
