import { useCallback, useRef, useState } from 'react';
import type { BundleEdge, BundleNode } from './graph';

export interface Snapshot {
  nodes: BundleNode[];
  edges: BundleEdge[];
}

const LIMIT = 100;
const COALESCE_MS = 1200;

/**
 * The canvas graph with undo/redo. `record()` is called before a change; typing in one field
 * coalesces into one step (same key within a short time).
 */
export function useFlowHistory(initial: Snapshot) {
  const [state, setStateRaw] = useState<Snapshot>(initial);
  const current = useRef(state);
  const past = useRef<Snapshot[]>([]);
  const future = useRef<Snapshot[]>([]);
  const last = useRef<{ key: string; at: number } | null>(null);
  const [, bump] = useState(0);

  const setState = useCallback((next: Snapshot | ((s: Snapshot) => Snapshot)) => {
    const value = typeof next === 'function' ? next(current.current) : next;
    current.current = value;
    setStateRaw(value);
  }, []);

  const record = useCallback((key?: string) => {
    const now = Date.now();
    if (key && last.current && last.current.key === key && now - last.current.at < COALESCE_MS) {
      last.current.at = now;
      return;
    }
    last.current = key ? { key, at: now } : null;
    past.current = [...past.current.slice(-LIMIT + 1), current.current];
    future.current = [];
    bump((n) => n + 1);
  }, []);

  /** Applies a change as one undoable step. */
  const commit = useCallback(
    (next: (s: Snapshot) => Snapshot, key?: string) => {
      record(key);
      setState(next);
    },
    [record, setState],
  );

  const strip = (s: Snapshot): Snapshot => ({
    nodes: s.nodes.map((n) => ({ ...n, selected: false })),
    edges: s.edges.map((e) => ({ ...e, selected: false })),
  });

  const undo = useCallback(() => {
    const prev = past.current.at(-1);
    if (!prev) return;
    past.current = past.current.slice(0, -1);
    future.current = [...future.current, current.current];
    last.current = null;
    setState(strip(prev));
    bump((n) => n + 1);
  }, [setState]);

  const redo = useCallback(() => {
    const next = future.current.at(-1);
    if (!next) return;
    future.current = future.current.slice(0, -1);
    past.current = [...past.current, current.current];
    last.current = null;
    setState(strip(next));
    bump((n) => n + 1);
  }, [setState]);

  const reset = useCallback(
    (s: Snapshot) => {
      past.current = [];
      future.current = [];
      last.current = null;
      setState(s);
      bump((n) => n + 1);
    },
    [setState],
  );

  return {
    nodes: state.nodes,
    edges: state.edges,
    current,
    setState,
    record,
    commit,
    undo,
    redo,
    reset,
    canUndo: past.current.length > 0,
    canRedo: future.current.length > 0,
  };
}
