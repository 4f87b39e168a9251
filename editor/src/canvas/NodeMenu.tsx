// The menu of one node on the canvas: duplicate, disable or enable, delete (also from the keyboard).
import { useEffect, useRef } from 'react';
import { Popover, type Anchor } from './Popover';

export interface NodeMenuItem {
  id: string;
  label: string;
  shortcut?: string;
  danger?: boolean;
  /** Why it cannot be chosen, shown instead of running it. */
  unavailable?: string;
  onSelect: () => void;
}

export function NodeMenu({ anchor, nodeId, items, onClose }: { anchor: Anchor; nodeId: string; items: NodeMenuItem[]; onClose: () => void }) {
  const list = useRef<HTMLDivElement>(null);
  const focusAt = (i: number) => {
    const els = list.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not([disabled])');
    if (els && els.length > 0) els[(i + els.length) % els.length]?.focus();
  };
  useEffect(() => focusAt(0), []);
  return (
    <Popover anchor={anchor} onClose={onClose} label={`Menu of ${nodeId}`} testId={`node-menu-${nodeId}`}>
      <div
        className="menu menu-popover"
        role="menu"
        ref={list}
        onKeyDown={(e) => {
          const els = Array.from(list.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not([disabled])') ?? []);
          const at = els.indexOf(document.activeElement as HTMLButtonElement);
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            focusAt(at + 1);
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            focusAt(at - 1);
          }
        }}
      >
        {items.map((it) => (
          <button
            key={it.id}
            type="button"
            role="menuitem"
            className={it.danger ? 'danger' : undefined}
            disabled={it.unavailable !== undefined}
            title={it.unavailable}
            data-testid={`node-menu-${it.id}`}
            onClick={() => {
              onClose();
              it.onSelect();
            }}
          >
            <span>{it.label}</span>
            {it.shortcut && <kbd className="menu-shortcut">{it.shortcut}</kbd>}
          </button>
        ))}
      </div>
    </Popover>
  );
}
