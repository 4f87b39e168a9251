// The flow graph: what the canvas draws, the API stores and a version freezes.
import { z } from 'zod';

export const nodeIdPattern = /^[a-z][a-z0-9_]{0,63}$/;

export const graphNodeSchema = z.object({
  id: z.string().regex(nodeIdPattern, 'node ids are lower-case letters, digits and _ (they name the node in templates)'),
  type: z.string().min(1),
  connectionId: z.string().nullish(),
  config: z.record(z.string(), z.unknown()).default({}),
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  label: z.string().max(200).optional(),
  /** A disabled node does not run: the run passes through it on its default output (its output is null). */
  disabled: z.boolean().optional(),
});

export const graphEdgeSchema = z.object({
  id: z.string().optional(),
  source: z.string(),
  target: z.string(),
  sourceHandle: z.string().nullish(),
});

export const flowGraphSchema = z.object({
  nodes: z.array(graphNodeSchema).max(200).default([]),
  edges: z.array(graphEdgeSchema).max(400).default([]),
});

export type GraphNode = z.infer<typeof graphNodeSchema>;
export type GraphEdge = z.infer<typeof graphEdgeSchema>;
export type FlowGraph = z.infer<typeof flowGraphSchema>;

export const flowExportSchema = z.object({
  format: z.literal('bundles.flow/v1'),
  name: z.string().min(1).max(200),
  graph: flowGraphSchema,
});
export type FlowExport = z.infer<typeof flowExportSchema>;
