// Shapes of the API's answers, shared by the server's routes and the editor.
import { z } from 'zod';
import { roleSchema, tokenScopeSchema } from './roles.js';
import { flowGraphSchema } from './graph.js';
import { flowIssueSchema } from './errors.js';

export const flowStatusSchema = z.enum(['draft', 'running', 'stopped']);
/** `uncertain`: a write's outcome is unknown and the provider cannot tell; a person settles the step. */
export const runStatusSchema = z.enum(['queued', 'running', 'waiting', 'succeeded', 'failed', 'filtered', 'uncertain']);
export const stepStatusSchema = z.enum(['running', 'succeeded', 'failed', 'skipped', 'waiting', 'uncertain']);

const timestamp = z.string();

export const stepErrorSchema = z.object({
  code: z.union([z.string(), z.number()]).optional(),
  message: z.string(),
  retryable: z.boolean().optional(),
  provider: z.string().optional(),
  /** The call may have taken effect although it failed (a timeout, a dropped connection). */
  ambiguous: z.boolean().optional(),
});
export type StepError = z.infer<typeof stepErrorSchema>;

export const flowSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: flowStatusSchema,
  graph: flowGraphSchema,
  activeVersion: z.object({ id: z.string(), number: z.number(), createdAt: timestamp }).nullable(),
  hasDraftChanges: z.boolean(),
  lastRun: z.object({ id: z.string(), status: runStatusSchema, createdAt: timestamp }).nullable(),
  /** Built and kept by a screen (a rule of Status messages): edits on the canvas are overwritten when the rule is saved. */
  managedBy: z.object({ kind: z.literal('status_rule'), ruleId: z.string(), connectionId: z.string() }).nullable().optional(),
  /**
   * What keeps the draft from starting (node and field named), answered by a bundle's read and save (not by
   * the list): any graph saves as a draft, only Start requires none.
   */
  problems: z.array(flowIssueSchema).optional(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Flow = z.infer<typeof flowSchema>;

/** One published version of a bundle. */
export const flowVersionSchema = z.object({
  version: z.number(),
  id: z.string(),
  createdAt: timestamp,
  /** Who started it; null for older versions or a removed user. */
  createdBy: z.object({ id: z.string(), email: z.string() }).nullable(),
  /** The version that runs now. */
  live: z.boolean(),
});
export type FlowVersion = z.infer<typeof flowVersionSchema>;
export const flowVersionDetailSchema = flowVersionSchema.extend({ graph: flowGraphSchema });
export type FlowVersionDetail = z.infer<typeof flowVersionDetailSchema>;

export const connectionSchema = z.object({
  id: z.string(),
  provider: z.string(),
  name: z.string(),
  config: z.record(z.string(), z.unknown()),
  secretsSet: z.array(z.string()),
  webhookUrl: z.string().nullable(),
  /** The provider's setup steps for this connection, with its own webhook URL (null: none). */
  setup: z.string().nullable().optional(),
  status: z.enum(['untested', 'ok', 'broken']),
  lastTest: z.object({ ok: z.boolean().nullable(), message: z.string(), at: timestamp }).nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Connection = z.infer<typeof connectionSchema>;

/** GET /api/connections/:id/usage: messages sent today (the workspace's time zone) against the daily cap (null: none). */
export const connectionUsageSchema = z.object({ today: z.number().int(), cap: z.number().int().nullable(), day: z.string() });
export type ConnectionUsage = z.infer<typeof connectionUsageSchema>;

export const stepSchema = z.object({
  nodeId: z.string(),
  nodeType: z.string(),
  status: stepStatusSchema,
  input: z.unknown(),
  output: z.unknown(),
  error: stepErrorSchema.nullable(),
  attempts: z.number(),
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  /** How a person settled the step when it was uncertain. */
  resolution: z.enum(['marked_done', 'sent_again']).nullable(),
  /** The output handle it went on on (`true`/`false` of a branch, `reply`/`timeout` of a wait for a reply); null: the default output. */
  handle: z.string().nullable().optional(),
});
export type Step = z.infer<typeof stepSchema>;

export const stepResolutionSchema = z.object({
  action: z.enum(['send_again', 'mark_done']),
  /** With mark_done: what later steps may read as this step's output (default {}). */
  output: z.record(z.string(), z.unknown()).optional(),
});
export type StepResolution = z.infer<typeof stepResolutionSchema>;

export const runSchema = z.object({
  id: z.string(),
  flowId: z.string(),
  versionId: z.string(),
  eventId: z.string().nullable(),
  status: runStatusSchema,
  error: stepErrorSchema.nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
});
export type Run = z.infer<typeof runSchema>;

/** One attempt of a run: a retry starts a new one, on the version the run ran or on the live one. */
export const runAttemptSchema = z.object({
  number: z.number(),
  versionNumber: z.number().nullable(),
  status: runStatusSchema,
  error: stepErrorSchema.nullable(),
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  /** How the retry that began this attempt chose its version (null for the first attempt). */
  retriedOn: z.enum(['original', 'live']).nullable(),
});
export type RunAttempt = z.infer<typeof runAttemptSchema>;

export const runDetailSchema = runSchema.extend({
  /** The number of the version it runs (null when that version is gone). */
  versionNumber: z.number().nullable().optional(),
  /** A run of a started bundle (test runs answer `test: true`, see testRunSchema). */
  test: z.literal(false).optional(),
  /** Every attempt, oldest first, the current one last; one for a run never retried. */
  attempts: z.array(runAttemptSchema).optional(),
  trigger: z.unknown(),
  steps: z.array(stepSchema),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

/** One step of a test run: `stubbed` writes answered a sample, `recorded` ones were taken from the event's run. */
export const testStepSchema = z.object({
  nodeId: z.string(),
  nodeType: z.string(),
  status: z.enum(['succeeded', 'failed']),
  input: z.unknown(),
  output: z.unknown(),
  error: stepErrorSchema.nullable(),
  handle: z.string().nullable(),
  stubbed: z.boolean(),
  recorded: z.boolean(),
  /** A wait (a delay) is not waited in a test: when the run would have gone on. */
  skippedWait: timestamp.nullable(),
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
});
export type TestStep = z.infer<typeof testStepSchema>;

/** A test of the draft (POST /api/flows/:id/test); `GET /api/runs/:id` shows it too. */
export const testRunSchema = z.object({
  id: z.string(),
  test: z.literal(true),
  flowId: z.string(),
  status: z.enum(['succeeded', 'failed', 'filtered']),
  eventId: z.string().nullable(),
  nodeId: z.string().nullable(),
  live: z.boolean(),
  trigger: z.unknown(),
  steps: z.array(testStepSchema),
  startedAt: timestamp,
  finishedAt: timestamp,
});
export type TestRun = z.infer<typeof testRunSchema>;
export const testRunSummarySchema = testRunSchema.omit({ trigger: true, steps: true });
export type TestRunSummary = z.infer<typeof testRunSummarySchema>;

export const testInputSchema = z.object({
  eventId: z.string().optional(),
  payload: z.record(z.string(), z.unknown()).optional(),
  nodeId: z.string().optional(),
  live: z.boolean().optional(),
  /**
   * How the bundle's "Wait for reply" steps are answered, by node id: a reply's text, or `timeout`. A step
   * given none goes on on `timeout` (a test never waits).
   */
  replies: z.record(z.string(), z.union([z.object({ text: z.string().max(4096) }), z.literal('timeout')])).optional(),
});
export type TestInput = z.infer<typeof testInputSchema>;

/** An event the bundle's trigger received (also while the bundle was stopped), for tests and the picker. */
export const recordedEventSchema = z.object({
  id: z.string(),
  type: z.string(),
  receivedAt: timestamp,
  summary: z.string(),
  payload: z.unknown(),
  /** The latest real run of this event for the bundle. */
  runId: z.string().nullable(),
});
export type RecordedEvent = z.infer<typeof recordedEventSchema>;

export const eventSchema = z.object({
  id: z.string(),
  /** Null for an event Bundles made itself (a run failed, a schedule's tick). */
  connectionId: z.string().nullable(),
  type: z.string(),
  dedupeKey: z.string(),
  payload: z.unknown(),
  duplicates: z.number(),
  receivedAt: timestamp,
});
export type BundlesEvent = z.infer<typeof eventSchema>;

export const messageSchema = z.object({
  id: z.string(),
  provider: z.string(),
  connectionId: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  channel: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  text: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  status: z.string(),
  error: stepErrorSchema.nullable(),
  conversationKey: z.string().nullable(),
  runId: z.string().nullable(),
  /** The bundle of the run that sent it, or of the run that took a received one as its reply (core.wait_for_reply); null: neither. */
  flowId: z.string().nullable().optional(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type Message = z.infer<typeof messageSchema>;

export const deliverySchema = z.object({
  id: z.string(),
  receivedAt: timestamp,
  outcome: z.enum(['accepted', 'duplicate', 'rejected']),
  reason: z.string().nullable(),
  eventIds: z.array(z.string()),
  /** The events it carried, as stored (a payload is kept once, with its event). */
  events: z.array(z.object({ id: z.string(), type: z.string(), payload: z.unknown() })),
  /** The decoded body, kept only for an accepted delivery that carried no event (nothing else holds it). */
  body: z.unknown().nullable(),
});
export type Delivery = z.infer<typeof deliverySchema>;

/** A background export into a connection from another one (e.g. SALESmanago ← RetailCRM). */
export const exportSchema = z.object({
  id: z.string(),
  connectionId: z.string(),
  sourceConnectionId: z.string(),
  kind: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  done: z.number().int(),
  total: z.number().int(),
  failed: z.number().int(),
  errors: z.array(z.string()),
  report: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: timestamp,
  finishedAt: timestamp.nullable(),
});
export type ConnectionExport = z.infer<typeof exportSchema>;

/** GET /api/me: who is calling, and in which workspace (its name as GET /api/settings/workspace answers it). */
export const meSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string().nullable() }),
  workspace: z.object({ id: z.string(), name: z.string() }),
  /** What this request may do in the workspace (a token's scope caps its user's role). */
  role: roleSchema,
});
export type Me = z.infer<typeof meSchema>;

/** The longest an API token may live (POST /api/tokens `expiresInDays`). */
export const MAX_TOKEN_DAYS = 3650;

/** One API token of the workspace, as GET /api/tokens lists it: never its value or its hash. */
export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The value's first characters (`bnd_` and 4 more), to tell tokens apart; null for tokens made before it was kept. */
  prefix: z.string().nullable(),
  createdAt: timestamp,
  /** Recorded at most once a minute; null: never used. */
  lastUsedAt: timestamp.nullable(),
  /** Null: never expires. */
  expiresAt: timestamp.nullable(),
  /** What it may do: `read` (as a viewer), `write` (as an editor), `admin` (as its user); never above its user's role. */
  scope: tokenScopeSchema,
  /** The e-mail address of the user it belongs to (an admin lists every member's tokens). */
  userEmail: z.string(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

/**
 * POST /api/tokens: a name, a scope (default: the highest the caller's role allows), and optionally how many
 * days the token lives (default: until revoked).
 */
export const apiTokenInputSchema = z.object({
  name: z.string().trim().min(1).max(100),
  scope: tokenScopeSchema.optional(),
  expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).optional(),
});
export type ApiTokenInput = z.infer<typeof apiTokenInputSchema>;

/** The answer of POST /api/tokens: the token with its value, which is shown this once and never again. */
export const createdApiTokenSchema = apiTokenSchema.extend({ token: z.string() });
export type CreatedApiToken = z.infer<typeof createdApiTokenSchema>;

/** `GET /api/node-types/core.schedule/preview`: a schedule's next three ticks (ISO times, UTC). */
export const schedulePreviewSchema = z.object({ next: z.array(z.string()) });
export type SchedulePreview = z.infer<typeof schedulePreviewSchema>;

/** One workspace of the calling user, as GET /api/workspaces lists it: their role there, and whether this request acts in it. */
export const workspaceSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  /** This request acts in it (the session's current workspace, or the token's). */
  current: z.boolean(),
});
export type WorkspaceSummary = z.infer<typeof workspaceSummarySchema>;
