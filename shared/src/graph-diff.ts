// What changed between two graphs of a bundle (two versions, or a version and the draft): nodes added and
// removed, and per node kept the fields whose values differ (config fields, connection, label), plus wiring.
import type { FlowGraph, GraphEdge, GraphNode } from './graph.js';

export interface FieldChange {
  /** `config.body`, `connectionId`, `label`, `type`. */
  field: string;
  before: unknown;
  after: unknown;
}

export interface GraphDiff {
  added: GraphNode[];
  removed: GraphNode[];
  changed: Array<{ nodeId: string; type: string; fields: FieldChange[] }>;
  edgesAdded: GraphEdge[];
  edgesRemoved: GraphEdge[];
}

/** JSON equality for config values (key order ignored). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const edgeKey = (e: GraphEdge) => `${e.source}\u0000${e.target}\u0000${e.sourceHandle ?? ''}`;

function nodeChanges(before: GraphNode, after: GraphNode): FieldChange[] {
  const out: FieldChange[] = [];
  for (const field of ['type', 'connectionId', 'label'] as const) {
    if (!same(before[field] ?? null, after[field] ?? null)) out.push({ field, before: before[field] ?? null, after: after[field] ?? null });
  }
  const keys = [...new Set([...Object.keys(before.config ?? {}), ...Object.keys(after.config ?? {})])].sort();
  for (const k of keys) {
    const b = before.config?.[k];
    const a = after.config?.[k];
    if (!same(b, a)) out.push({ field: `config.${k}`, before: b ?? null, after: a ?? null });
  }
  return out;
}

/** The changes from `before` to `after`; positions on the canvas are not changes. */
export function diffGraphs(before: FlowGraph, after: FlowGraph): GraphDiff {
  const old = new Map(before.nodes.map((n) => [n.id, n]));
  const now = new Map(after.nodes.map((n) => [n.id, n]));
  const changed: GraphDiff['changed'] = [];
  for (const n of after.nodes) {
    const prev = old.get(n.id);
    if (!prev) continue;
    const fields = nodeChanges(prev, n);
    if (fields.length) changed.push({ nodeId: n.id, type: n.type, fields });
  }
  const oldEdges = new Set(before.edges.map(edgeKey));
  const newEdges = new Set(after.edges.map(edgeKey));
  return {
    added: after.nodes.filter((n) => !old.has(n.id)),
    removed: before.nodes.filter((n) => !now.has(n.id)),
    changed,
    edgesAdded: after.edges.filter((e) => !oldEdges.has(edgeKey(e))),
    edgesRemoved: before.edges.filter((e) => !newEdges.has(edgeKey(e))),
  };
}

export function isEmptyDiff(d: GraphDiff): boolean {
  return !d.added.length && !d.removed.length && !d.changed.length && !d.edgesAdded.length && !d.edgesRemoved.length;
}
