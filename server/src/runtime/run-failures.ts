// "A run failed" (core.error_trigger): when a run ends failed or uncertain, the workspace's running error
// bundles that want it get a run. Costs one cached lookup per failed run when no error bundle runs.
import type pg from 'pg';
import { getNodeType, RUN_FAILED_EVENT, type RunFailedPayload } from '@bundles/nodes';
import type { FinishedRun, RuntimeLogger } from './execute.js';
import { startInternalRuns } from './internal-runs.js';
import type { Waker } from './queue.js';
import type { SubscriptionCache } from './subscriptions.js';
import type { RunStatus } from '../db/schema/runs.js';

export const ERROR_TRIGGER_TYPE = 'core.error_trigger';

export interface RunFailureDeps {
  pool: pg.Pool;
  waker: Waker;
  subscriptions: SubscriptionCache;
  log: RuntimeLogger;
  publicUrl: () => string;
}

async function payloadOf(pool: pg.Pool, status: 'failed' | 'uncertain', run: FinishedRun, publicUrl: string): Promise<RunFailedPayload> {
  const { rows } = await pool.query<{ name: string; number: number | null }>({
    name: 'run_failed_names',
    text: `select f.name, v.number from flows f left join flow_versions v on v.id = $2 where f.id = $1`,
    values: [run.flowId, run.versionId],
  });
  const step = run.step ? { nodeId: run.step.nodeId, type: run.step.type, error: { code: String(run.step.error.code ?? 'error'), message: run.step.error.message } } : null;
  return {
    run: { id: run.runId, flowId: run.flowId, flowName: rows[0]?.name ?? '', version: rows[0]?.number ?? null, status, startedAt: run.startedAt },
    step,
    url: `${publicUrl.replace(/\/$/, '')}/bundles/${run.flowId}?run=${run.runId}`,
  };
}

/** Starts the error bundles' runs for a run that ended; never for a run of an error bundle (no loops). */
export async function reportRunEnded(deps: RunFailureDeps, status: RunStatus, run: FinishedRun): Promise<string[]> {
  if (status !== 'failed' && status !== 'uncertain') return [];
  if (run.triggerType === ERROR_TRIGGER_TYPE) return [];
  const subs = (await deps.subscriptions.internal(run.workspaceId, RUN_FAILED_EVENT)).filter((s) => s.flowId !== run.flowId);
  if (subs.length === 0) return [];
  const payload = await payloadOf(deps.pool, status, run, deps.publicUrl());
  const def = getNodeType(ERROR_TRIGGER_TYPE);
  const wanted = subs.filter((s) => def?.kind === 'trigger' && (!def.match || def.match(payload, def.config.parse(s.config))));
  return startInternalRuns(
    deps,
    wanted.map((s) => ({ workspaceId: run.workspaceId, subscription: s, dedupeKey: `run:${run.runId}:${status}`, payload, searchKey: run.runId })),
  );
}

/** The hook the executor calls: failures to start error bundles are logged, never thrown into the run. */
export function runFailureHook(deps: RunFailureDeps): (status: RunStatus, run?: FinishedRun) => void {
  return (status, run) => {
    if (!run) return;
    reportRunEnded(deps, status, run).catch((err: unknown) => deps.log.error({ err: (err as Error).message, runId: run.runId }, 'could not start the error bundles of a failed run'));
  };
}
