// What the editor learns about node types and providers: plain JSON, no code.
export type JsonSchema = Record<string, unknown>;

export type Widget = 'text' | 'textarea' | 'template' | 'number' | 'switch' | 'select' | 'multiselect' | 'secret';

export interface NodeManifest {
  id: string;
  kind: 'trigger' | 'action';
  provider: string;
  title: string;
  description?: string;
  configSchema: JsonSchema;
  outputSchema: JsonSchema;
  /** Output handles; [] means the single default output. */
  handles: string[];
  /** Whether the node uses a connection (the inspector offers one), and whether it may go without. */
  needsConnection: boolean;
  connectionOptional: boolean;
  /** The provider whose connections it takes (its own, or e.g. `http` for core.http_request). */
  connectionProvider: string;
  /** When it takes the connections of several providers (core.wait_for_reply: every one that receives messages): their ids. */
  connectionProviders?: string[];
  /** `write`: it changes something outside Bundles; `read`: it only asks; `none`: it computes. */
  effect: 'none' | 'read' | 'write' | 'depends';
  /** A trigger the "Status messages" screen builds rules on. */
  statusRules?: StatusRuleTrigger;
  /** Output fields of a trigger that exist only with some config: field → the config values it needs. */
  outputWhen?: Record<string, Record<string, unknown>>;
  /** An action that sends one message: which of its config fields hold what. */
  sends?: MessageSend;
}

/** Whose statuses a status rule follows: a connection's sales (orders, transactions) or its subscriptions. */
export type StatusRuleScope = 'sales' | 'subscriptions';

/**
 * A trigger whose records move through statuses (a sale approved, an order paid): the "Status messages"
 * screen builds one bundle per rule on it, setting `statusesField` (and `productsField`) of its config.
 */
export interface StatusRuleTrigger {
  scope: StatusRuleScope;
  /** The config field listing the statuses the trigger starts on. */
  statusesField: string;
  /** The config field of its product filter, when its records have products. */
  productsField?: string;
  /** The buyer's phone as a template over the trigger's output: where a rule sends unless told. */
  buyerPhone: string;
  /** Config a rule's trigger always takes besides statuses and products (e.g. load the order, for its phone). */
  fixedConfig?: Record<string, unknown>;
}

/** Config field names of an action that sends one message, for screens that build sends (status rules). */
export interface MessageSend {
  /** The message log's channel: `sms`, `whatsapp`, or a chat of its own (`tokopedia`, `retailcrm`). */
  channel: string;
  to: string;
  /** The sender number, when the action takes one (a WhatsApp Cloud connection is its own sender). */
  from?: string;
  /** Free text, when it can send one. */
  text?: string;
  /** A cap on SMS segments, when it has one. */
  maxSegments?: string;
  /** A template (its name or id), when it can send one; with its language and variables. */
  template?: string;
  language?: string;
  /** Template variables: a record by variable number (`{"1": …}`) or an array in order. */
  variables?: { field: string; as: 'record' | 'array' };
  /**
   * The output field holding the provider's id of the message sent (Twilio's `sid`). With it, a step whose
   * input is exactly its message's recipient, sender and text stores no input: the message log holds it.
   */
  messageId?: string;
  /**
   * Output fields that repeat the recipient and sender the message log stores (Twilio's `to` and `from`).
   * With `messageId`, a succeeded step stores its output without them when they are equal to its message's,
   * and whoever reads the output (the run view, a resumed run, a test from a real run) takes them from it.
   */
  echoes?: { to?: string; from?: string };
}

export interface ProviderManifest {
  id: string;
  title: string;
  authSchema: JsonSchema;
  hasWebhook: boolean;
  setup: string;
  /** The statuses of its messages in the message log, in the order they move (empty: it logs no messages). */
  messageStatuses: string[];
  /** The shortest connection name it accepts. */
  nameMinLength: number;
  /** Its connections accept a daily send cap (`dailyCap`, `atCap`) and answer GET /api/connections/:id/usage. */
  sendCap: boolean;
  /** Background exports into its connections from other providers' (POST /api/connections/:id/exports). */
  exports: Array<{ kind: string; title: string; sources: string[]; optionsSchema: JsonSchema }>;
}

/** Whether a trigger's output field exists with this config (see NodeManifest.outputWhen); true for fields without a condition. */
export function outputFieldPresent(outputWhen: Record<string, Record<string, unknown>> | undefined, field: string, config: Record<string, unknown>): boolean {
  const needs = outputWhen?.[field];
  return !needs || Object.entries(needs).every(([k, v]) => config[k] === v);
}
