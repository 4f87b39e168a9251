// Flow versions are immutable: each is loaded once per process and kept with its walk order.
import type pg from 'pg';
import type { FlowGraph, GraphNode } from '@bundles/shared';
import { effectOf, getNodeType, isIdempotent, withTemplateDefaults, type NodeDefinition } from '@bundles/nodes';
import { loopBodies, loopOwners, type LoopBody } from './for-each.js';

export interface PreparedVersion {
  id: string;
  flowId: string;
  workspaceId: string;
  graph: FlowGraph;
  trigger: GraphNode;
  /** Nodes in topological order, trigger first. */
  order: GraphNode[];
  defs: Map<string, NodeDefinition>;
  incoming: Map<string, Array<{ source: string; handle: string | null }>>;
  /** Each core.for_each's body (run once per element), and body node → its for-each. */
  loops: Map<string, LoopBody>;
  loopOwner: Map<string, string>;
}

export function prepareVersion(id: string, flowId: string, workspaceId: string, graph: FlowGraph): PreparedVersion {
  const defs = new Map<string, NodeDefinition>();
  for (const n of graph.nodes) {
    const def = getNodeType(n.type);
    if (!def) throw new Error(`unknown node type ${n.type} in version ${id}`);
    defs.set(n.id, def);
  }
  // Empty fields with a template default take it once here, not per event.
  graph = { ...graph, nodes: graph.nodes.map((n) => ({ ...n, config: withTemplateDefaults(defs.get(n.id)!, n.config) })) };
  const trigger = graph.nodes.find((n) => defs.get(n.id)?.kind === 'trigger');
  if (!trigger) throw new Error(`version ${id} has no trigger`);
  const incoming = new Map<string, Array<{ source: string; handle: string | null }>>();
  const outDegree = new Map<string, string[]>();
  for (const e of graph.edges) {
    incoming.set(e.target, [...(incoming.get(e.target) ?? []), { source: e.source, handle: e.sourceHandle ?? null }]);
    outDegree.set(e.source, [...(outDegree.get(e.source) ?? []), e.target]);
  }
  // Kahn's algorithm from the trigger; unreachable nodes never run.
  const indegree = new Map(graph.nodes.map((n) => [n.id, (incoming.get(n.id) ?? []).length]));
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const queue = [trigger.id];
  const order: GraphNode[] = [];
  const seen = new Set<string>();
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    order.push(byId.get(id)!);
    for (const child of outDegree.get(id) ?? []) {
      const left = (indegree.get(child) ?? 1) - 1;
      indegree.set(child, left);
      if (left <= 0) queue.push(child);
    }
  }
  const loops = loopBodies(graph, order);
  return { id, flowId, workspaceId, graph, trigger, order, defs, incoming, loops, loopOwner: loopOwners(loops) };
}

export class VersionCache {
  private cache = new Map<string, Promise<PreparedVersion>>();
  constructor(private pool: pg.Pool) {}

  get(id: string): Promise<PreparedVersion> {
    let hit = this.cache.get(id);
    if (!hit) {
      hit = this.pool
        .query({ name: 'version_by_id', text: 'select id, flow_id, workspace_id, graph from flow_versions where id = $1', values: [id] })
        .then(({ rows }) => {
          const row = rows[0];
          if (!row) throw new Error(`flow version ${id} not found`);
          return prepareVersion(row.id, row.flow_id, row.workspace_id, row.graph);
        });
      hit.catch(() => this.cache.delete(id));
      this.cache.set(id, hit);
    }
    return hit;
  }
}

/**
 * The write a new run attempts first, when nothing runs before it (the trigger's first child, after a
 * trigger that loads nothing) and an unknown outcome of it is settled without a person (it can be looked
 * up, or repeated). Its attempt can then be journaled by the ingest statement that creates the run: a
 * journal entry written a little early only costs a lookup after a crash, and saves a statement per run.
 */
export function ingestJournaledWrite(version: PreparedVersion, triggerConfig: Record<string, unknown>): { nodeId: string } | null {
  const trigger = version.defs.get(version.trigger.id);
  if (trigger?.kind !== 'trigger' || (trigger.load && trigger.loads?.(triggerConfig) !== false)) return null;
  const first = version.order[1];
  const def = first ? version.defs.get(first.id) : undefined;
  if (!first || first.disabled || def?.kind !== 'action') return null;
  if (!(version.incoming.get(first.id) ?? []).some((p) => p.source === version.trigger.id)) return null;
  // Judged on the node's own config: a templated value that decides the effect (rare) keeps the usual journal.
  const config = def.config.safeParse(first.config);
  if (!config.success || effectOf(def, config.data) !== 'write') return null;
  return def.reconcile || isIdempotent(def, config.data) ? { nodeId: first.id } : null;
}
