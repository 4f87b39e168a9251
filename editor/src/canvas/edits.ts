// Canvas edits as pure functions of the graph: a node added after a handle (wired), duplicates, disable.
import { DEFAULT_SOURCE_HANDLE, TARGET_HANDLE, edgeId, nextNodeId, type BundleEdge, type BundleNode } from './graph';

export const COLUMN = 300;
export const ROW = 130;
/** Two nodes closer than this (both axes) are taken to overlap. */
const NEAR = 60;

/**
 * Where a node added after `source`'s handle goes: one column to the right, at the handle's row
 * (handles of a branch spread above and below), moved down until no node is there.
 */
export function placeAfter(source: BundleNode, handleIndex: number, handleCount: number, nodes: BundleNode[]): { x: number; y: number } {
  const spread = handleCount > 1 ? (handleIndex - (handleCount - 1) / 2) * ROW : 0;
  const x = source.position.x + COLUMN;
  let y = source.position.y + spread;
  const taken = (py: number) => nodes.some((n) => Math.abs(n.position.x - x) < NEAR * 2 && Math.abs(n.position.y - py) < NEAR);
  // Bounded by the node count: each step passes at least one node.
  for (let i = 0; i <= nodes.length && taken(y); i++) y += ROW;
  return { x, y };
}

/** The edge from `source`'s handle into `target` (the default output when the handle is null). */
export function wire(source: string, handle: string | null, target: string): BundleEdge {
  const h = handle ?? DEFAULT_SOURCE_HANDLE;
  return { id: edgeId(source, h, target), source, target, sourceHandle: h, targetHandle: TARGET_HANDLE, ...(h !== DEFAULT_SOURCE_HANDLE ? { label: h } : {}) };
}

/** Adds `node` wired after `source`'s handle; the new node becomes the only selection. */
export function addAfter(state: { nodes: BundleNode[]; edges: BundleEdge[] }, source: string, handle: string | null, node: BundleNode) {
  return {
    nodes: [...state.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), { ...node, selected: true }],
    edges: [...state.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), wire(source, handle, node.id)],
  };
}

/**
 * Copies of `ids` (a trigger is never copied: a bundle has one), offset down and right, with fresh ids
 * and the edges between copied nodes; the copies become the selection.
 */
export function duplicate(state: { nodes: BundleNode[]; edges: BundleEdge[] }, ids: Set<string>, isTrigger: (type: string) => boolean) {
  const originals = state.nodes.filter((n) => ids.has(n.id) && !isTrigger(n.data.type));
  if (originals.length === 0) return state;
  const taken = state.nodes.map((n) => n.id);
  const renamed = new Map<string, string>();
  const copies: BundleNode[] = originals.map((n) => {
    const id = nextNodeId(n.data.type, taken);
    taken.push(id);
    renamed.set(n.id, id);
    return { id, type: n.type, position: { x: n.position.x + 40, y: n.position.y + 40 }, selected: true, data: structuredClone(n.data) };
  });
  const copiedEdges = state.edges
    .filter((e) => renamed.has(e.source) && renamed.has(e.target))
    .map((e) => wire(renamed.get(e.source)!, e.sourceHandle ?? null, renamed.get(e.target)!));
  return {
    nodes: [...state.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...copies],
    edges: [...state.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...copiedEdges],
  };
}

/** Turns a node off (passed through when the bundle runs) or on again. */
export function setDisabled(nodes: BundleNode[], id: string, disabled: boolean): BundleNode[] {
  return nodes.map((n) => {
    if (n.id !== id) return n;
    const { disabled: _was, ...data } = n.data;
    return { ...n, data: disabled ? { ...data, disabled: true } : data };
  });
}
