// Validation of a flow graph on save and on start: shape, one trigger, no cycles, configs, connections, template references.
import { z } from 'zod';
import {
  collectStrings,
  flowGraphSchema,
  isTemplate,
  outputFieldPresent,
  templateReferences,
  type FlowGraph,
  type FlowIssue,
  type GraphNode,
  type JsonSchema,
} from '@bundles/shared';
import { connectionProvidersOf, connectionUse, getNodeType, toJsonSchema, withTemplateDefaults, type NodeDefinition } from '@bundles/nodes';
import { templateSyntaxError } from './templates.js';
import { loopBodies, loopIssues, loopOwners } from './for-each.js';

export interface ConnectionRef {
  id: string;
  provider: string;
}

const outputSchemaCache = new Map<string, JsonSchema>();
/** A node's config with its schema's defaults (a switch left off is absent from the graph); as given when it does not parse. */
function configWithDefaults(node: NodeDefinition, config: Record<string, unknown>): Record<string, unknown> {
  const parsed = node.config.safeParse(config);
  return parsed.success && typeof parsed.data === 'object' && parsed.data !== null ? (parsed.data as Record<string, unknown>) : config;
}

/** The title a config field shows in the inspector, else its name. */
function configTitle(node: NodeDefinition, field: string): string {
  const props = (toJsonSchema(node.config, 'input') as { properties?: Record<string, { title?: string }> }).properties;
  return props?.[field]?.title ?? field;
}

function outputSchemaOf(node: NodeDefinition): JsonSchema {
  let s = outputSchemaCache.get(node.id);
  if (!s) {
    s = toJsonSchema(node.output, 'output');
    outputSchemaCache.set(node.id, s);
  }
  return s;
}

/** Whether a JSON Schema admits the property path (Liquid's `size`, `first`, `last` included). */
export function schemaHasPath(schema: JsonSchema | boolean | undefined, path: Array<string | number>): boolean {
  if (path.length === 0) return true;
  if (schema === undefined || schema === true) return true;
  if (schema === false) return false;
  const [head, ...rest] = path;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const branches = schema[key] as JsonSchema[] | undefined;
    if (branches) return branches.some((b) => schemaHasPath(b, path));
  }
  const type = schema.type as string | string[] | undefined;
  const types = Array.isArray(type) ? type : type ? [type] : [];
  if (types.length === 0 && !schema.properties && !schema.items) return true; // any
  if (head === 'size' && (types.includes('array') || types.includes('string') || types.includes('object'))) return rest.length === 0;
  if (types.includes('array')) {
    if (typeof head === 'number' || head === 'first' || head === 'last' || /^\d+$/.test(String(head))) {
      return schemaHasPath(schema.items as JsonSchema | undefined, rest);
    }
    return false;
  }
  if (types.includes('object') || schema.properties) {
    const props = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const key = String(head);
    if (key in props) return schemaHasPath(props[key], rest);
    const extra = schema.additionalProperties as JsonSchema | boolean | undefined;
    if (extra === undefined || extra === false) return false;
    return schemaHasPath(extra, rest);
  }
  return false;
}

function formatPath(path: PropertyKey[]): string {
  return path.map(String).join('.');
}

function getAt(value: unknown, path: PropertyKey[]): unknown {
  let cur = value;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p as string];
  }
  return cur;
}

/** Issues of one node's config against its schema; values that are templates are checked at run time instead. */
function configIssues(node: GraphNode, def: NodeDefinition): FlowIssue[] {
  const result = (def.config as z.ZodType).safeParse(node.config);
  if (result.success) return [];
  const issues: FlowIssue[] = [];
  for (const issue of result.error.issues) {
    // A templated value (or one inside a templated parent) is only known at run time.
    let templated = false;
    for (let i = issue.path.length; i >= 0 && !templated; i--) {
      const v = getAt(node.config, issue.path.slice(0, i));
      if (typeof v === 'string' && isTemplate(v)) templated = true;
    }
    if (templated) continue;
    const field = formatPath(issue.path);
    const value = getAt(node.config, issue.path);
    const message = value === undefined && issue.code === 'invalid_type' ? 'is required' : issue.message;
    issues.push({ nodeId: node.id, ...(field ? { field } : {}), message });
  }
  return issues;
}

function ancestorsOf(graph: FlowGraph): Map<string, Set<string>> {
  const parents = new Map<string, string[]>();
  for (const e of graph.edges) parents.set(e.target, [...(parents.get(e.target) ?? []), e.source]);
  // A backward search per node: graphs are small, and cycles cannot cut it short.
  const out = new Map<string, Set<string>>();
  for (const n of graph.nodes) {
    const seen = new Set<string>();
    const stack = [...(parents.get(n.id) ?? [])];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(parents.get(id) ?? []));
    }
    out.set(n.id, seen);
  }
  return out;
}

function findCycle(graph: FlowGraph): string | null {
  const children = new Map<string, string[]>();
  for (const e of graph.edges) children.set(e.source, [...(children.get(e.source) ?? []), e.target]);
  const state = new Map<string, 1 | 2>();
  const dfs = (id: string): string | null => {
    state.set(id, 1);
    for (const c of children.get(id) ?? []) {
      if (state.get(c) === 1) return c;
      if (!state.has(c)) {
        const found = dfs(c);
        if (found) return found;
      }
    }
    state.set(id, 2);
    return null;
  };
  for (const n of graph.nodes) if (!state.has(n.id)) {
    const found = dfs(n.id);
    if (found) return found;
  }
  return null;
}

function referenceIssues(node: GraphNode, graph: FlowGraph, ancestors: Set<string>, triggerId: string | undefined, loopOwner: Map<string, string>): FlowIssue[] {
  const issues: FlowIssue[] = [];
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  for (const { path, value } of collectStrings(node.config)) {
    if (!isTemplate(value)) continue;
    const field = path.join('.');
    const syntax = templateSyntaxError(value);
    if (syntax) {
      issues.push({ nodeId: node.id, field, message: `template error: ${syntax}` });
      continue;
    }
    let refs: Array<Array<string | number>>;
    try {
      refs = templateReferences(value);
    } catch (err) {
      issues.push({ nodeId: node.id, field, message: `template error: ${(err as Error).message}` });
      continue;
    }
    for (const ref of refs) {
      const [root, ...rest] = ref;
      const shown = ref.join('.');
      if (root === 'trigger') {
        const trigger = triggerId ? byId.get(triggerId) : undefined;
        const def = trigger ? getNodeType(trigger.type) : undefined;
        if (!def || node.id === triggerId) {
          issues.push({ nodeId: node.id, field, message: `{{ ${shown} }}: there is no trigger before this node` });
        } else if (!schemaHasPath(outputSchemaOf(def), rest)) {
          issues.push({ nodeId: node.id, field, message: `{{ ${shown} }}: the trigger "${def.title}" has no field ${rest.join('.')}` });
        } else if (def.kind === 'trigger' && typeof rest[0] === 'string' && !outputFieldPresent(def.outputWhen, rest[0], configWithDefaults(def, trigger!.config))) {
          const needs = Object.keys(def.outputWhen![rest[0]]!).map((k) => `“${configTitle(def, k)}”`).join(' and ');
          issues.push({ nodeId: node.id, field, message: `{{ ${shown} }}: the trigger "${def.title}" has ${rest[0]} only with ${needs} on: turn it on, or map another field` });
        }
      } else if (root === 'steps') {
        const [stepId, ...stepPath] = rest;
        const source = typeof stepId === 'string' ? byId.get(stepId) : undefined;
        const def = source ? getNodeType(source.type) : undefined;
        if (!source || !def) {
          issues.push({ nodeId: node.id, field, message: `{{ ${shown} }}: there is no node "${String(stepId)}"` });
        } else if (loopOwner.has(source.id) && loopOwner.get(source.id) !== loopOwner.get(node.id)) {
          issues.push({ nodeId: node.id, field, message: `{{ ${shown} }}: "${source.id}" runs once per item of "${loopOwner.get(source.id)}"; read that for-each's output instead` });
        } else if (!ancestors.has(source.id) || source.id === triggerId) {
          issues.push({ nodeId: node.id, field, message: `{{ ${shown} }}: node "${source.id}" does not run before this node` });
        } else if (!schemaHasPath(outputSchemaOf(def), stepPath)) {
          issues.push({ nodeId: node.id, field, message: `{{ ${shown} }}: "${source.id}" (${def.title}) has no output field ${stepPath.join('.')}` });
        }
      } else if (root === 'item' || root === 'index') {
        if (!loopOwner.has(node.id)) issues.push({ nodeId: node.id, field, message: `{{ ${shown} }}: there is an ${root} only in the steps after a for-each’s “item” handle` });
      } else {
        issues.push({ nodeId: node.id, field, message: `{{ ${shown} }}: unknown variable; use trigger.… or steps.<node id>.…` });
      }
    }
  }
  return issues;
}

/** All issues of a graph; an empty list means it can be saved and started. */
export function validateGraph(input: unknown, connections: ConnectionRef[]): { graph: FlowGraph | null; issues: FlowIssue[] } {
  const parsed = flowGraphSchema.safeParse(input);
  if (!parsed.success) {
    return {
      graph: null,
      issues: parsed.error.issues.map((i) => {
        const [, index, ...rest] = i.path;
        const nodes = (input as { nodes?: Array<{ id?: unknown }> })?.nodes;
        const nodeId = i.path[0] === 'nodes' && typeof index === 'number' ? nodes?.[index]?.id : undefined;
        return {
          ...(typeof nodeId === 'string' ? { nodeId } : {}),
          field: formatPath(typeof nodeId === 'string' ? rest : i.path),
          message: i.message,
        };
      }),
    };
  }
  const graph = parsed.data;
  const issues: FlowIssue[] = [];
  const ids = new Set<string>();
  for (const n of graph.nodes) {
    if (ids.has(n.id)) issues.push({ nodeId: n.id, field: 'id', message: `two nodes are named "${n.id}"` });
    ids.add(n.id);
  }
  const defs = new Map<string, NodeDefinition>();
  for (const n of graph.nodes) {
    const def = getNodeType(n.type);
    if (!def) issues.push({ nodeId: n.id, field: 'type', message: `unknown node type "${n.type}"` });
    else defs.set(n.id, def);
  }
  const triggers = graph.nodes.filter((n) => defs.get(n.id)?.kind === 'trigger');
  if (triggers.length === 0) issues.push({ message: 'a bundle needs exactly one trigger: add one from the palette' });
  for (const extra of triggers.slice(1)) issues.push({ nodeId: extra.id, message: 'a bundle has exactly one trigger: remove this one' });
  const triggerId = triggers[0]?.id;

  for (const e of graph.edges) {
    const source = graph.nodes.find((n) => n.id === e.source);
    const target = graph.nodes.find((n) => n.id === e.target);
    if (!source) issues.push({ message: `an edge starts at "${e.source}", which does not exist` });
    if (!target) issues.push({ message: `an edge ends at "${e.target}", which does not exist` });
    if (!source || !target) continue;
    if (defs.get(target.id)?.kind === 'trigger') issues.push({ nodeId: target.id, message: 'a trigger has no input: remove the edge into it' });
    const sourceDef = defs.get(source.id);
    const handles = sourceDef?.kind === 'action' ? (sourceDef.handles ?? []) : [];
    if (handles.length > 0 && (!e.sourceHandle || !handles.includes(e.sourceHandle))) {
      issues.push({ nodeId: source.id, field: 'sourceHandle', message: `connect from one of the handles ${handles.join(', ')}` });
    } else if (handles.length === 0 && e.sourceHandle) {
      issues.push({ nodeId: source.id, field: 'sourceHandle', message: `this node has no handle "${e.sourceHandle}"` });
    }
  }
  const cycleAt = findCycle(graph);
  if (cycleAt) issues.push({ nodeId: cycleAt, message: 'the bundle has a cycle through this node: remove an edge' });

  issues.push(...loopIssues(graph));
  const loopOwner = loopOwners(loopBodies(graph));
  const ancestors = ancestorsOf(graph);
  const connectionById = new Map(connections.map((c) => [c.id, c]));
  for (const given of graph.nodes) {
    const def = defs.get(given.id);
    if (!def) continue;
    // Checked as it will run: an empty field that has a template default takes it (ActionDefinition.templateDefaults).
    const n = def.kind === 'action' && def.templateDefaults ? { ...given, config: withTemplateDefaults(def, given.config) } : given;
    if (triggerId && n.id !== triggerId && !ancestors.get(n.id)?.has(triggerId)) {
      issues.push({ nodeId: n.id, message: 'not connected to the trigger: it would never run' });
    }
    if (n.disabled) {
      // A disabled action is passed through as it is: half-built settings do not keep the rest from starting.
      if (def.kind === 'trigger') issues.push({ nodeId: n.id, field: 'disabled', message: 'a trigger cannot be disabled: stop the bundle instead' });
      continue;
    }
    const use = connectionUse(def);
    const accepted = connectionProvidersOf(def);
    const wanted = accepted.join(' or ');
    if (use !== 'none') {
      const conn = n.connectionId ? connectionById.get(n.connectionId) : undefined;
      if (!n.connectionId) {
        if (use === 'required') issues.push({ nodeId: n.id, field: 'connectionId', message: `choose a ${wanted} connection` });
      } else if (!conn) issues.push({ nodeId: n.id, field: 'connectionId', message: 'this connection does not exist (deleted?): choose another' });
      else if (!accepted.includes(conn.provider)) {
        issues.push({ nodeId: n.id, field: 'connectionId', message: `needs a ${wanted} connection, not ${conn.provider}` });
      }
    }
    issues.push(...configIssues(n, def));
    if (def.kind === 'action' && def.check) {
      for (const issue of def.check(n.config)) issues.push({ nodeId: n.id, ...(issue.field ? { field: issue.field } : {}), message: issue.message });
    }
    issues.push(...referenceIssues(n, graph, ancestors.get(n.id) ?? new Set(), triggerId, loopOwner));
  }
  return { graph, issues };
}
