// The node definition API: one zod-based object per provider, trigger and action.
import { z } from 'zod';
import type { MessageSend, StatusRuleTrigger } from '@bundles/shared';

/** UI hints attached to zod schemas with `.register(ui, { … })`; they become `x-*` keywords in JSON Schema. */
export interface UiHints {
  title?: string;
  description?: string;
  /**
   * `code`: JavaScript, shown in a monospaced editor and never a template; `cron`: a cron with its next
   * ticks shown under it; `timezone`: an IANA name, with the browser's zones suggested.
   */
  widget?: 'text' | 'textarea' | 'template' | 'code' | 'cron' | 'timezone' | 'number' | 'switch' | 'select' | 'multiselect' | 'secret';
  /** Name of a dynamic option source the connection can list (ProviderDefinition.options). */
  options?: string;
  /**
   * This field holds the values of the variables (OptionDetails.variables) of the option chosen in the
   * named field: the editor shows one mappable input per variable (a record by variable key, or an array
   * in their order) instead of raw JSON.
   */
  variablesOf?: string;
  /** Templates (`{{ … }}`) are allowed in this field. */
  mappable?: boolean;
  /** Text bound for SMS: the editor shows characters, encoding and segments. */
  sms?: boolean;
  placeholder?: string;
  /** A secret auth field: encrypted at rest, never returned by the API, never logged. */
  secret?: boolean;
}

export const ui = z.registry<UiHints>();

// ---------------------------------------------------------------------------------------------
// What the runtime hands to provider code

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface HttpRequest {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
  /** Milliseconds; default 15 s. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the answer is JSON, else the text. */
  body: unknown;
  text: string;
}

/** Plain HTTP with timeouts; it never throws for a status code, only for network errors and timeouts (as retryable ProviderErrors). */
export type HttpClient = (req: HttpRequest) => Promise<HttpResponse>;

/** Cross-process rate limiting kept in PostgreSQL: resolves when a request may be made under `key`. */
export interface RateLimiter {
  acquire(key: string, perSecond: number): Promise<void>;
}

export interface ConnectionContext<Auth = Record<string, unknown>> {
  id: string;
  provider: string;
  name: string;
  /** The decrypted connection config, secrets included. Never log it. */
  config: Auth;
  /** The webhook URL of this connection (for setup texts and signature checks). */
  webhookUrl: string;
  /** Per-connection, per-process memo for expensive objects (SDK clients, access tokens). */
  memo: Map<string, unknown>;
  /** Private hosts and ranges its workspace's admin allows it to call (besides the operator's). */
  allowedHosts?: readonly string[];
}

/** A message sent or received through a messaging provider, for the message log. */
export interface MessageRecord {
  direction: 'inbound' | 'outbound';
  channel: string;
  from?: string | null;
  to?: string | null;
  text?: string | null;
  providerMessageId?: string | null;
  status: string;
  conversationKey?: string | null;
}

/**
 * Durable records of one connection, kept in PostgreSQL (one row per key, safe across processes and crashes):
 * what was already done through it, e.g. the purchases exported to SALESmanago by their externalId.
 */
export interface ConnectionLedger {
  /**
   * Claims `key` for `owner` (default: this step, `runId:nodeId`). `claimed`: nobody holds it, or this owner
   * already does and has not completed it; `done`: completed before (by anyone), with what was recorded;
   * `held`: another owner claimed it and has not completed it (its outcome is not known yet).
   */
  claim(key: string, owner?: string): Promise<{ state: 'claimed' } | { state: 'done'; value: unknown } | { state: 'held'; owner: string }>;
  /** Records the outcome of a claimed key: later claims answer `done` with this value. */
  complete(key: string, value: unknown): Promise<void>;
  /** Gives up a claim whose call certainly did not take effect (a permanent refusal), so it can be tried again. */
  release(key: string, owner?: string): Promise<void>;
  /** What was recorded for `key`, if it was completed. */
  get(key: string): Promise<{ value: unknown } | null>;
}

/** What the delivery log knows of a connection's webhooks (for "Test connection" of webhook-only accounts). */
export interface DeliverySummary {
  lastAccepted: { at: Date } | null;
  lastRejected: { at: Date; reason: string | null } | null;
}

export interface ActionContext<Config, Auth = Record<string, unknown>> {
  /** Durable records of this step's connection (see ConnectionLedger). */
  ledger: ConnectionLedger;
  config: Config;
  connection: ConnectionContext<Auth>;
  http: HttpClient;
  limiter: RateLimiter;
  log: Logger;
  /** `runId:nodeId`: send it where the provider supports idempotent requests. */
  idempotencyKey: string;
  runId: string;
  nodeId: string;
  /** Adds a row to the message log, written together with the step. */
  recordMessage(message: MessageRecord): void;
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * An error from a provider call. `retryable` decides between a retry with backoff and a failed run;
 * `code` and `message` are the provider's own, shown on the step.
 */
export class ProviderError extends Error {
  readonly code: string | number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;
  readonly provider: string | undefined;
  /**
   * The request may have taken effect although no success came back (a timeout or a dropped connection
   * after it was sent, a 5xx other than 503): a write is then not resent blindly (see ActionDefinition).
   */
  readonly ambiguous: boolean;
  /** What the step had to show before it failed (core.code's console lines): kept as the failed step's output. */
  readonly output: unknown;
  constructor(opts: {
    message: string;
    code?: string | number;
    retryable: boolean;
    retryAfterMs?: number;
    status?: number;
    provider?: string;
    ambiguous?: boolean;
    output?: unknown;
  }) {
    super(opts.message);
    this.name = 'ProviderError';
    this.code = opts.code;
    this.retryable = opts.retryable;
    this.retryAfterMs = opts.retryAfterMs;
    this.status = opts.status;
    this.provider = opts.provider;
    this.ambiguous = opts.ambiguous ?? false;
    this.output = opts.output;
  }
}

/** Whether an HTTP status says the request may have been carried out (5xx but 503; 429 and 503 refuse it). */
export function ambiguousStatus(status: number): boolean {
  return status >= 500 && status !== 503;
}

/** Parses an HTTP Retry-After header (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

// ---------------------------------------------------------------------------------------------
// Control results of core nodes (filter, branch, delay, for-each, wait for a reply)

export type ControlResult =
  | { control: 'filtered'; output: unknown }
  | { control: 'branch'; handle: string; output: unknown }
  | { control: 'wait'; until: Date; output: unknown }
  /** core.for_each: the steps after its `item` handle run once per element, then it goes on from `done`. */
  | { control: 'each'; items: unknown[]; concurrency: number }
  /**
   * Waits (no worker held) for the next inbound message of `conversation` on the step's connection, at most
   * until `until`; the runtime then continues the step on `reply` or on `timeout` (see core.wait_for_reply).
   */
  | { control: 'reply'; until: Date; conversation: string; output: unknown };

const controlTag = Symbol.for('bundles.control');
export const control = {
  filtered: (output: unknown) => ({ [controlTag]: true, control: 'filtered', output }) as ControlResult,
  branch: (handle: string, output: unknown) => ({ [controlTag]: true, control: 'branch', handle, output }) as ControlResult,
  wait: (until: Date, output: unknown) => ({ [controlTag]: true, control: 'wait', until, output }) as ControlResult,
  each: (items: unknown[], concurrency = 1) => ({ [controlTag]: true, control: 'each', items, concurrency }) as ControlResult,
  awaitReply: (until: Date, conversation: string, output: unknown) => ({ [controlTag]: true, control: 'reply', until, conversation, output }) as ControlResult,
};
export function isControlResult(value: unknown): value is ControlResult {
  return typeof value === 'object' && value !== null && controlTag in value;
}

// ---------------------------------------------------------------------------------------------
// Webhooks

export interface WebhookRequest {
  method: 'GET' | 'POST' | string;
  /** The full public URL the provider called (BUNDLES_PUBLIC_URL + path + query). */
  url: string;
  headers: Record<string, string | undefined>;
  query: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  /** Parsed body: JSON object, or the fields of a form (repeated fields as arrays). */
  body: unknown;
}

export interface WebhookAnswer {
  status: number;
  contentType?: string;
  body?: string;
}

export interface ParsedEvent {
  /** Event type, matched by triggers' `event`, e.g. `whatsapp.message`. */
  type: string;
  /** Per connection: a repeated delivery with the same key is counted, never run again (see keyKind). */
  dedupeKey: string;
  /**
   * What the key is: `id`, the provider's own id of this event (a repeat is a duplicate for as long as
   * events are kept); or `content`, derived from what the body says (a repeat is a duplicate only within
   * a short window and only while no other event of the same `subject` arrived in between, so an order
   * paid → cancelled → paid runs three times); or `state`, the state the `subject` is in now (a Guru
   * transaction's status): a repeat is a duplicate for as long as events are kept, unless another state of
   * the same subject arrived in between (approved → approved runs once; approved → refunded → approved twice).
   */
  keyKind: 'id' | 'content' | 'state';
  /** For content and state keys: what the event is about, e.g. `order:5001` (default: the key itself). */
  subject?: string;
  /** Optional routing key matched against a trigger's `key(config)` (e.g. the receiving phone number id). */
  key?: string | null;
  payload: Record<string, unknown>;
  /** An inbound message for the message log. */
  message?: MessageRecord;
  /** A delivery status update of a message in the log (never moves status backwards). */
  messageStatus?: { providerMessageId: string; status: string; error?: { code?: string | number; message: string } };
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export interface ProviderWebhook<Auth> {
  /** Handshakes answered without storing anything (e.g. WhatsApp's GET hub.challenge). Return null if not one. */
  challenge?(req: WebhookRequest, connection: ConnectionContext<Auth>): WebhookAnswer | null;
  /** Signature / token check over the raw body; failure is answered 401 and nothing is stored. */
  verify(req: WebhookRequest, connection: ConnectionContext<Auth>): VerifyResult;
  /** Request → zero or more events; throw WebhookParseError for a malformed body (answered 400). */
  parse(req: WebhookRequest, connection: ConnectionContext<Auth>): ParsedEvent[];
  /** The answer the provider expects after the events are stored (default 200 `{"ok":true}`). */
  respond?(events: ParsedEvent[], req: WebhookRequest): WebhookAnswer;
}

export class WebhookParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookParseError';
  }
}

// ---------------------------------------------------------------------------------------------
// Definitions

/** A variable an option takes (a template's `{{1}}`): its key, and what the provider says of it. */
export interface OptionVariable {
  key: string;
  /** The provider's type of the value, when it says (e.g. `text`). */
  type?: string;
  /** A sample value the provider holds (shown as a placeholder). */
  example?: string;
}

/** What the editor shows of a chosen option, e.g. a message template's text and its variables. */
export interface OptionDetails {
  /** The text the option stands for, with its placeholders (`Hi {{1}}`). */
  text?: string;
  /** The variables it takes, in order: see UiHints.variablesOf. */
  variables?: OptionVariable[];
  /** Languages it exists in (a WhatsApp template's translations). */
  languages?: string[];
}

/** One choice of an option source (`GET /api/connections/:id/options/:source`). */
export interface OptionItem {
  value: string;
  label: string;
  /** A second line: what it is (category, status, language). */
  description?: string;
  /** Listed but cannot be chosen (e.g. a template not approved yet); `disabledReason` says why. */
  disabled?: boolean;
  disabledReason?: string;
  /** Other fields of the same config that choosing it sets as well (e.g. a template's `language`). */
  sets?: Record<string, string>;
  details?: OptionDetails;
}

export interface ProviderContext<Auth> {
  connection: ConnectionContext<Auth>;
  http: HttpClient;
  limiter: RateLimiter;
  log: Logger;
  /** The delivery log of this connection's webhook, in short. */
  deliveries(): Promise<DeliverySummary>;
}

/** A background export into a connection from another one (SALESmanago ← RetailCRM): resumable, with progress. */
export interface ExportProgress {
  /** Where to go on from after a restart (JSON; the job's own cursor). */
  checkpoint: unknown;
  done: number;
  total: number;
  failed: number;
  /** New error lines since the last save (kept, at most a few hundred). */
  errors?: string[];
}

export interface ExportContext<Auth, Options = Record<string, unknown>> extends ProviderContext<Auth> {
  /** The connection exported from (decrypted, like `connection`). */
  source: ConnectionContext<Record<string, unknown>>;
  options: Options;
  /** The ledger of this (the target) connection: the same one its actions use. */
  ledger: ConnectionLedger;
  /** Where an earlier attempt of this export stopped (null the first time). */
  checkpoint: unknown;
  /** Saves progress durably; the export resumes from the last saved checkpoint after a restart. */
  save(progress: ExportProgress): Promise<void>;
}

export interface ExportDefinition<Auth, Options extends z.ZodObject = z.ZodObject> {
  title: string;
  /** The providers whose connections it exports from. */
  sources: string[];
  options: Options;
  /** Runs (or resumes) the export to its end; answers the closing report. Throw a permanent ProviderError to fail it. */
  run(ctx: ExportContext<Auth, z.infer<Options>>): Promise<{ report: string }>;
}

export interface ProviderDefinition<Auth extends z.ZodObject = z.ZodObject> {
  id: string;
  title: string;
  /** Connection config; secret fields registered with `{ secret: true }`. Every provider also accepts `baseUrl`. */
  auth: Auth;
  /** Setup steps shown next to the webhook URL. */
  setup?(ctx: { webhookUrl: string; config: Partial<z.infer<Auth>> }): string;
  webhook?: ProviderWebhook<z.infer<Auth>>;
  /**
   * "Test connection": a cheap authenticated call, or for a webhook-only account what its delivery log says.
   * `ok: null` when it cannot tell yet (nothing has arrived): the connection stays untested.
   */
  test?(ctx: ProviderContext<z.infer<Auth>>): Promise<{ ok: boolean | null; message: string }>;
  /** Option lists for fields with `options: 'name'`. */
  options?: Record<string, (ctx: ProviderContext<z.infer<Auth>>) => Promise<OptionItem[]>>;
  /**
   * Answers a logged message through the same channel (`POST /api/messages/:id/reply`). Throws a
   * permanent ProviderError with a clear message where the channel cannot (e.g. outside a 24-hour window).
   */
  reply?(ctx: ProviderContext<z.infer<Auth>>, original: LoggedMessage, text: string): Promise<MessageRecord>;
  /**
   * The statuses its messages take, in the order they move: a later status update never moves a message
   * back to an earlier one (a late "sent" never overwrites "delivered"). The message log filters by them.
   */
  messageStatuses?: string[];
  /** Background exports into a connection of this provider from another provider's (by name). */
  exports?: Record<string, ExportDefinition<z.infer<Auth>, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /**
   * Its webhooks bring inbound messages: the conversation key they carry for an address written by a person or
   * another provider (a phone as `+55 (11) 99876-5432`), normalised as its parse does (`+5511998765432`).
   * core.wait_for_reply takes the connections of every provider that has it.
   */
  conversationKey?(address: string): string;
  /** Rules the provider sets for a connection's name (RetailCRM wants integration names of 5 or more characters). */
  connectionName?: { minLength: number };
  /**
   * Set by the registry (never by hand): one of its node types `sends`, so its connections accept a daily
   * send cap (`dailyCap`, `atCap`: see send-cap.ts), added to `auth`.
   */
  sendCap?: true;
}

/** A message row as the reply hook sees it. */
export interface LoggedMessage extends MessageRecord {
  id: string;
  createdAt: Date;
  /** When the last inbound message of this conversation arrived (for 24-hour windows). */
  lastInboundAt: Date | null;
}

export interface TriggerDefinition<Config extends z.ZodType = z.ZodType, Output extends z.ZodType = z.ZodType, Auth = Record<string, unknown>> {
  kind: 'trigger';
  id: string;
  provider: string;
  title: string;
  description?: string;
  /** The event type (ParsedEvent.type) this trigger listens to. */
  event: string;
  config: Config;
  output: Output;
  /** Routing key: only events with this ParsedEvent.key reach the flow (null = all). */
  key?(config: z.infer<Config>): string | null;
  /** Predicate on the event payload, checked at ingest before a run is created. */
  match?(payload: Record<string, unknown>, config: z.infer<Config>): boolean;
  /** Runs as the trigger step inside the run (e.g. load the full order); default: the payload. It only reads. */
  load?(ctx: ActionContext<z.infer<Config>, Auth> & { payload: Record<string, unknown> }): Promise<z.infer<Output>>;
  /** Whether `load` calls out with this config (default: whenever there is a `load`); when not, the step's output is the payload as stored. */
  loads?(config: z.infer<Config>): boolean;
  /** Payloads shaped as the provider sends them, after parse; tested against `output`. */
  fixtures?: Array<Record<string, unknown>>;
  /** Its records move through statuses: the "Status messages" screen builds rules on it (field names of `config`). */
  statusRules?: StatusRuleTrigger;
  /**
   * Output fields that exist only with some config (RetailCRM's `order` only with `loadOrder`): field → the
   * config values it needs. The field picker hides them otherwise, and a template reading one is refused on save.
   */
  outputWhen?: Record<string, Record<string, unknown>>;
}

/** What a node's call does outside Bundles: computes only, asks without changing anything, or changes something. */
export type Effect = 'none' | 'read' | 'write';

/** What `reconcile` learnt from the provider about an attempt whose outcome was unknown. */
export type Reconciled<Output> = { done: true; output: Output } | { done: false };

export interface ReconcileContext<Config, Auth = Record<string, unknown>> extends ActionContext<Config, Auth> {
  /** When the attempt whose outcome is unknown started (by this server's clock). */
  attemptStartedAt: Date;
  /** Of these provider message ids, those the message log already holds (sent by other steps or runs). */
  knownMessageIds(ids: string[]): Promise<Set<string>>;
}

export interface ActionDefinition<Config extends z.ZodType = z.ZodType, Output extends z.ZodType = z.ZodType, Auth = Record<string, unknown>> {
  kind: 'action';
  id: string;
  provider: string;
  title: string;
  description?: string;
  config: Config;
  output: Output;
  /** Output handles (e.g. ['true','false']); omitted = one default output. */
  handles?: string[];
  /** Whether the node uses a connection (default: true unless provider is `core`); `optional`: it may. */
  needsConnection?: boolean | 'optional';
  /** The provider of the connection it uses, when not its own (core.http_request takes an `http` connection). */
  connectionProvider?: string;
  /**
   * It takes a connection of any of several providers: `messaging`, every provider whose webhooks bring
   * messages (ProviderDefinition.conversationKey), which the registry resolves to their ids.
   */
  connectionProviders?: 'messaging' | string[];
  /**
   * What a call does outside Bundles. Before a `write` calls out, the run journals the attempt (and every
   * step finished before it) durably; a run recovered after a crash never repeats a write blindly.
   */
  effect: Effect | ((config: z.infer<Config>) => Effect);
  /** A write the provider makes idempotent (repeating it changes nothing more): it may be repeated after an unknown outcome. */
  idempotent?: boolean | ((config: z.infer<Config>) => boolean);
  /**
   * For a write that is not idempotent: after an attempt whose outcome is unknown (a crash in the middle of
   * the call, a timeout), asks the provider whether it took effect. Throw a retryable ProviderError to ask
   * again later, a permanent one when the provider cannot tell. Without it such a step ends `uncertain`.
   */
  reconcile?(ctx: ReconcileContext<z.infer<Config>, Auth>): Promise<Reconciled<z.infer<Output>>>;
  /**
   * The output is the resolved config itself (core.set): a finished step then stores it once, as its
   * output, and shows it as its input too.
   */
  outputIsInput?: boolean;
  /**
   * What an empty field means, as a template (the Tokopedia reply answers the chat that started the run:
   * `{ msgId: '{{ trigger.msgId }}' }`): applied to the version that runs and to the checks on save, so a
   * bundle whose trigger has no such field is refused there instead of failing every run.
   */
  templateDefaults?: Record<string, string>;
  /** Checks on save and start beyond the config schema (a running version is never refused by them). */
  check?(config: Record<string, unknown>): Array<{ field?: string; message: string }>;
  /**
   * It sends one message (an SMS, a WhatsApp or chat message): counted against its connection's daily send
   * cap, if set; and which config fields hold the recipient, sender, text or template (field names of
   * `config`), for screens that build sends (status rules).
   */
  sends?: MessageSend;
  execute(ctx: ActionContext<z.infer<Config>, Auth>): Promise<z.infer<Output> | ControlResult>;
}

/** The effect of an action with this (rendered) config. */
export function effectOf(def: ActionDefinition<any, any, any>, config: unknown): Effect { // eslint-disable-line @typescript-eslint/no-explicit-any
  return typeof def.effect === 'function' ? def.effect(config) : def.effect;
}

/** Whether repeating this action with this config is harmless. */
export function isIdempotent(def: ActionDefinition<any, any, any>, config: unknown): boolean { // eslint-disable-line @typescript-eslint/no-explicit-any
  return typeof def.idempotent === 'function' ? def.idempotent(config) : (def.idempotent ?? false);
}

export type NodeDefinition = TriggerDefinition<any, any, any> | ActionDefinition<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A provider folder's one export: its definition and its node types, listed once in the registry. */
export interface ProviderModule {
  provider: ProviderDefinition;
  nodeTypes: NodeDefinition[];
}

/** Bundles a provider (from defineProvider) with its node types for the registry. */
export function providerModule(provider: { definition: ProviderDefinition }, nodeTypes: NodeDefinition[]): ProviderModule {
  for (const node of nodeTypes) {
    if (node.provider !== provider.definition.id) throw new Error(`${node.id} belongs to ${node.provider}, not ${provider.definition.id}`);
  }
  return { provider: provider.definition, nodeTypes };
}

/** Starts a provider's definitions: `const twilio = defineProvider({...}); twilio.action({...})`. */
export function defineProvider<Auth extends z.ZodObject>(def: ProviderDefinition<Auth>) {
  type A = z.infer<Auth>;
  return {
    definition: def as unknown as ProviderDefinition,
    trigger<C extends z.ZodType, O extends z.ZodType>(
      t: Omit<TriggerDefinition<C, O, A>, 'kind' | 'provider'>,
    ): TriggerDefinition<C, O, A> {
      return { ...t, kind: 'trigger', provider: def.id };
    },
    action<C extends z.ZodType, O extends z.ZodType>(
      a: Omit<ActionDefinition<C, O, A>, 'kind' | 'provider'>,
    ): ActionDefinition<C, O, A> {
      return { ...a, kind: 'action', provider: def.id };
    },
  };
}

/** A node's config with its action's template defaults in the fields left empty (see ActionDefinition.templateDefaults). */
export function withTemplateDefaults(def: NodeDefinition, config: Record<string, unknown>): Record<string, unknown> {
  if (def.kind !== 'action' || !def.templateDefaults) return config;
  const out = { ...config };
  for (const [field, template] of Object.entries(def.templateDefaults)) {
    const v = out[field];
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) out[field] = template;
  }
  return out;
}
