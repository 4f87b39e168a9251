// The walk of a test run: the draft once, in memory, nothing journaled. Writes answer a sample from their
// output schema unless sent for real; reads and pure steps run as they would; waits are not waited; no retry.
// Nothing is written to runs, steps, messages or send counts: a test never counts as traffic.
import type pg from 'pg';
import type { z } from 'zod';
import { DONE_HANDLE, effectOf, isControlResult, ITEM_HANDLE, ProviderError, toJsonSchema, type ActionContext, type ActionDefinition, type HttpClient, type NodeDefinition, type RateLimiter } from '@bundles/nodes';
import type { GraphNode, StepError, TestStep } from '@bundles/shared';
import type { ConnectionStore } from './connections.js';
import type { RuntimeLogger } from './execute.js';
import { connectionLedger } from './ledger.js';
import { sampleOf } from './sample.js';
import { classifyError, PermanentStepError } from './step-errors.js';
import { elementStepId } from './for-each.js';
import { renderConfig } from './templates.js';
import type { PreparedVersion } from './versions.js';
import { answerReplyInTest } from './reply-waits.js';

export interface TestWalkDeps {
  pool: pg.Pool;
  connections: ConnectionStore;
  http: HttpClient;
  limiter: RateLimiter;
  log: RuntimeLogger;
}

export interface TestWalkInput {
  id: string;
  version: PreparedVersion;
  payload: Record<string, unknown>;
  /** Outputs of the event's real run by node id: a test of one step takes what runs before it from there. */
  recorded: Map<string, { output: unknown; handle: string | null }>;
  /** Test this node alone (with what runs before it); null: the whole bundle. */
  nodeId: string | null;
  /** Writes of the tested node (or of every node, for a whole-bundle test) call the provider. */
  live: boolean;
  /** Answers to the bundle's "Wait for reply" steps, by node id (TestInput.replies); none: `timeout`. */
  replies?: Record<string, { text: string } | 'timeout'>;
  /** When the test gives up (ms since the epoch): the step running then fails `test_timeout`. */
  deadline: number;
}

export interface TestWalkResult {
  status: 'succeeded' | 'failed' | 'filtered';
  trigger: unknown;
  steps: TestStep[];
}

type ActionDef = ActionDefinition<z.ZodType, z.ZodType>;

const emptyConnection = { id: '', provider: 'core', name: '', config: {}, webhookUrl: '', memo: new Map() };

/** The node and every node that runs before it. */
export function ancestorsAndSelf(version: PreparedVersion, nodeId: string): Set<string> {
  const out = new Set<string>([nodeId]);
  const stack = [nodeId];
  while (stack.length) {
    for (const p of version.incoming.get(stack.pop()!) ?? []) {
      if (!out.has(p.source)) {
        out.add(p.source);
        stack.push(p.source);
      }
    }
  }
  return out;
}

class TestTimeout extends Error {}

function beforeDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  const left = deadline - Date.now();
  if (left <= 0) return Promise.reject(new TestTimeout());
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TestTimeout()), left)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function walkTest(deps: TestWalkDeps, input: TestWalkInput): Promise<TestWalkResult> {
  return new TestWalk(deps, input).walk();
}

class TestWalk {
  private context: { trigger: unknown; steps: Record<string, unknown>; item?: unknown; index?: number } = { trigger: undefined, steps: {} };
  /** A for-each element's step ids (`post[3]` → `post`) while it is walked. */
  private element: Map<string, string> | null = null;
  private readonly taken = new Map<string, string | null>();
  private readonly steps: TestStep[] = [];
  private readonly runs: Set<string> | null;

  constructor(
    private readonly deps: TestWalkDeps,
    private readonly input: TestWalkInput,
  ) {
    this.runs = input.nodeId ? ancestorsAndSelf(input.version, input.nodeId) : null;
  }

  async walk(): Promise<TestWalkResult> {
    const { version } = this.input;
    for (const node of version.order) {
      if (this.runs && !this.runs.has(node.id)) continue;
      // A for-each's body runs once per element, from the for-each's step.
      if (version.loopOwner.has(node.id)) continue;
      if (!this.reachable(node)) continue;
      if (node.disabled) {
        this.record(node, null, null);
        continue;
      }
      const outcome = await this.step(node, version.defs.get(node.id)!);
      if (outcome !== 'continue') return { status: outcome, trigger: this.context.trigger, steps: this.steps };
    }
    return { status: 'succeeded', trigger: this.context.trigger, steps: this.steps };
  }

  private reachable(node: GraphNode): boolean {
    if (node.id === this.input.version.trigger.id) return true;
    const parents = this.input.version.incoming.get(node.id) ?? [];
    return parents.some((p) => this.taken.has(p.source) && (p.handle === null || this.taken.get(p.source) === p.handle));
  }

  private record(node: GraphNode, output: unknown, handle: string | null): void {
    if (node.id === this.input.version.trigger.id) this.context.trigger = output;
    else this.context.steps[this.element?.get(node.id) ?? node.id] = output;
    this.taken.set(node.id, handle);
  }

  private push(node: GraphNode, def: NodeDefinition, startedAt: Date, fields: Partial<TestStep> & Pick<TestStep, 'status'>): void {
    this.steps.push({
      nodeId: node.id,
      nodeType: def.id,
      input: null,
      output: null,
      error: null,
      handle: null,
      stubbed: false,
      recorded: false,
      skippedWait: null,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      ...fields,
    });
  }

  /** Whether this node's writes call the provider in this test. */
  private sendsForReal(node: GraphNode): boolean {
    return this.input.live && (this.input.nodeId === null || this.input.nodeId === node.id);
  }

  private async step(node: GraphNode, def: NodeDefinition): Promise<'continue' | 'failed' | 'filtered'> {
    const startedAt = new Date();
    const isTrigger = node.id === this.input.version.trigger.id;
    const recorded = this.input.nodeId !== node.id ? this.input.recorded.get(node.id) : undefined;
    if (recorded) {
      this.push(node, def, startedAt, { status: 'succeeded', output: recorded.output, handle: recorded.handle, recorded: true });
      this.record(node, recorded.output, recorded.handle);
      return 'continue';
    }
    let input: unknown = null;
    try {
      const conn = node.connectionId ? await this.deps.connections.get(node.connectionId) : null;
      if (node.connectionId && !conn) throw new ProviderError({ message: 'The connection of this node was deleted: choose another one.', code: 'connection_missing', retryable: false });
      const key = `test:${this.input.id}:${node.id}`;
      const ctx = {
        connection: conn?.context ?? emptyConnection,
        http: this.deps.http,
        limiter: this.deps.limiter,
        log: this.deps.log.child({ testRunId: this.input.id, nodeId: node.id }),
        idempotencyKey: key,
        ledger: connectionLedger(this.deps.pool, conn?.id ?? null, key),
        runId: this.input.id,
        nodeId: node.id,
        // A test is not traffic: what it sends stays out of the message log.
        recordMessage: () => undefined,
      };
      if (isTrigger && def.kind === 'trigger') {
        const config = (def.config as z.ZodType).parse(node.config);
        const payload = this.input.payload;
        const output = def.load && def.loads?.(config) !== false ? await beforeDeadline(def.load({ ...ctx, config, payload }), this.input.deadline) : payload;
        this.push(node, def, startedAt, { status: 'succeeded', output });
        this.record(node, output, null);
        return 'continue';
      }
      const action = def as ActionDef;
      input = await renderConfig(node.config, this.context);
      const config = (def.config as z.ZodType).parse(input);
      if (effectOf(action, config) === 'write' && !this.sendsForReal(node)) {
        const output = sampleOf(toJsonSchema(def.output, 'output'));
        this.push(node, def, startedAt, { status: 'succeeded', input, output, stubbed: true });
        this.record(node, output, null);
        return 'continue';
      }
      const result = await beforeDeadline(Promise.resolve(action.execute({ ...ctx, config } as ActionContext<unknown>)), this.input.deadline);
      if (!isControlResult(result)) return this.succeed(node, def, startedAt, input, result, null);
      if (result.control === 'branch') return this.succeed(node, def, startedAt, input, result.output, result.handle);
      if (result.control === 'each') return this.succeed(node, def, startedAt, { items: result.items.length }, await this.forEach(node, result.items), DONE_HANDLE);
      if (result.control === 'filtered') {
        // As in a run: the filter step succeeded, and the run ends filtered.
        this.push(node, def, startedAt, { status: 'succeeded', input, output: result.output });
        return 'filtered';
      }
      // A wait is not waited in a test: the step says until when, and the walk goes on.
      if (Number.isNaN(result.until.getTime())) throw new PermanentStepError('invalid_date', 'The time to wait until is not a valid date');
      if (result.control === 'reply') {
        const answered = answerReplyInTest(result, conn, this.input.replies?.[node.id]);
        this.push(node, def, startedAt, { status: 'succeeded', input, output: answered.output, handle: answered.handle, skippedWait: result.until.toISOString() });
        this.record(node, answered.output, answered.handle);
        return 'continue';
      }
      this.push(node, def, startedAt, { status: 'succeeded', input, output: result.output, skippedWait: result.until.toISOString() });
      this.record(node, result.output, null);
      return 'continue';
    } catch (err) {
      const error: StepError =
        err instanceof TestTimeout
          ? { code: 'test_timeout', message: 'The test took too long and was stopped: this step had not answered yet.', retryable: false }
          : classifyError(err, def.provider).error;
      // As in a run: what the step had to show before it failed (a code step's console lines) is its output.
      this.push(node, def, startedAt, { status: 'failed', input, error, ...(err instanceof ProviderError && err.output !== undefined ? { output: err.output } : {}) });
      return 'failed';
    }
  }

  /** As in a run (RunWalk.forEach): the body once per element; an element that fails or is filtered ends there. */
  private async forEach(loop: GraphNode, items: unknown[]) {
    const { version } = this.input;
    const body = version.loops.get(loop.id)?.nodes ?? [];
    const outer = this.context;
    const elements: Array<{ index: number; status: 'succeeded' | 'failed' | 'filtered'; error?: { code: string; message: string } }> = [];
    for (let index = 0; index < items.length; index++) {
      this.element = new Map();
      this.context = { trigger: outer.trigger, steps: { ...outer.steps }, item: items[index], index };
      let status: 'succeeded' | 'failed' | 'filtered' = 'succeeded';
      try {
        for (const node of body) {
          const parents = version.incoming.get(node.id) ?? [];
          const reached = parents.some((p) => (p.source === loop.id ? p.handle === ITEM_HANDLE : this.taken.has(elementStepId(p.source, index)) && (p.handle === null || this.taken.get(elementStepId(p.source, index)) === p.handle)));
          if (!reached) continue;
          const copy: GraphNode = { ...node, id: elementStepId(node.id, index) };
          this.element.set(copy.id, node.id);
          const outcome = node.disabled ? (this.record(copy, null, null), 'continue' as const) : await this.step(copy, version.defs.get(node.id)!);
          if (outcome !== 'continue') {
            status = outcome;
            break;
          }
        }
      } finally {
        this.element = null;
        this.context = outer;
      }
      const failedStep = status === 'failed' ? this.steps.at(-1)?.error : null;
      elements.push({ index, status, ...(failedStep ? { error: { code: String(failedStep.code ?? 'error'), message: failedStep.message } } : {}) });
    }
    const failed = elements.filter((e) => e.status === 'failed').length;
    return { count: items.length, succeeded: items.length - failed, failed, elements };
  }

  private succeed(node: GraphNode, def: NodeDefinition, startedAt: Date, input: unknown, output: unknown, handle: string | null): 'continue' {
    this.push(node, def, startedAt, { status: 'succeeded', input, output, handle });
    this.record(node, output, handle);
    return 'continue';
  }
}
