// A floating panel at a point of the window, rendered on <body> so that no canvas transform or
// scrolling container clips it; kept inside the window; Escape or a click outside closes it.
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

export interface Anchor {
  /** Window coordinates of the element the popover belongs to. */
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function anchorOf(el: Element): Anchor {
  const r = el.getBoundingClientRect();
  return { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
}

const MARGIN = 8;

/** Where a box of `size` goes next to `anchor`: right of it, else left; moved up until it fits the window. */
export function placeBox(anchor: Anchor, size: { width: number; height: number }, win: { width: number; height: number }): { left: number; top: number } {
  let left = anchor.right + 6;
  if (left + size.width > win.width - MARGIN) left = Math.max(MARGIN, anchor.left - 6 - size.width);
  let top = anchor.top;
  if (top + size.height > win.height - MARGIN) top = Math.max(MARGIN, win.height - MARGIN - size.height);
  return { left, top };
}

export function Popover({ anchor, onClose, label, children, testId }: { anchor: Anchor; onClose: () => void; label: string; children: ReactNode; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState<{ left: number; top: number } | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setPlace(placeBox(anchor, { width: el.offsetWidth, height: el.offsetHeight }, { width: window.innerWidth, height: window.innerHeight }));
  }, [anchor]);
  useEffect(() => {
    const onDown = (e: PointerEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        onClose();
      }
    };
    document.addEventListener('pointerdown', onDown, true);
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('pointerdown', onDown, true);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [onClose]);
  return createPortal(
    <div
      ref={ref}
      className="popover"
      role="dialog"
      aria-label={label}
      data-testid={testId}
      // Measured first (hidden), then shown where it fits.
      style={place ? { left: place.left, top: place.top } : { left: anchor.right, top: anchor.top, visibility: 'hidden' }}
    >
      {children}
    </div>,
    document.body,
  );
}
