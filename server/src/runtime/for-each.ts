// The shape of core.for_each in a graph: which nodes are a loop's body (run once per element), and the
// rules that keep a body well formed. The executor runs the bodies (execute.ts, RunWalk.forEach).
import { DONE_HANDLE, FOR_EACH_TYPE, ITEM_HANDLE, WAIT_FOR_REPLY } from '@bundles/nodes';
import type { FlowGraph, GraphNode } from '@bundles/shared';

export interface LoopBody {
  /** The body's nodes in the version's run order. */
  nodes: GraphNode[];
  ids: Set<string>;
}

/** An element's copy of a body node is stored as its own step: `post[3]` is node `post` for element 3. */
export const elementStepId = (nodeId: string, index: number) => `${nodeId}[${index}]`;

/** The node a step is of: `post[3]` → `post` (node ids hold no `[`: shared/src/graph.ts). */
export function stepNodeId(stepId: string): string {
  const open = stepId.indexOf('[');
  return open < 0 ? stepId : stepId.slice(0, open);
}

function childrenOf(graph: FlowGraph): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const e of graph.edges) children.set(e.source, [...(children.get(e.source) ?? []), e.target]);
  return children;
}

/** Every node reached from the edges of `loopId`'s handle (the loop itself excluded). */
function reachedFrom(graph: FlowGraph, children: Map<string, string[]>, loopId: string, handle: string): Set<string> {
  const ids = new Set<string>();
  const stack = graph.edges.filter((e) => e.source === loopId && e.sourceHandle === handle).map((e) => e.target);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (ids.has(id) || id === loopId) continue;
    ids.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return ids;
}

/** Each for-each's body: everything reached from its `item` handle. */
export function loopBodies(graph: FlowGraph, order: GraphNode[] = graph.nodes): Map<string, LoopBody> {
  const children = childrenOf(graph);
  const loops = new Map<string, LoopBody>();
  for (const node of graph.nodes) {
    if (node.type !== FOR_EACH_TYPE) continue;
    const ids = reachedFrom(graph, children, node.id, ITEM_HANDLE);
    loops.set(node.id, { nodes: order.filter((n) => ids.has(n.id)), ids });
  }
  return loops;
}

/** Body node → its for-each. */
export function loopOwners(loops: Map<string, LoopBody>): Map<string, string> {
  const owners = new Map<string, string>();
  for (const [loopId, body] of loops) for (const id of body.ids) owners.set(id, loopId);
  return owners;
}

/** What keeps a for-each from running as drawn: a body fed from outside, shared with `done`, or nested. */
export function loopIssues(graph: FlowGraph): Array<{ nodeId: string; message: string }> {
  const loops = loopBodies(graph);
  const children = childrenOf(graph);
  const issues: Array<{ nodeId: string; message: string }> = [];
  for (const [loopId, body] of loops) {
    const afterDone = reachedFrom(graph, children, loopId, DONE_HANDLE);
    for (const node of body.nodes) {
      if (node.type === FOR_EACH_TYPE) issues.push({ nodeId: node.id, message: `a for-each inside the item steps of "${loopId}" is not supported: move it after "done"` });
      if (node.type === WAIT_FOR_REPLY) issues.push({ nodeId: node.id, message: `waiting for a reply inside the item steps of "${loopId}" is not supported: wait before the for-each or after "done"` });
      if (afterDone.has(node.id)) issues.push({ nodeId: node.id, message: `runs both once per item of "${loopId}" and after its "done": wire it from one of them` });
      const outside = graph.edges.filter((e) => e.target === node.id && !body.ids.has(e.source) && !(e.source === loopId && e.sourceHandle === ITEM_HANDLE));
      for (const e of outside) issues.push({ nodeId: node.id, message: `runs once per item of "${loopId}", so it cannot also follow "${e.source}", which is outside the loop` });
    }
  }
  return issues;
}
