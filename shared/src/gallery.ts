// Ready bundles ("templates" of the gallery): a graph whose connections are roles, filled in when one is used.
import { z } from 'zod';
import { graphEdgeSchema, nodeIdPattern } from './graph.js';

const rolePattern = /^[a-z][a-z0-9_]{0,31}$/;

/** A connection the template needs, e.g. `{ role: "crm", provider: "retailcrm", title: "Your RetailCRM account" }`. */
export const templateRoleSchema = z.object({
  role: z.string().regex(rolePattern, 'roles are lower-case letters, digits and _'),
  provider: z.string().min(1),
  title: z.string().min(1).max(120),
});
export type TemplateRole = z.infer<typeof templateRoleSchema>;

/** A value only the user knows (a chat id), asked for beside the connections. */
export const templateInputSchema = z.object({
  key: z.string().regex(rolePattern, 'input keys are lower-case letters, digits and _'),
  title: z.string().min(1).max(120),
  description: z.string().max(400).optional(),
  placeholder: z.string().max(120).optional(),
});
export type TemplateInput = z.infer<typeof templateInputSchema>;

/**
 * A node of a template's graph. `connection.role` names the connection; config values may be
 * `{ "$input": key }` (the user's answer) or `{ "$firstOption": source }` (the first item of the
 * connection's option list, e.g. the Twilio account's first number as "From").
 */
export const templateNodeSchema = z.object({
  id: z.string().regex(nodeIdPattern),
  type: z.string().min(1),
  connection: z.object({ role: z.string().regex(rolePattern) }).optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  label: z.string().max(200).optional(),
});
export type TemplateNode = z.infer<typeof templateNodeSchema>;

export const bundleTemplateSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,79}$/),
  title: z.string().min(1).max(120),
  description: z.string().min(1).max(600),
  category: z.string().min(1).max(60),
  /** Providers shown as badges, in the order the bundle uses them. */
  providers: z.array(z.string().min(1)).min(1).max(10),
  roles: z.array(templateRoleSchema).max(10),
  inputs: z.array(templateInputSchema).max(10).default([]),
  graph: z.object({ nodes: z.array(templateNodeSchema).min(1).max(50), edges: z.array(graphEdgeSchema).max(100).default([]) }),
});
export type BundleTemplate = z.infer<typeof bundleTemplateSchema>;

export const useTemplateBodySchema = z.object({
  name: z.string().trim().min(1).max(200),
  connections: z.record(z.string().max(40), z.string().max(100)).default({}),
  inputs: z.record(z.string().max(40), z.string().max(2000)).default({}),
});
export type UseTemplateBody = z.infer<typeof useTemplateBodySchema>;
