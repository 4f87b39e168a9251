// The executor: walks a run's version from the trigger, one step at a time, each finished step written before the next.
import type pg from 'pg';
import type { z } from 'zod';
import {
  ProviderError,
  isControlResult,
  type ActionContext,
  type HttpClient,
  type Logger,
  type MessageRecord,
  type NodeDefinition,
  type RateLimiter,
} from '@bundles/nodes';
import type { GraphNode, StepError } from '@bundles/shared';
import type { ConnectionStore } from './connections.js';
import type { VersionCache, PreparedVersion } from './versions.js';
import { renderConfig, TemplateError } from './templates.js';
import { maxStepAttempts, retryDelayMs } from './backoff.js';
import type { RunStatus, StepStatus } from '../db/schema/runs.js';
import type { RunWriter, StepWrite } from './run-writer.js';

export type RuntimeLogger = Logger & { child(bindings: object): RuntimeLogger };

export interface ExecuteDeps {
  pool: pg.Pool;
  connections: ConnectionStore;
  versions: VersionCache;
  http: HttpClient;
  limiter: RateLimiter;
  log: RuntimeLogger;
  writer: RunWriter;
  onStepFinished?(nodeType: string, status: StepStatus, ms: number): void;
  onRunFinished?(status: RunStatus): void;
}

interface PendingStep extends StepWrite {
  messages: MessageRecord[];
  connection_id: string | null;
  provider: string;
}

const loadRunSql = `
select r.id, r.status, r.version_id, e.payload,
  coalesce((select json_agg(json_build_object(
    'node_id', s.node_id, 'node_type', s.node_type, 'status', s.status, 'output', s.output, 'handle', s.handle,
    'attempts', s.attempts, 'resume_at', s.resume_at, 'error', s.error, 'started_at', s.started_at))
    from steps s where s.run_id = r.id), '[]') as steps
from runs r left join events e on e.id = r.event_id
where r.id = $1`;

function errorOf(err: unknown, provider: string): { error: StepError; retryable: boolean; retryAfterMs?: number } {
  if (err instanceof ProviderError) {
    return {
      error: { ...(err.code !== undefined ? { code: err.code } : {}), message: err.message, retryable: err.retryable, provider: err.provider ?? provider },
      retryable: err.retryable,
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    };
  }
  if (err instanceof TemplateError) return { error: { code: 'template_error', message: err.message, retryable: false }, retryable: false };
  if (err && typeof err === 'object' && 'issues' in err && Array.isArray((err as z.ZodError).issues)) {
    const issues = (err as z.ZodError).issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
    return { error: { code: 'invalid_config', message: `Invalid config after mapping: ${issues}`, retryable: false }, retryable: false };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { error: { code: 'internal_error', message, retryable: false }, retryable: false };
}

type LoadedRun = { id: string; status: RunStatus; version_id: string; payload: Record<string, unknown> | null; steps: StepWrite[] };

/**
 * Executes (or resumes) one run. Safe to call again after a crash: finished steps are not run again.
 * `fresh` (the first job of a new run, on its first attempt) holds what would otherwise be read back.
 * `laneJobId`: the run's job, locked by this process's lane; the write that ends the run's turn deletes it.
 */
export async function executeRun(
  deps: ExecuteDeps,
  runId: string,
  fresh?: { versionId: string; payload: Record<string, unknown> },
  laneJobId?: string,
): Promise<RunStatus | 'missing'> {
  let run: LoadedRun | undefined;
  if (fresh) run = { id: runId, status: 'queued', version_id: fresh.versionId, payload: fresh.payload, steps: [] };
  else {
    const { rows } = await deps.pool.query({ name: 'load_run', text: loadRunSql, values: [runId] });
    run = rows[0] as LoadedRun | undefined;
  }
  if (!run) return 'missing';
  if (run.status === 'succeeded' || run.status === 'failed' || run.status === 'filtered') return run.status;
  const version = await deps.versions.get(run.version_id);
  const log = lazyChild(deps.log, { runId, flowId: version.flowId });
  const done = new Map(run.steps.map((s) => [s.node_id, s]));
  const context: { trigger: unknown; steps: Record<string, unknown> } = { trigger: undefined, steps: {} };
  const taken = new Map<string, string | null>(); // node id → handle taken (null: default output)
  const pending: PendingStep[] = [];

  const flush = async (status: RunStatus, error: StepError | null, continueAt: Date | null) => {
    const messages = pending.flatMap((p) =>
      p.messages.map((m) => ({
        connection_id: p.connection_id,
        provider: p.provider,
        direction: m.direction,
        channel: m.channel,
        from: m.from ?? null,
        to: m.to ?? null,
        text: m.text ?? null,
        provider_message_id: m.providerMessageId ?? null,
        status: m.status,
        conversation_key: m.conversationKey ?? null,
      })),
    );
    const steps = pending.map(({ messages: _m, connection_id: _c, provider: _p, ...row }) => row);
    await deps.writer.submit({
      runId,
      workspaceId: version.workspaceId,
      status,
      error,
      continueAt,
      finishJobId: laneJobId && status !== 'running' ? laneJobId : null,
      steps,
      messages,
    });
    pending.length = 0;
  };

  for (const node of version.order) {
    const def = version.defs.get(node.id)!;
    const isTrigger = node.id === version.trigger.id;
    if (!isTrigger) {
      const parents = version.incoming.get(node.id) ?? [];
      const active = parents.some((p) => taken.has(p.source) && (p.handle === null || taken.get(p.source) === p.handle));
      if (!active) continue; // on a branch not taken (or after a node that did not run)
    }
    const prior = done.get(node.id);
    if (prior && prior.status === 'succeeded') {
      if (isTrigger) context.trigger = prior.output;
      else context.steps[node.id] = prior.output;
      taken.set(node.id, prior.handle);
      continue;
    }
    if (prior && prior.status === 'waiting' && prior.resume_at && def.kind === 'action' && def.id === 'core.delay' && !prior.error) {
      const resumeAt = new Date(prior.resume_at);
      if (resumeAt.getTime() > Date.now() + 50) {
        await flush('waiting', null, resumeAt);
        return 'waiting';
      }
      const now = new Date().toISOString();
      pending.push({ ...prior, input: null, status: 'succeeded', finished_at: now, messages: [], connection_id: null, provider: def.provider });
      context.steps[node.id] = prior.output;
      taken.set(node.id, null);
      continue;
    }

    const attempts = prior ? prior.attempts + 1 : 1;
    const startedAt = new Date();
    const messages: MessageRecord[] = [];
    const nodeLog = log.child({ nodeId: node.id, nodeType: def.id });
    let input: unknown = null;
    try {
      const conn = node.connectionId ? await deps.connections.get(node.connectionId) : null;
      if (node.connectionId && !conn) throw new ProviderError({ message: 'The connection of this node was deleted: choose another one.', code: 'connection_missing', retryable: false });
      const baseCtx = {
        connection: conn?.context ?? emptyConnection,
        http: deps.http,
        limiter: deps.limiter,
        log: nodeLog,
        idempotencyKey: `${runId}:${node.id}`,
        runId,
        nodeId: node.id,
        recordMessage: (m: MessageRecord) => messages.push(m),
      };
      let output: unknown;
      let handle: string | null = null;
      if (isTrigger) {
        const payload = run.payload ?? {};
        input = payload;
        if (def.kind === 'trigger' && def.load) {
          const config = (def.config as z.ZodType).parse(node.config);
          output = await def.load({ ...baseCtx, config, payload });
        } else output = payload;
        context.trigger = output;
      } else {
        const rendered = await renderConfig(node.config, context);
        input = rendered;
        const config = (def.config as z.ZodType).parse(rendered);
        const result = await (def as Extract<NodeDefinition, { kind: 'action' }>).execute({ ...baseCtx, config } as ActionContext<unknown>);
        if (isControlResult(result)) {
          output = result.output;
          if (result.control === 'filtered') {
            pending.push(stepRow(node, def, 'succeeded', input, output, null, null, attempts, startedAt, messages, conn?.id ?? null));
            deps.onStepFinished?.(def.id, 'succeeded', Date.now() - startedAt.getTime());
            await flush('filtered', null, null);
            deps.onRunFinished?.('filtered');
            nodeLog.info({}, 'run filtered');
            return 'filtered';
          }
          if (result.control === 'wait') {
            const row = stepRow(node, def, 'waiting', input, output, null, null, attempts, startedAt, messages, conn?.id ?? null);
            row.resume_at = result.until.toISOString();
            row.finished_at = null;
            pending.push(row);
            await flush('waiting', null, result.until);
            return 'waiting';
          }
          handle = result.handle;
        } else output = result;
        context.steps[node.id] = output;
      }
      taken.set(node.id, handle);
      pending.push(stepRow(node, def, 'succeeded', input, output, null, handle, attempts, startedAt, messages, conn?.id ?? null));
      deps.onStepFinished?.(def.id, 'succeeded', Date.now() - startedAt.getTime());
      // Steps that called out are written at once; pure ones (and the trigger, whose load only reads)
      // travel with the next write, since running them again after a crash changes nothing.
      const sideEffects = !isTrigger && (messages.length > 0 || def.provider !== 'core' || def.id === 'core.http_request');
      if (sideEffects && !isLastActive(version, node.id)) await flush('running', null, null);
    } catch (err) {
      const { error, retryable, retryAfterMs } = errorOf(err, def.provider);
      const ms = Date.now() - startedAt.getTime();
      if (retryable && attempts < maxStepAttempts) {
        const delay = retryDelayMs(attempts, retryAfterMs);
        nodeLog.warn({ attempts, delayMs: delay, code: error.code }, 'step failed, retry scheduled');
        const row = stepRow(node, def, 'waiting', input, null, error, null, attempts, startedAt, messages, null);
        row.finished_at = null;
        pending.push(row);
        deps.onStepFinished?.(def.id, 'waiting', ms);
        await flush('waiting', null, new Date(Date.now() + delay));
        return 'waiting';
      }
      nodeLog.warn({ attempts, code: error.code, message: error.message }, 'step failed, run failed');
      pending.push(stepRow(node, def, 'failed', input, null, error, null, attempts, startedAt, messages, null));
      deps.onStepFinished?.(def.id, 'failed', ms);
      await flush('failed', { ...error, message: `${node.id}: ${error.message}` }, null);
      deps.onRunFinished?.('failed');
      return 'failed';
    }
  }
  await flush('succeeded', null, null);
  deps.onRunFinished?.('succeeded');
  log.debug({}, 'run succeeded');
  return 'succeeded';
}

/** A child logger made on first use: most runs log nothing, and pino children cost per run. */
function lazyChild(parent: RuntimeLogger, bindings: object): RuntimeLogger {
  let child: RuntimeLogger | null = null;
  const get = () => (child ??= parent.child(bindings));
  return {
    debug: (obj, msg) => get().debug(obj, msg),
    info: (obj, msg) => get().info(obj, msg),
    warn: (obj, msg) => get().warn(obj, msg),
    error: (obj, msg) => get().error(obj, msg),
    child: (more) => lazyChild(parent, { ...bindings, ...more }),
  };
}

const emptyConnection = { id: '', provider: 'core', name: '', config: {}, webhookUrl: '', memo: new Map() };

function isLastActive(version: PreparedVersion, nodeId: string): boolean {
  return !version.graph.edges.some((e) => e.source === nodeId);
}

function stepRow(
  node: GraphNode,
  def: NodeDefinition,
  status: StepStatus,
  input: unknown,
  output: unknown,
  error: StepError | null,
  handle: string | null,
  attempts: number,
  startedAt: Date,
  messages: MessageRecord[],
  connectionId: string | null,
): PendingStep {
  return {
    node_id: node.id,
    node_type: def.id,
    status,
    input: input ?? null,
    output: output ?? null,
    error,
    handle,
    attempts,
    resume_at: null,
    started_at: startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    messages,
    connection_id: connectionId ?? node.connectionId ?? null,
    provider: def.provider,
  };
}
