import type { Edge, Node } from '@xyflow/react';
import type { Graph, GraphEdge, NodeManifest } from '../api/types';

/** What a canvas node carries: plain JSON, exactly what the graph saves. */
export type BundleNodeData = {
  type: string;
  config: Record<string, unknown>;
  connectionId: string | null;
  label?: string;
  /** Passed through when the bundle runs (see the node menu). */
  disabled?: boolean;
};

export type BundleNode = Node<BundleNodeData, 'bundle'>;
export type BundleEdge = Edge;

/** Handle ids for nodes whose manifest declares no named outputs. */
export const DEFAULT_SOURCE_HANDLE = 'out';
export const TARGET_HANDLE = 'in';

export function edgeId(source: string, sourceHandle: string | null | undefined, target: string): string {
  return `e_${source}_${sourceHandle ?? DEFAULT_SOURCE_HANDLE}_${target}`;
}

export function graphToCanvas(graph: Graph, manifests: Map<string, NodeManifest>): { nodes: BundleNode[]; edges: BundleEdge[] } {
  const nodes: BundleNode[] = graph.nodes.map((n) => ({
    id: n.id,
    type: 'bundle',
    position: { x: n.position?.x ?? 0, y: n.position?.y ?? 0 },
    data: { type: n.type, config: n.config ?? {}, connectionId: n.connectionId ?? null, ...(n.label ? { label: n.label } : {}), ...(n.disabled ? { disabled: true } : {}) },
  }));
  const typeOf = new Map(graph.nodes.map((n) => [n.id, n.type]));
  const edges: BundleEdge[] = graph.edges.map((e) => {
    const handles = manifests.get(typeOf.get(e.source) ?? '')?.handles ?? [];
    const sourceHandle = e.sourceHandle ?? (handles.length === 0 ? DEFAULT_SOURCE_HANDLE : null);
    return {
      id: e.id ?? edgeId(e.source, sourceHandle, e.target),
      source: e.source,
      target: e.target,
      sourceHandle,
      targetHandle: TARGET_HANDLE,
      ...(sourceHandle && sourceHandle !== DEFAULT_SOURCE_HANDLE ? { label: sourceHandle } : {}),
    };
  });
  return { nodes, edges };
}

export function canvasToGraph(nodes: BundleNode[], edges: BundleEdge[]): Graph {
  return {
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.data.type,
      connectionId: n.data.connectionId ?? null,
      config: n.data.config,
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
      ...(n.data.label ? { label: n.data.label } : {}),
      ...(n.data.disabled ? { disabled: true } : {}),
    })),
    edges: edges.map(
      (e): GraphEdge => ({
        id: e.id,
        source: e.source,
        target: e.target,
        sourceHandle: e.sourceHandle && e.sourceHandle !== DEFAULT_SOURCE_HANDLE ? e.sourceHandle : null,
      }),
    ),
  };
}

/** A readable node id from its type (`twilio.send_sms` → `send_sms`, then `send_sms_2`): templates use it. */
export function nextNodeId(type: string, existing: Iterable<string>): string {
  const taken = new Set(existing);
  const base = (type.split('.').pop() ?? 'node').replace(/[^A-Za-z0-9_]/g, '_').toLowerCase() || 'node';
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const id = `${base}_${i}`;
    if (!taken.has(id)) return id;
  }
}

/** True when an edge source → target would close a cycle. */
export function createsCycle(source: string, target: string, edges: Pick<GraphEdge, 'source' | 'target'>[]): boolean {
  if (source === target) return true;
  const stack = [target];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (id === source) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of edges) if (e.source === id) stack.push(e.target);
  }
  return false;
}

/** Layered layout: each node's column is its longest distance from a root; rows keep the current vertical order. */
export function layoutGraph<N extends { id: string; position: { x: number; y: number } }>(
  nodes: N[],
  edges: Pick<GraphEdge, 'source' | 'target'>[],
  opts: { columnWidth?: number; rowHeight?: number } = {},
): N[] {
  const columnWidth = opts.columnWidth ?? 300;
  const rowHeight = opts.rowHeight ?? 130;
  const depth = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  // Longest path by relaxation; bounded by node count so a cycle cannot loop forever.
  for (let i = 0; i < nodes.length; i++) {
    let changed = false;
    for (const e of edges) {
      const d = (depth.get(e.source) ?? 0) + 1;
      if (depth.has(e.target) && d > (depth.get(e.target) ?? 0)) {
        depth.set(e.target, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const columns = new Map<number, N[]>();
  for (const n of nodes) {
    const d = depth.get(n.id) ?? 0;
    columns.set(d, [...(columns.get(d) ?? []), n]);
  }
  const positions = new Map<string, { x: number; y: number }>();
  for (const [d, col] of columns) {
    col.sort((a, b) => a.position.y - b.position.y);
    const offset = ((col.length - 1) * rowHeight) / 2;
    col.forEach((n, i) => positions.set(n.id, { x: d * columnWidth, y: i * rowHeight - offset }));
  }
  return nodes.map((n) => ({ ...n, position: positions.get(n.id) ?? n.position }));
}

/** Node types in flow order (trigger first, then by depth), for the bundle list's provider icons. */
export function orderedTypes(graph: Graph | undefined, manifests: Map<string, NodeManifest>): string[] {
  if (!graph) return [];
  const laid = layoutGraph(graph.nodes, graph.edges);
  return laid
    .slice()
    .sort((a, b) => {
      const ta = manifests.get(a.type)?.kind === 'trigger' ? 0 : 1;
      const tb = manifests.get(b.type)?.kind === 'trigger' ? 0 : 1;
      return ta - tb || a.position.x - b.position.x || a.position.y - b.position.y;
    })
    .map((n) => n.type);
}
