// The executor: walks a run's version from the trigger, one step at a time. Writes are journaled: before a
// write step calls out, every step finished before it and the attempt itself are durable (one write,
// group-committed with other runs'), so a run resumed after a crash skips what finished and never repeats
// a write blindly: it asks the provider (reconcile), repeats an idempotent one, or ends the step uncertain.
import { AsyncLocalStorage } from 'node:async_hooks';
import { connectionLedger } from './ledger.js';
import type pg from 'pg';
import type { z } from 'zod';
import {
  effectOf,
  DONE_HANDLE,
  ITEM_HANDLE,
  isControlResult,
  isIdempotent,
  ProviderError,
  type ActionContext,
  type ActionDefinition,
  type HttpClient,
  type Logger,
  type MessageRecord,
  type NodeDefinition,
  type RateLimiter,
  WAIT_FOR_REPLY,
  httpClientFor,
} from '@bundles/nodes';
import type { GraphNode, StepError } from '@bundles/shared';
import type { ConnectionStore, LoadedConnection } from './connections.js';
import type { VersionCache, PreparedVersion } from './versions.js';
import { renderConfig } from './templates.js';
import { maxStepAttempts, retryDelayMs } from './backoff.js';
import type { RunStatus, StepStatus } from '../db/schema/runs.js';
import { providerIdIn } from '../db/schema/messages.js';
import type { RunWriter, StepWrite, MessageWrite } from './run-writer.js';
import type { FreshRun } from './queue.js';
import { passTurn, takeTurn } from './conversations.js';
import { classifyError, isDataError, isInfrastructureError, LostLeaseError, PermanentStepError } from './step-errors.js';
import { storableText, unstorableReason } from './storable.js';
import { inputHeldByMessage, loggedMessages, outputToStore, putEchoesBack, sendsOf, type LoggedMessage } from './step-input.js';
import type { AllowedHostsCache } from './allowed-hosts.js';
import type { CrashPoint } from './crash-points.js';
import { giveSendBack, takeSend, type CountedSend } from './send-cap.js';
import { elementStepId } from './for-each.js';

type ForEachElement = { index: number; status: 'succeeded' | 'failed' | 'filtered'; error?: { code: string; message: string } };
import { replyWaitOf, resumeReplyWait, type ReplyWaitWrite } from './reply-waits.js';

export type RuntimeLogger = Logger & { child(bindings: object): RuntimeLogger };

/** The job a run executes under, and the id that locks it in graphile-worker's table. */
export interface RunLease {
  jobId: string;
  lockedBy: string;
}

export interface ExecuteDeps {
  pool: pg.Pool;
  connections: ConnectionStore;
  versions: VersionCache;
  http: HttpClient;
  limiter: RateLimiter;
  log: RuntimeLogger;
  writer: RunWriter;
  /** Each workspace's allowed private addresses, applied to every call its runs make. */
  allowedHosts?: AllowedHostsCache;
  /** Tests only: dies at a named step boundary (see crash-points.ts). */
  crashPoint?(point: CrashPoint): void;
  onStepFinished?(nodeType: string, status: StepStatus, ms: number): void;
  onRunFinished?(status: RunStatus, run?: FinishedRun): void;
}

/** A run that ended, as error bundles see it (see run-failures.ts). */
export interface FinishedRun {
  runId: string;
  flowId: string;
  versionId: string;
  workspaceId: string;
  /** The trigger of the version it ran: a run of an error bundle never starts another. */
  triggerType: string;
  startedAt: string;
  /** The step that failed or ended uncertain, if one did. */
  step: { nodeId: string; type: string; error: StepError } | null;
}

interface PendingStep extends StepWrite {
  messages: MessageRecord[];
  connection_id: string | null;
  provider: string;
}

type ActionDef = ActionDefinition<z.ZodType, z.ZodType>;

const loadRunSql = `
select r.id, r.status, r.version_id, r.flow_id, r.conversation_key, r.seq, e.payload,
  coalesce((select json_agg(json_build_object(
    'node_id', s.node_id, 'status', s.status, 'output', s.output, 'handle', s.handle,
    'attempts', s.attempts, 'resume_at', s.resume_at, 'error', s.error, 'started_at', s.started_at))
    from (
      -- A journaled attempt is the step's latest state (a retry's earlier outcome stays in steps until it is known);
      -- the ingest journals a run's first write in the run row itself.
      select j.node_id, 'running' as status, null::json as output, null as handle, j.attempts, null::timestamptz as resume_at, null::json as error, j.started_at
      from step_journal j where j.run_id = r.id
      union all
      select r.journal_node, 'running', null, null, 1, null, null, r.started_at where r.journal_node is not null
      union all
      select s.node_id, s.status, s.output, s.handle, s.attempts, s.resume_at, s.error, s.started_at
      from steps s where s.run_id = r.id and not exists (select 1 from step_journal j where j.run_id = r.id and j.node_id = s.node_id)
    ) s), '[]') as steps
from runs r left join events e on e.id = r.event_id
where r.id = $1`;

interface LoadedRun {
  id: string;
  status: RunStatus;
  version_id: string;
  flow_id: string;
  conversation_key: string | null;
  seq: number | null;
  payload: Record<string, unknown> | null;
  steps: StepWrite[];
}

/** Statuses a run does not leave by itself (an uncertain run waits for a person: see RunService.resolve). */
const settledStatuses = new Set<RunStatus>(['succeeded', 'failed', 'filtered', 'uncertain']);

/**
 * Executes (or resumes) one run. Safe to call again after a crash: finished steps are not run again.
 * `fresh` (the first job of a new run, on its first attempt) holds what would otherwise be read back.
 * `laneJobId`: the run's job, locked by this process's lane; the write that ends the run's turn deletes it.
 * `lease`: the run's job and who locks it here; every journal write checks this process still holds it.
 */
export async function executeRun(deps: ExecuteDeps, runId: string, fresh?: FreshRun, laneJobId?: string, lease?: RunLease): Promise<RunStatus | 'missing' | 'parked'> {
  let run: LoadedRun | undefined;
  if (fresh) {
    run = { id: runId, status: 'queued', version_id: fresh.versionId, flow_id: fresh.flowId, conversation_key: fresh.conversationKey, seq: fresh.seq, payload: fresh.payload, steps: [] };
  } else {
    const { rows } = await deps.pool.query({ name: 'load_run', text: loadRunSql, values: [runId] });
    run = rows[0] as LoadedRun | undefined;
  }
  if (!run) return 'missing';
  if (settledStatuses.has(run.status)) return run.status;
  const version = await deps.versions.get(run.version_id);
  if (!fresh) await putEchoesBack(run.steps, (s) => sendsOf(version, s.node_id), (ids) => loggedMessages(deps.pool, run.id, ids));
  const conversation = run.conversation_key === null ? null : { id: run.id, flowId: run.flow_id, conversationKey: run.conversation_key, seq: Number(run.seq) };
  if (conversation && !(await takeTurn(deps.pool, conversation, laneJobId ?? null))) return 'parked';
  // The calls of a run reach what its workspace allows besides the operator's list (one cached read).
  const allowed = deps.allowedHosts ? await deps.allowedHosts.of(version.workspaceId) : [];
  const walkDeps = allowed.length > 0 ? { ...deps, http: httpClientFor(allowed, deps.http) } : deps;
  const status = await new RunWalk(walkDeps, run, version, laneJobId ?? null, fresh?.journaled ?? null, lease ?? null).walk();
  if (conversation && settledStatuses.has(status)) {
    // A lost wake-up is found again by the worker's maintenance (wakeForgottenRuns).
    await passTurn(deps.pool, conversation).catch((err) => deps.log.warn({ runId, err: (err as Error).message }, 'could not wake the next run of the conversation'));
  }
  return status;
}

/**
 * A child logger made on first use: most runs log nothing, and pino children cost per run. A class, so that a
 * run's logger makes no closures (each would also be named at run time under tsx).
 */
class LazyChild implements RuntimeLogger {
  private made: RuntimeLogger | null = null;
  constructor(
    private readonly parent: RuntimeLogger,
    private readonly bindings: object,
  ) {}
  private get log(): RuntimeLogger {
    return (this.made ??= this.parent.child(this.bindings));
  }
  debug(obj: object, msg?: string): void {
    this.log.debug(obj, msg);
  }
  info(obj: object, msg?: string): void {
    this.log.info(obj, msg);
  }
  warn(obj: object, msg?: string): void {
    this.log.warn(obj, msg);
  }
  error(obj: object, msg?: string): void {
    this.log.error(obj, msg);
  }
  child(more: object): RuntimeLogger {
    return new LazyChild(this.parent, { ...this.bindings, ...more });
  }
}

const emptyConnection = { id: '', provider: 'core', name: '', config: {}, webhookUrl: '', memo: new Map() };

function stepRow(
  node: GraphNode,
  def: NodeDefinition,
  status: StepStatus,
  fields: { input?: unknown; output?: unknown; error?: StepError | null; handle?: string | null; attempts: number; startedAt: Date; messages?: MessageRecord[]; connectionId: string | null },
): PendingStep {
  const open = status === 'running' || status === 'waiting';
  return {
    node_id: node.id,
    node_type: def.id,
    status,
    input: fields.input ?? null,
    output: fields.output ?? null,
    error: fields.error ?? null,
    handle: fields.handle ?? null,
    attempts: fields.attempts,
    resume_at: null,
    started_at: fields.startedAt.toISOString(),
    finished_at: open ? null : new Date().toISOString(),
    messages: fields.messages ?? [],
    connection_id: fields.connectionId ?? node.connectionId ?? null,
    provider: def.provider,
  };
}

const storedText = (v: string | null | undefined) => (v === undefined || v === null ? null : storableText(v));

/** A message's fields as the message log stores them. */
function loggedMessage(m: MessageRecord): LoggedMessage {
  return { from: storedText(m.from), to: storedText(m.to), text: storedText(m.text), provider_message_id: storedText(m.providerMessageId) };
}

function messageWrite(p: PendingStep, m: MessageRecord): MessageWrite {
  return {
    connection_id: p.connection_id,
    provider: p.provider,
    direction: m.direction,
    channel: m.channel,
    ...loggedMessage(m),
    status: m.status,
    conversation_key: storedText(m.conversationKey),
  };
}

/** What a step's attempt needs to know when it ends in an error. */
interface Attempt {
  node: GraphNode;
  def: NodeDefinition;
  input: unknown;
  attempts: number;
  startedAt: Date;
  messages: MessageRecord[];
  write: boolean;
  idempotent: boolean;
  log: RuntimeLogger;
  /** A send counted against its connection's daily cap by this attempt (see holdSend). */
  counted: CountedSend | null;
  /** Whether the call went out (or may have): before it, a counted send surely did not happen. */
  calledOut: boolean;
}

interface WalkContext {
  trigger: unknown;
  steps: Record<string, unknown>;
  item?: unknown;
  index?: number;
}

/** A for-each element in progress: its steps' ids (`post[3]` → `post`) and how it ended, if it did. */
interface ElementScope {
  index: number;
  context: WalkContext;
  plain: Map<string, string>;
  ended: 'failed' | 'filtered' | null;
  error: StepError | null;
  /** The run is to wait (a delay, a retry, a send cap) until then; the loop ends it once every element in flight settled. */
  waitUntil: Date | null;
}

/** The element an async call chain of the walk belongs to: elements run side by side (`concurrency`). */
const elementScope = new AsyncLocalStorage<ElementScope>();

/** Kept on a step that stopped its for-each element at a filter, so a resumed run stops the element there too. */
const FILTERED_HANDLE = '(filtered)';

/** One execution of a run: the context built so far, the steps not yet written, and the branches taken. */
class RunWalk {
  /** What templates read outside for-each elements (an element reads its own: see `context`). */
  private readonly root: WalkContext = { trigger: undefined, steps: {} };
  /** Node id → handle taken (null: the default output). Nodes missing here did not finish: their children do not run. */
  private readonly taken = new Map<string, string | null>();
  private readonly pending: PendingStep[] = [];
  private readonly done: Map<string, StepWrite>;
  private readonly log: RuntimeLogger;
  private uncertain = false;
  /** The step the run failed on, or the first that ended uncertain. */
  private endedOn: FinishedRun['step'] = null;
  /** When this execution began: the run's start, kept by its first write (the run's duration is true then). */
  private readonly startedAt = new Date().toISOString();
  /** The wait for a reply the next write stores with its waiting step (core.wait_for_reply). */
  private replyWait: ReplyWaitWrite | null = null;

  constructor(
    private readonly deps: ExecuteDeps,
    private readonly run: LoadedRun,
    private readonly version: PreparedVersion,
    private readonly laneJobId: string | null,
    /** The write whose first attempt the ingest statement already journaled (a fresh run only). */
    private journaledAtIngest: string | null,
    private readonly lease: RunLease | null,
  ) {
    this.done = new Map(run.steps.map((s) => [s.node_id, s]));
    this.log = new LazyChild(deps.log, { runId: run.id, flowId: version.flowId });
  }

  async walk(): Promise<RunStatus> {
    try {
      return await this.walkNodes();
    } catch (err) {
      if (err instanceof RunRefused) return 'failed';
      throw err;
    }
  }

  /** What templates read: inside a for-each element also `item` and `index`, and that element's steps. */
  private get context(): WalkContext {
    return elementScope.getStore()?.context ?? this.root;
  }

  private get element(): ElementScope | null {
    return elementScope.getStore() ?? null;
  }

  private async walkNodes(): Promise<RunStatus> {
    for (const node of this.version.order) {
      // A for-each's body runs once per element, from the for-each's step.
      if (this.version.loopOwner.has(node.id)) continue;
      if (!this.reachable(node)) continue;
      const outcome = await this.visit(node, this.version.defs.get(node.id)!);
      if (outcome !== 'continue') return outcome;
    }
    return this.end(this.uncertain ? 'uncertain' : 'succeeded', null, null);
  }

  /** One node: passed through, taken from a finished step, resumed after a delay, or run. */
  private async visit(node: GraphNode, def: NodeDefinition): Promise<'continue' | RunStatus> {
    if (node.disabled) {
      // Passed through on its default output, with no step: its children see a null output.
      this.record(node, null, null);
      return 'continue';
    }
    const prior = this.done.get(node.id);
    if (prior?.status === 'succeeded') {
      this.record(node, prior.output, prior.handle);
      if (this.element && prior.handle === FILTERED_HANDLE) return this.end('filtered', null, null);
      return 'continue';
    }
    if (this.element && prior?.status === 'failed') return this.end('failed', prior.error, null);
    if (prior?.status === 'uncertain') {
      // Settled by a person or not at all: the steps after it wait, the other branches go on.
      this.uncertain = true;
      return 'continue';
    }
    if (prior && prior.status === 'waiting' && prior.resume_at && def.id === 'core.delay' && !prior.error) {
      const resumeAt = new Date(prior.resume_at);
      if (resumeAt.getTime() > Date.now() + 50) return this.end('waiting', null, resumeAt);
      this.pending.push({ ...prior, input: null, status: 'succeeded', finished_at: new Date().toISOString(), messages: [], connection_id: null, provider: def.provider });
      this.record(node, prior.output, null);
      return 'continue';
    }
    if (prior?.status === 'waiting' && def.id === WAIT_FOR_REPLY && !prior.error) {
      const resumed = await resumeReplyWait(this.deps.pool, this.run.id, node.id, prior.output);
      if (!resumed.settled) {
        this.replyWait = resumed.wait;
        return this.end('waiting', null, resumed.until);
      }
      this.pending.push({ ...prior, input: null, status: 'succeeded', output: resumed.output, handle: resumed.handle, finished_at: new Date().toISOString(), messages: [], connection_id: null, provider: def.provider });
      this.record(node, resumed.output, resumed.handle);
      return 'continue';
    }
    return this.step(node, def, prior);
  }

  /**
   * core.for_each: its body once per element, `concurrency` elements at a time, each element's steps stored
   * as their own steps (`post[3]`), so a run resumed after a crash or a wait goes on at the elements and
   * steps it stopped at. An element that fails or is filtered ends there; the others go on; then `done`.
   * An element that makes the run wait stops new ones from starting; the run waits once those in flight settle.
   */
  private async forEach(attempt: Attempt, items: unknown[], concurrency: number, conn: LoadedConnection | null): Promise<'continue' | RunStatus> {
    const loopId = attempt.node.id;
    const body = this.version.loops.get(loopId)?.nodes ?? [];
    const elements: ForEachElement[] = [];
    const waits: Date[] = [];
    const errors: unknown[] = [];
    let next = 0;
    const lane = async () => {
      while (waits.length === 0 && errors.length === 0 && next < items.length) {
        const index = next++;
        const scope: ElementScope = { index, context: { trigger: this.root.trigger, steps: { ...this.root.steps }, item: items[index], index }, plain: new Map(), ended: null, error: null, waitUntil: null };
        try {
          await elementScope.run(scope, () => this.walkElement(body, loopId, scope));
        } catch (err) {
          errors.push(err);
          return;
        }
        if (scope.waitUntil) waits.push(scope.waitUntil);
        else elements[index] = { index, status: scope.ended ?? 'succeeded', ...(scope.ended === 'failed' && scope.error ? { error: { code: String(scope.error.code ?? 'error'), message: scope.error.message } } : {}) };
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
    if (errors.length > 0) throw errors[0];
    // The run comes back to the elements that did not finish.
    if (waits.length > 0) return this.end('waiting', null, new Date(Math.min(...waits.map((w) => w.getTime()))));
    const failed = elements.filter((e) => e.status === 'failed').length;
    // The list is stored where it came from (the event, an earlier step): the step keeps its length only.
    attempt.input = { items: items.length };
    return this.succeed(attempt, { count: items.length, succeeded: items.length - failed, failed, elements }, DONE_HANDLE, conn);
  }

  private async walkElement(body: GraphNode[], loopId: string, scope: ElementScope): Promise<void> {
    for (const node of body) {
      if (!this.reachableInElement(node, loopId, scope.index)) continue;
      const copy: GraphNode = { ...node, id: elementStepId(node.id, scope.index) };
      scope.plain.set(copy.id, node.id);
      const outcome = await this.visit(copy, this.version.defs.get(node.id)!);
      // Ended (failed, filtered) or to wait: end() said which on the scope.
      if (outcome !== 'continue') return;
    }
  }

  private reachableInElement(node: GraphNode, loopId: string, index: number): boolean {
    return (this.version.incoming.get(node.id) ?? []).some((p) => {
      if (p.source === loopId) return p.handle === ITEM_HANDLE;
      const parent = elementStepId(p.source, index);
      return this.taken.has(parent) && (p.handle === null || this.taken.get(parent) === p.handle);
    });
  }

  private reachable(node: GraphNode): boolean {
    if (node.id === this.version.trigger.id) return true;
    const parents = this.version.incoming.get(node.id) ?? [];
    return parents.some((p) => this.taken.has(p.source) && (p.handle === null || this.taken.get(p.source) === p.handle));
  }

  private record(node: GraphNode, output: unknown, handle: string | null): void {
    if (node.id === this.version.trigger.id) this.context.trigger = output;
    else this.context.steps[this.element?.plain.get(node.id) ?? node.id] = output;
    this.taken.set(node.id, handle);
  }

  private async end(status: RunStatus, error: StepError | null, continueAt: Date | null): Promise<RunStatus> {
    const element = this.element;
    if (element && (status === 'failed' || status === 'filtered')) {
      // Ends the for-each element, not the run.
      element.ended = status;
      element.error = error;
      this.endedOn = null;
      return status;
    }
    if (element && status === 'waiting') {
      // The loop makes the run wait once the other elements in flight have settled.
      element.waitUntil = continueAt ?? new Date();
      return status;
    }
    await this.flush(status, error, continueAt);
    if (status !== 'waiting') this.deps.onRunFinished?.(status, this.finished());
    return status;
  }

  private finished(): FinishedRun {
    const v = this.version;
    return { runId: this.run.id, flowId: v.flowId, versionId: v.id, workspaceId: v.workspaceId, triggerType: v.trigger.type, startedAt: this.startedAt, step: this.endedOn };
  }

  /** Runs one node; answers 'continue' to go on with the walk, or the status the run stops in. */
  private async step(node: GraphNode, def: NodeDefinition, prior: StepWrite | undefined): Promise<'continue' | RunStatus> {
    const isTrigger = node.id === this.version.trigger.id;
    const attempt: Attempt = {
      node,
      def,
      input: null,
      attempts: (prior?.attempts ?? 0) + 1,
      startedAt: new Date(),
      messages: [],
      write: false,
      idempotent: false,
      log: this.log.child({ nodeId: node.id, nodeType: def.id }),
      counted: null,
      calledOut: false,
    };
    let conn: LoadedConnection | null = null;
    try {
      conn = node.connectionId ? await this.deps.connections.get(node.connectionId) : null;
      if (node.connectionId && !conn) throw new ProviderError({ message: 'The connection of this node was deleted: choose another one.', code: 'connection_missing', retryable: false });
      const ctx = {
        connection: conn?.context ?? emptyConnection,
        http: this.deps.http,
        limiter: this.deps.limiter,
        log: attempt.log,
        idempotencyKey: `${this.run.id}:${node.id}`,
        ledger: connectionLedger(this.deps.pool, conn?.id ?? null, `${this.run.id}:${node.id}`),
        runId: this.run.id,
        nodeId: node.id,
        recordMessage: (m: MessageRecord) => attempt.messages.push(m),
      };
      if (isTrigger && def.kind === 'trigger') {
        const payload = this.run.payload ?? {};
        const config = (def.config as z.ZodType).parse(node.config);
        if (!def.load || def.loads?.(config) === false) {
          // The payload is stored with the event: no step row repeats it (the API shows it as the trigger step).
          this.record(node, payload, null);
          return 'continue';
        }
        // What it read is kept: a run resumed later goes on from the same data.
        return this.succeed(attempt, await def.load({ ...ctx, config, payload }), null, conn);
      }
      const action = def as ActionDef;
      const rendered = await renderConfig(node.config, this.context);
      attempt.input = rendered;
      const config = (def.config as z.ZodType).parse(rendered);
      attempt.write = effectOf(action, config) === 'write';
      attempt.idempotent = attempt.write && isIdempotent(action, config);
      if (attempt.write) {
        const outcomeUnknown = prior !== undefined && (prior.status === 'running' || prior.error?.ambiguous === true);
        if (outcomeUnknown && !attempt.idempotent) {
          const settled = await this.settleUnknown(attempt, action, { ...ctx, config }, prior, conn);
          if (settled !== 'call') return settled;
        }
        // A capped connection's send is counted before it is journaled; an uncapped one reads one property.
        if (conn?.sendCap && action.sends) {
          const held = await this.holdSend(attempt, conn, prior);
          if (held) return held;
        }
        // The journal: this attempt, and every step finished before it, are durable before the call goes out
        // (for a run's first write, nothing runs before it, and the ingest statement may have written it).
        if (this.journaledAtIngest === node.id && prior === undefined) this.journaledAtIngest = null;
        else {
          // A send whose message can hold its input journals none: once it succeeds the input lives in the
          // message log only (a stored input would be kept by the upsert); ending uncertain or failed, it is written then.
          const journalInput = action.sends?.messageId ? null : attempt.input;
          this.pending.push(stepRow(node, def, 'running', { input: journalInput, attempts: attempt.attempts, startedAt: attempt.startedAt, connectionId: conn?.id ?? null }));
          await this.flush('running', null, null, this.lease);
        }
        this.deps.crashPoint?.(`before-call:${node.id}`);
      }
      attempt.calledOut = true;
      const result = await action.execute({ ...ctx, config } as ActionContext<unknown>);
      if (attempt.write) this.deps.crashPoint?.(`after-call:${node.id}`);
      if (!isControlResult(result)) return this.succeed(attempt, result, null, conn);
      if (result.control === 'branch') return this.succeed(attempt, result.output, result.handle, conn);
      if (result.control === 'each') return this.forEach(attempt, result.items, result.concurrency, conn);
      if (result.control === 'filtered') {
        this.succeed(attempt, result.output, this.element ? FILTERED_HANDLE : null, conn);
        attempt.log.info({}, 'run filtered');
        return this.end('filtered', null, null);
      }
      const row = stepRow(node, def, 'waiting', { input: attempt.input, output: result.output, attempts: attempt.attempts, startedAt: attempt.startedAt, messages: attempt.messages, connectionId: conn?.id ?? null });
      if (Number.isNaN(result.until.getTime())) throw new PermanentStepError('invalid_date', 'The time to wait until is not a valid date');
      row.resume_at = result.until.toISOString();
      if (result.control === 'reply') ({ wait: this.replyWait, output: row.output } = replyWaitOf(result, conn, node.id, this.version.flowId));
      this.pending.push(row);
      return this.end('waiting', null, result.until);
    } catch (err) {
      // The database failed, not the step: the run returns to the queue (nothing was called since the journal).
      if (isInfrastructureError(err)) {
        if (attempt.counted && !attempt.calledOut) await this.giveBack(attempt);
        throw err;
      }
      return this.fail(attempt, err, conn);
    }
  }

  /** A step that finished: checked storable, then kept for the next write. */
  private succeed(attempt: Attempt, output: unknown, handle: string | null, conn: LoadedConnection | null): 'continue' {
    const problem = unstorableReason(output, { nulInValues: 'replace' }) ?? unstorableReason(attempt.input, { nulInValues: 'replace' });
    if (problem) {
      const what = attempt.write ? `${attempt.def.title} was carried out, but its answer cannot be stored` : `The step's data cannot be stored`;
      throw new PermanentStepError('unstorable_output', `${what}: ${problem}`);
    }
    const { node, def } = attempt;
    // An output that is the resolved config is stored once (the run view shows it as the input too); so is
    // a send's input that is just its message's recipient, sender and text (the message log holds them).
    const sends = (def as ActionDef).sends;
    const logged = attempt.messages.map(loggedMessage);
    const heldByMessage = sends !== undefined && inputHeldByMessage(sends, attempt.input, output, logged);
    const input = (def as ActionDef).outputIsInput || heldByMessage ? null : attempt.input;
    // Later steps read the whole output (this.record); the stored one leaves its message's fields to the log.
    this.pending.push(stepRow(node, def, 'succeeded', { input, output: outputToStore(sends, output, logged), handle, attempts: attempt.attempts, startedAt: attempt.startedAt, messages: attempt.messages, connectionId: conn?.id ?? null }));
    this.deps.onStepFinished?.(def.id, 'succeeded', Date.now() - attempt.startedAt.getTime());
    this.record(node, output, handle);
    return 'continue';
  }

  /**
   * A write whose last attempt has no known outcome (the process died during it, or it failed ambiguously):
   * ask the provider. Answers 'call' when it surely did not happen, else how the walk goes on.
   */
  private async settleUnknown(attempt: Attempt, action: ActionDef, ctx: ActionContext<unknown>, prior: StepWrite, conn: LoadedConnection | null): Promise<'call' | 'continue' | RunStatus> {
    if (!action.reconcile) {
      return this.markUncertain(attempt, prior.attempts, `The last attempt's outcome is unknown (${prior.error?.message ?? 'the process stopped during the call'}), and ${attempt.def.title} cannot be asked whether it took effect.`);
    }
    const connectionId = conn?.id ?? null;
    const knownMessageIds = async (ids: string[]) => {
      if (ids.length === 0 || !connectionId) return new Set<string>();
      const { rows } = await this.deps.pool.query(`select provider_message_id as id from messages where connection_id = $1 and ${providerIdIn('provider_message_id', '$2')}`, [connectionId, ids]);
      return new Set(rows.map((r) => r.id as string));
    };
    try {
      const found = await action.reconcile({ ...ctx, attemptStartedAt: new Date(prior.started_at ?? attempt.startedAt), knownMessageIds });
      if (!found.done) return 'call';
      attempt.attempts = prior.attempts;
      attempt.log.info({}, 'the attempt whose outcome was unknown had taken effect: not sent again');
      return this.succeed(attempt, found.output, null, conn);
    } catch (err) {
      if (isInfrastructureError(err)) throw err;
      if (err instanceof ProviderError && err.retryable) {
        // Asked again at the next attempt: the outcome stays unknown until the provider answers.
        throw new ProviderError({ message: `Could not ask ${err.provider ?? attempt.def.provider} whether the last attempt took effect: ${err.message}`, code: err.code, retryable: true, retryAfterMs: err.retryAfterMs, provider: err.provider, ambiguous: true });
      }
      return this.markUncertain(attempt, prior.attempts, `The last attempt's outcome is unknown and ${attempt.def.title} could not tell: ${classifyError(err, attempt.def.provider).error.message}`);
    }
  }

  /**
   * Counts a send against its connection's daily cap, in PostgreSQL (every process shares the count).
   * At the cap the step waits for the next day of the workspace's time zone (`atCap: 'wait'`: the run
   * continues then with a job, no worker held) or fails for good (`'fail'`). Answers how the walk ends, or
   * null to send. A send counted but never known to be refused is kept: an attempt whose outcome turns out
   * unknown and is called again after asking the provider counts twice (never zero times).
   */
  private async holdSend(attempt: Attempt, conn: LoadedConnection, prior: StepWrite | undefined): Promise<RunStatus | null> {
    const cap = conn.sendCap!;
    const took = await takeSend(this.deps.pool, conn.id, this.version.workspaceId, cap.cap);
    if (took.taken) {
      attempt.counted = took.send;
      return null;
    }
    const reached = `The daily send cap of "${conn.context.name}" is reached: ${took.count} of ${cap.cap} messages sent today (${took.day}, ${took.timeZone})`;
    if (cap.atCap === 'fail') throw new PermanentStepError('daily_cap_reached', `${reached}. Raise the cap on the connection, or retry the run tomorrow.`);
    const { node, def } = attempt;
    const error: StepError = { code: 'daily_cap_reached', message: `${reached}; the step waits until the next day begins (${took.nextDay.toISOString()}).`, retryable: true, provider: def.provider };
    // No attempt was made: the count of attempts (and the retry limit) is left as it was.
    const row = stepRow(node, def, 'waiting', { input: attempt.input, error, attempts: prior?.attempts ?? 0, startedAt: attempt.startedAt, connectionId: conn.id });
    row.resume_at = took.nextDay.toISOString();
    this.pending.push(row);
    this.deps.onStepFinished?.(def.id, 'waiting', Date.now() - attempt.startedAt.getTime());
    attempt.log.info({ day: took.day, cap: cap.cap }, 'daily send cap reached: the step waits for the next day');
    return this.end('waiting', null, took.nextDay);
  }

  /** Gives back a send counted by this attempt (best effort: a count left over errs on the side of fewer sends). */
  private async giveBack(attempt: Attempt): Promise<void> {
    const send = attempt.counted;
    attempt.counted = null;
    if (!send) return;
    await giveSendBack(this.deps.pool, send).catch((err) => attempt.log.warn({ err: (err as Error).message }, 'could not give back a counted send'));
  }

  /** `attempts`: the attempts made, the last of which has the unknown outcome. */
  private markUncertain(attempt: Attempt, attempts: number, message: string): 'continue' {
    const { node, def } = attempt;
    const error: StepError = { code: 'outcome_unknown', message: storableText(message), retryable: false, ambiguous: true, provider: def.provider };
    this.pending.push(stepRow(node, def, 'uncertain', { input: attempt.input, error, attempts, startedAt: attempt.startedAt, messages: attempt.messages, connectionId: node.connectionId ?? null }));
    this.deps.onStepFinished?.(def.id, 'uncertain', Date.now() - attempt.startedAt.getTime());
    this.endedOn ??= { nodeId: node.id, type: def.id, error };
    attempt.log.warn({}, 'step uncertain: its outcome is unknown and it is not sent again by itself');
    this.uncertain = true;
    return 'continue';
  }

  private async fail(attempt: Attempt, err: unknown, conn: LoadedConnection | null): Promise<'continue' | RunStatus> {
    const { node, def } = attempt;
    const c = classifyError(err, def.provider);
    // A send that surely did not happen is not counted: it failed before the call, or the provider refused it
    // (a ProviderError not ambiguous: a check of the node's own, a 4xx, a 429). One that may have is kept.
    if (attempt.counted && (!attempt.calledOut || (err instanceof ProviderError && !err.ambiguous))) await this.giveBack(attempt);
    const ms = Date.now() - attempt.startedAt.getTime();
    // What the step had to show before it failed (a code step's console lines) is kept as its output.
    const output = err instanceof ProviderError ? err.output : undefined;
    if (attempt.write && c.ambiguous && !attempt.idempotent) {
      const action = def as ActionDef;
      // Never resent blindly: without a way to ask, the step is uncertain; with one, the next attempt asks first.
      if (!action.reconcile || attempt.attempts >= maxStepAttempts) {
        return this.markUncertain(attempt, attempt.attempts, `The call may have taken effect, but no answer says so: ${c.error.message}`);
      }
      c.retryable = true;
    }
    if (c.retryable && attempt.attempts < maxStepAttempts) {
      const delay = retryDelayMs(attempt.attempts, c.retryAfterMs);
      attempt.log.warn({ attempts: attempt.attempts, delayMs: delay, code: c.error.code }, 'step failed, retry scheduled');
      this.pending.push(stepRow(node, def, 'waiting', { input: attempt.input, output, error: c.error, attempts: attempt.attempts, startedAt: attempt.startedAt, messages: attempt.messages, connectionId: conn?.id ?? null }));
      this.deps.onStepFinished?.(def.id, 'waiting', ms);
      return this.end('waiting', null, new Date(Date.now() + delay));
    }
    attempt.log.warn({ attempts: attempt.attempts, code: c.error.code, message: c.error.message }, 'step failed, run failed');
    this.pending.push(stepRow(node, def, 'failed', { input: attempt.input, output, error: c.error, attempts: attempt.attempts, startedAt: attempt.startedAt, messages: attempt.messages, connectionId: conn?.id ?? null }));
    this.deps.onStepFinished?.(def.id, 'failed', ms);
    this.endedOn = { nodeId: node.id, type: def.id, error: c.error };
    return this.end('failed', { ...c.error, message: `${node.id}: ${c.error.message}` }, null);
  }

  /** Writes the pending steps, their messages and the run's state; data PostgreSQL refuses fails the run instead of repeating forever. */
  private async flush(status: RunStatus, error: StepError | null, continueAt: Date | null, fence: RunLease | null = null): Promise<void> {
    // Taken now: for-each elements running side by side add rows meanwhile, for the next write.
    const rows = this.pending.splice(0);
    const write = {
      fence,
      runId: this.run.id,
      workspaceId: this.version.workspaceId,
      startedAt: this.startedAt,
      status,
      error,
      continueAt,
      finishJobId: this.laneJobId && status !== 'running' ? this.laneJobId : null,
      steps: rows.map(({ messages: _m, connection_id: _c, provider: _p, ...row }) => row),
      messages: rows.flatMap((p) => p.messages.map((m) => messageWrite(p, m))),
      replyWait: status === 'waiting' ? this.replyWait : null,
    };
    try {
      const { fenced } = await this.deps.writer.submit(write);
      if (fenced) {
        this.log.warn({ jobId: fence?.jobId }, 'the run was taken over by another worker: stopped before calling out');
        throw new LostLeaseError(this.run.id);
      }
      if (this.deps.crashPoint) for (const row of write.steps) if (row.status === 'succeeded') this.deps.crashPoint(`after-write:${row.node_id}`);
    } catch (err) {
      if (!isDataError(err)) throw err;
      // The same data would be refused at every retry: the run fails now, with the steps' data left out.
      const reason = storableText(`The run's data could not be stored (${(err as Error).message})`);
      this.log.error({ err: reason }, 'run write refused by the database; the run fails instead');
      const steps = write.steps.map((s) => (s.status === 'succeeded' ? { ...s, input: null, output: null } : { ...s, input: null, output: null, status: 'failed' as const, error: { code: 'unstorable', message: reason } }));
      await this.deps.writer.submit({ ...write, status: 'failed', error: { code: 'unstorable', message: reason }, continueAt: null, finishJobId: this.laneJobId, steps, messages: [], replyWait: null });
      this.deps.onRunFinished?.('failed', { ...this.finished(), step: this.endedOn ?? null });
      throw new RunRefused();
    }
    this.replyWait = null;
  }
}

/** Ends a walk whose data the database refused: the run was written as failed. */
class RunRefused extends Error {}
