// The editor's keyboard shortcuts (listed for users in ShortcutsOverlay); Delete is React Flow's own.
import { useEffect, useRef } from 'react';

export interface EditorKeyActions {
  save: () => void;
  undo: () => void;
  redo: () => void;
  duplicate: () => void;
  help: () => void;
}

export function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return Boolean(el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)));
}

/** Which action a key press asks for, if any (Ctrl+S works while typing; the others do not take over a field). */
export function actionOfKey(e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>, typing: boolean): keyof EditorKeyActions | null {
  const mod = e.ctrlKey || e.metaKey;
  const k = e.key.toLowerCase();
  if (mod && k === 's') return 'save';
  if (typing || e.altKey) return null;
  if (!mod) return e.key === '?' ? 'help' : null;
  if (k === 'z') return e.shiftKey ? 'redo' : 'undo';
  if (k === 'y') return 'redo';
  if (k === 'd') return 'duplicate';
  return null;
}

export function useEditorKeys(actions: EditorKeyActions): void {
  const ref = useRef(actions);
  ref.current = actions;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // A dialog open above the canvas keeps its keys.
      if (document.querySelector('.modal-backdrop')) return;
      const action = actionOfKey(e, isTyping(e.target));
      if (!action) return;
      e.preventDefault();
      ref.current[action]();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
