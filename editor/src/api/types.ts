/** Shapes of the /api contract (see DESIGN.md). Kept here so the editor builds without the server. */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON Schema (draft 2020-12) with the editor's UI hints as extra keywords. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
  enum?: JsonValue[];
  const?: JsonValue;
  default?: unknown;
  examples?: unknown[];
  format?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  'x-widget'?: Widget;
  'x-options'?: string;
  'x-mappable'?: boolean;
  'x-sms'?: boolean;
  'x-placeholder'?: string;
  'x-secret'?: boolean;
  [key: string]: unknown;
}

/** UI hint widgets, plus what the editor infers by itself: `json` (free JSON) and `list` (array of objects). */
export type Widget = 'text' | 'textarea' | 'template' | 'number' | 'switch' | 'select' | 'multiselect' | 'secret' | 'json' | 'list';

export interface NodeManifest {
  id: string;
  kind: 'trigger' | 'action';
  provider: string;
  title: string;
  description?: string;
  configSchema: JsonSchema;
  outputSchema: JsonSchema;
  handles: string[];
  needsConnection: boolean;
}

export interface ProviderDescriptor {
  id: string;
  title: string;
  authSchema: JsonSchema;
  setup: string;
  hasWebhook: boolean;
}

export interface Connection {
  id: string;
  provider: string;
  name: string;
  config: Record<string, unknown>;
  secretsSet?: string[];
  webhookUrl: string | null;
  createdAt: string;
  updatedAt: string;
  status?: 'ok' | 'broken' | 'untested';
  lastTest?: { ok: boolean; message: string; at: string } | null;
}

export interface Delivery {
  id: string;
  receivedAt: string;
  outcome: 'accepted' | 'duplicate' | 'rejected';
  reason?: string | null;
  eventIds: string[];
  body?: unknown;
}

export interface OptionItem {
  value: string;
  label: string;
}

export interface GraphNode {
  id: string;
  type: string;
  connectionId?: string | null;
  config: Record<string, unknown>;
  position: { x: number; y: number };
  label?: string;
}

export interface GraphEdge {
  id?: string;
  source: string;
  target: string;
  sourceHandle?: string | null;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export type FlowStatus = 'draft' | 'running' | 'stopped';
export type RunStatus = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'filtered';
export type StepStatus = 'running' | 'succeeded' | 'failed' | 'skipped' | 'waiting';

export interface Flow {
  id: string;
  name: string;
  status: FlowStatus;
  graph: Graph;
  activeVersion: { id: string; number: number; createdAt: string } | null;
  hasDraftChanges: boolean;
  lastRun: { id: string; status: RunStatus; createdAt: string } | null;
  createdAt: string;
  updatedAt: string;
}

export interface FlowExport {
  format: 'bundles.flow/v1';
  name: string;
  graph: Graph;
}

export interface ValidationIssue {
  nodeId?: string;
  field?: string;
  message: string;
}

export interface RunError {
  code?: string;
  message: string;
  retryable?: boolean;
}

export interface Run {
  id: string;
  flowId: string;
  versionId: string;
  eventId: string | null;
  status: RunStatus;
  error: RunError | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Step {
  nodeId: string;
  nodeType: string;
  status: StepStatus;
  input: unknown;
  output: unknown;
  error: RunError | null;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface RunDetail extends Run {
  trigger: unknown;
  steps: Step[];
}

export interface Message {
  id: string;
  provider: string;
  connectionId: string | null;
  direction: 'inbound' | 'outbound';
  channel: string;
  from: string | null;
  to: string | null;
  text: string | null;
  providerMessageId: string | null;
  status: string;
  conversationKey: string | null;
  runId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface MessageFilter {
  provider?: string;
  connectionId?: string;
  status?: string;
  direction?: 'inbound' | 'outbound' | '';
  from?: string;
  to?: string;
  conversation?: string;
}

export interface User {
  id: string;
  email: string;
}

export interface Me {
  user: User;
  workspace: { id: string; name: string };
}

export interface EventRecord {
  id: string;
  connectionId: string;
  type?: string;
  receivedAt?: string;
  createdAt?: string;
  payload?: unknown;
  duplicates?: number;
}
