import { outputFieldPresent } from '@bundles/shared/manifest';
import type { GraphEdge, JsonSchema, NodeManifest } from '../api/types';
import { unwrapSchema } from './schemaFields';

/** A path segment: a property name, or an array index. */
export type Segment = string | number;

export interface SchemaPath {
  segments: Segment[];
  type: string;
  title?: string;
  description?: string;
}

function typeName(schema: JsonSchema): string {
  const s = unwrapSchema(schema);
  if (Array.isArray(s.type)) return s.type.filter((t) => t !== 'null').join(' | ') || 'any';
  if (s.type) return s.type;
  if (s.properties) return 'object';
  if (s.enum) return typeof s.enum[0];
  return 'any';
}

function valueType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

/**
 * The paths inside a recorded value (an event's body that the schema leaves open): bounded in depth and keys,
 * parents before children.
 */
export function valuePaths(value: unknown, prefix: Segment[], maxDepth = 3, maxKeys = 50): SchemaPath[] {
  const out: SchemaPath[] = [];
  const walk = (v: unknown, segments: Segment[], depth: number) => {
    if (depth >= maxDepth || v === null || typeof v !== 'object') return;
    const entries: Array<[Segment, unknown]> = Array.isArray(v) ? (v.length > 0 ? [[0, v[0]]] : []) : Object.entries(v).slice(0, maxKeys);
    for (const [k, child] of entries) {
      const at = [...segments, k];
      out.push({ segments: at, type: valueType(child) });
      walk(child, at, depth + 1);
    }
  };
  walk(value, prefix, 0);
  return out;
}

/** The schema's paths, and under each part it leaves open (`any`) the paths the recorded value has there. */
function pathsWithValues(schema: JsonSchema | undefined, value: unknown): SchemaPath[] {
  const declared = schemaPaths(schema);
  if (value === undefined) return declared;
  const open = (p: SchemaPath) => p.type === 'any' || (p.type === 'object' && !declared.some((d) => d.segments.length > p.segments.length && p.segments.every((x, i) => d.segments[i] === x)));
  const rootOpen = !schema || typeName(schema) === 'any';
  const seen = new Set(declared.map((p) => JSON.stringify(p.segments)));
  const out: SchemaPath[] = [];
  const addUnder = (prefix: Segment[]) => {
    for (const p of valuePaths(valueAt(value, prefix), prefix)) {
      const key = JSON.stringify(p.segments);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(p);
      }
    }
  };
  if (rootOpen) addUnder([]);
  for (const p of declared) {
    out.push(p);
    if (open(p)) addUnder(p.segments);
  }
  return out;
}

/** Every path a template can reference in a value described by `schema`, parents before children. */
export function schemaPaths(schema: JsonSchema | undefined, maxDepth = 5): SchemaPath[] {
  const out: SchemaPath[] = [];
  const walk = (raw: JsonSchema, segments: Segment[], depth: number): void => {
    if (depth > maxDepth) return;
    const s = unwrapSchema(raw);
    if (segments.length > 0) out.push({ segments, type: typeName(s), title: s.title, description: s.description });
    if (s.properties) {
      for (const [k, child] of Object.entries(s.properties)) walk(child, [...segments, k], depth + 1);
    }
    const items = Array.isArray(s.items) ? s.items[0] : s.items;
    if (items && segments.length > 0) walk(items, [...segments, 0], depth + 1);
  };
  if (schema) walk(schema, [], 0);
  return out;
}

/** `trigger.order.items[0].name` from a root and segments; keys that are not identifiers use ["…"]. */
export function pathExpression(root: string, segments: Segment[]): string {
  let expr = root;
  for (const seg of segments) {
    if (typeof seg === 'number') expr += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) expr += `.${seg}`;
    else expr += `["${seg.replace(/"/g, '\\"')}"]`;
  }
  return expr;
}

export function valueAt(value: unknown, segments: Segment[]): unknown {
  let cur: unknown = value;
  for (const seg of segments) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** A plausible value for a schema, for previews when no run has produced real values yet. */
export function sampleFromSchema(raw: JsonSchema | undefined, key = 'value', depth = 0): unknown {
  if (!raw || depth > 8) return null;
  const s = unwrapSchema(raw);
  if (s.examples && s.examples.length > 0) return s.examples[0];
  if (s.default !== undefined) return s.default;
  if (s.const !== undefined) return s.const;
  if (s.enum && s.enum.length > 0) return s.enum[0];
  const t = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  if (t === 'object' || (!t && s.properties)) {
    const obj: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(s.properties ?? {})) obj[k] = sampleFromSchema(child, k, depth + 1);
    return obj;
  }
  if (t === 'array') {
    const items = Array.isArray(s.items) ? s.items[0] : s.items;
    return items ? [sampleFromSchema(items, key, depth + 1)] : [];
  }
  if (t === 'integer' || t === 'number') return /id$/i.test(key) ? 1001 : 42;
  if (t === 'boolean') return true;
  if (t === 'string') {
    if (s.format === 'date-time') return '2025-01-01T12:00:00Z';
    if (s.format === 'date') return '2025-01-01';
    if (s.format === 'email' || /email/i.test(key)) return 'customer@example.com';
    if (/phone|^to$|^from$|number$/i.test(key)) return '+15550001111';
    if (/name/i.test(key)) return 'Alex Doe';
    if (/id$/i.test(key)) return '1001';
    if (/status/i.test(key)) return 'paid';
    return key;
  }
  return null;
}

/** Ids of the nodes upstream of `nodeId` (its ancestors), nearest first. */
export function upstreamNodeIds(nodeId: string, edges: Pick<GraphEdge, 'source' | 'target'>[]): string[] {
  const seen = new Set<string>([nodeId]);
  const order: string[] = [];
  let frontier = [nodeId];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const e of edges) {
        if (e.target === id && !seen.has(e.source)) {
          seen.add(e.source);
          order.push(e.source);
          next.push(e.source);
        }
      }
    }
    frontier = next;
  }
  return order;
}

export interface PickerField {
  expression: string;
  segments: Segment[];
  label: string;
  type: string;
  description?: string;
  /** The value at this path in the last run, when there is one. */
  value?: unknown;
  hasValue: boolean;
}

export interface PickerGroup {
  nodeId: string;
  title: string;
  provider: string;
  isTrigger: boolean;
  root: string;
  fields: PickerField[];
}

/** Last-run values keyed the way templates see them. */
export interface RunValues {
  trigger?: unknown;
  steps: Record<string, unknown>;
}

export interface PickerNode {
  id: string;
  type: string;
  label?: string;
  /** Its config: a trigger's output may depend on it (NodeManifest.outputWhen). */
  config?: Record<string, unknown>;
}

export function templateRoot(node: PickerNode, manifest: NodeManifest | undefined): string {
  return manifest?.kind === 'trigger' ? 'trigger' : `steps.${node.id}`;
}

/** The for-each loops whose `item` steps include `nodeId` (there, `{{ item }}` and `{{ index }}` exist). */
export function enclosingLoops(nodeId: string, nodes: PickerNode[], edges: Array<Pick<GraphEdge, 'source' | 'target'> & { sourceHandle?: string | null }>): PickerNode[] {
  return nodes.filter((loop) => {
    if (loop.type !== FOR_EACH) return false;
    const stack = edges.filter((e) => e.source === loop.id && e.sourceHandle === 'item').map((e) => e.target);
    const seen = new Set<string>();
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (id === nodeId) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      for (const e of edges) if (e.source === id) stack.push(e.target);
    }
    return false;
  });
}

const FOR_EACH = 'core.for_each';

function itemGroup(loop: PickerNode, manifest: NodeManifest | undefined): PickerGroup {
  const field = (expression: string, type: string, description: string): PickerField => ({ expression, segments: [], label: expression, type, description, hasValue: false });
  return {
    nodeId: `${loop.id}:item`,
    title: `Item of ${loop.label || manifest?.title || loop.id}`,
    provider: 'core',
    isTrigger: false,
    root: 'item',
    fields: [field('item', 'any', 'The element of the list this run of the steps is for'), field('index', 'integer', 'Its position in the list, from 0')],
  };
}

/** What the nodes upstream of `nodeId` output, for the field picker. */
export function pickerGroups(
  nodeId: string,
  nodes: PickerNode[],
  edges: Array<Pick<GraphEdge, 'source' | 'target'> & { sourceHandle?: string | null }>,
  manifests: Map<string, NodeManifest>,
  runValues?: RunValues,
): PickerGroup[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const groups: PickerGroup[] = [];
  for (const id of upstreamNodeIds(nodeId, edges)) {
    const node = byId.get(id);
    if (!node) continue;
    const manifest = manifests.get(node.type);
    const isTrigger = manifest?.kind === 'trigger';
    const root = templateRoot(node, manifest);
    const runValue = isTrigger ? runValues?.trigger : runValues?.steps[id];
    // A field the trigger outputs only with another config (RetailCRM's order without "Load the full order") is not offered.
    const present = (p: SchemaPath) => !isTrigger || typeof p.segments[0] !== 'string' || outputFieldPresent(manifest?.outputWhen, p.segments[0], node.config ?? {});
    const fields = pathsWithValues(manifest?.outputSchema, runValue).filter(present).map((p): PickerField => {
      const value = runValue === undefined ? undefined : valueAt(runValue, p.segments);
      return {
        expression: pathExpression(root, p.segments),
        segments: p.segments,
        label: p.segments.map((s) => (typeof s === 'number' ? `[${s}]` : s)).join('.').replace(/\.\[/g, '['),
        type: p.type,
        description: p.title ?? p.description,
        value,
        hasValue: value !== undefined,
      };
    });
    groups.push({ nodeId: id, title: node.label || manifest?.title || node.type, provider: manifest?.provider ?? node.type.split('.')[0] ?? '', isTrigger, root, fields });
  }
  for (const loop of enclosingLoops(nodeId, nodes, edges)) groups.unshift(itemGroup(loop, manifests.get(loop.type)));
  // The trigger first: it is what most templates start from (then the element of an enclosing for-each).
  return groups.sort((a, b) => Number(b.isTrigger) - Number(a.isTrigger));
}

/** The context a template renders against: last-run values where they exist, samples elsewhere. */
export function previewContext(
  nodeId: string,
  nodes: PickerNode[],
  edges: Pick<GraphEdge, 'source' | 'target'>[],
  manifests: Map<string, NodeManifest>,
  runValues?: RunValues,
): { context: { trigger: unknown; steps: Record<string, unknown> }; fromRun: boolean } {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const steps: Record<string, unknown> = {};
  let trigger: unknown = {};
  let fromRun = false;
  for (const id of upstreamNodeIds(nodeId, edges)) {
    const node = byId.get(id);
    if (!node) continue;
    const manifest = manifests.get(node.type);
    const runValue = manifest?.kind === 'trigger' ? runValues?.trigger : runValues?.steps[id];
    if (runValue !== undefined) fromRun = true;
    const value = runValue ?? sampleFromSchema(manifest?.outputSchema);
    if (manifest?.kind === 'trigger') trigger = value;
    else steps[id] = value;
  }
  return { context: { trigger, steps }, fromRun };
}
