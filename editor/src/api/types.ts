/** Shapes of the /api contract: the API's answers come from @bundles/shared; the editor adds typed JSON Schema. */

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
  /** This field holds the values of the variables of the option chosen in the named field. */
  'x-variables-of'?: string;
  'x-mappable'?: boolean;
  'x-sms'?: boolean;
  'x-placeholder'?: string;
  'x-secret'?: boolean;
  [key: string]: unknown;
}

/** UI hint widgets, plus what the editor infers by itself: `json` (free JSON) and `list` (array of objects). */
export type Widget = 'text' | 'textarea' | 'template' | 'code' | 'cron' | 'timezone' | 'number' | 'switch' | 'select' | 'multiselect' | 'secret' | 'json' | 'list';

export interface NodeManifest {
  id: string;
  kind: 'trigger' | 'action';
  provider: string;
  title: string;
  description?: string;
  configSchema: JsonSchema;
  outputSchema: JsonSchema;
  handles: string[];
  /** Whether the inspector offers a connection, and whether the node may go without one. */
  needsConnection: boolean;
  connectionOptional: boolean;
  /** The provider whose connections the node takes: its own, or e.g. `http` for core.http_request. */
  connectionProvider: string;
  /** When it takes the connections of several providers (a wait for a reply: every one that receives messages). */
  connectionProviders?: string[];
  effect: 'none' | 'read' | 'write' | 'depends';
  /** A trigger the Status messages screen builds rules on. */
  statusRules?: StatusRuleTrigger;
  /** Output fields of a trigger that exist only with some config: field → the config values it needs. */
  outputWhen?: Record<string, Record<string, unknown>>;
  /** An action that sends one message: which config fields take what. */
  sends?: MessageSend;
}

export interface ProviderDescriptor {
  id: string;
  title: string;
  authSchema: JsonSchema;
  setup: string;
  hasWebhook: boolean;
  messageStatuses: string[];
  nameMinLength: number;
  /** Its connections take a daily send cap and answer their usage. */
  sendCap?: boolean;
  exports: Array<{ kind: string; title: string; sources: string[]; optionsSchema: JsonSchema }>;
}

export type {
  Connection,
  ConnectionExport,
  ConnectionUsage,
  Delivery,
  Flow,
  FlowExport,
  FlowVersion,
  FlowVersionDetail,
  FlowGraph as Graph,
  GraphEdge,
  GraphNode,
  Message,
  Retention,
  RetentionSettings,
  Run,
  RunDetail,
  Step,
  StepError as RunError,
  StepResolution,
  FlowIssue as ValidationIssue,
} from '@bundles/shared';
import type { Flow, MessageSend, Run, Step, StepResolution, StatusRuleTrigger } from '@bundles/shared';
export type { StatusRule, StatusRuleInput } from '@bundles/shared';
export type { RecordedEvent, TestInput, TestRun, TestRunSummary, TestStep } from '@bundles/shared';
export type { AllowedHostsSettings, ApiToken, ApiTokenInput, CreatedApiToken, Me, SchedulePreview, Workspace, WorkspaceSummary } from '@bundles/shared';
export type { Role, TokenScope } from '@bundles/shared';

export type FlowStatus = Flow['status'];
export type RunStatus = Run['status'];
export type StepStatus = Step['status'];
/** How a person settles an uncertain step. */
export type ResolveAction = StepResolution['action'];

/** A variable an option takes (a template's `{{1}}`), as OptionVariable in @bundles/nodes. */
export interface OptionVariable {
  key: string;
  type?: string;
  example?: string;
}

/** One choice of `GET /api/connections/:id/options/:source`, as OptionItem in @bundles/nodes. */
export interface OptionItem {
  value: string;
  label: string;
  /** A second line: what it is. */
  description?: string;
  /** Shown greyed with `disabledReason`; cannot be chosen. */
  disabled?: boolean;
  disabledReason?: string;
  /** Other fields choosing it sets (e.g. a template's `language`). */
  sets?: Record<string, string>;
  /** The chosen option's text and variables (fields with `x-variables-of` edit their values). */
  details?: { text?: string; variables?: OptionVariable[]; languages?: string[] };
}

export interface MessageFilter {
  provider?: string;
  connectionId?: string;
  status?: string;
  direction?: 'inbound' | 'outbound' | '';
  from?: string;
  to?: string;
  conversation?: string;
  /** Messages sent by runs of this bundle. */
  flowId?: string;
  /** Text search in the message text (3 to 200 characters). */
  q?: string;
}

export interface User {
  id: string;
  email: string;
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
