// Runs with their steps, received events, and retrying a failed run from its failed step.
import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { NodeDefinition } from '@bundles/nodes';
import type { BundlesEvent, Run, RunAttempt, RunDetail, StepResolution } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { events, flows, flowVersions, messages, runs, stepJournal, steps, triggerSubscriptions, uncertainRuns, type RunStatus } from '../db/schema/index.js';
import { prepareVersion } from '../runtime/versions.js';
import { stepNodeId } from '../runtime/for-each.js';
import { echoSource, inputFromMessage, outputWithEchoes, sendsOfDef, type LoggedMessage } from '../runtime/step-input.js';
import { AppError, notFound } from './errors.js';
import { timeBounds } from './time-bounds.js';
import { isUuid } from '../ids.js';

type RunRow = typeof runs.$inferSelect;

export interface RunListQuery {
  flowId?: string | undefined;
  status?: RunStatus | undefined;
  /** The trigger connection: runs of the bundles whose trigger listens (or listened) to it. */
  connectionId?: string | undefined;
  q?: string | undefined;
  /** Created at or after / before (ISO 8601). */
  from?: string | undefined;
  to?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

export interface RunPage {
  items: Run[];
  /** The cursor of the next page, or null when this is the last. */
  nextCursor: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function presentRun(r: RunRow): Run {
  return {
    id: r.id,
    flowId: r.flowId,
    versionId: r.versionId,
    eventId: r.eventId,
    status: r.status,
    error: r.error ?? null,
    createdAt: r.createdAt.toISOString(),
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
  };
}


export class RunService {
  constructor(private db: Db) {}

  /**
   * Newest first, a page at a time. `q` finds the runs of one order, transaction or sender (runs.search_key,
   * a B-tree); `connectionId` the runs of the bundles subscribed to that trigger connection (any version),
   * through runs_flow_idx; `from`/`to` bound the creation time; `cursor` is the last run of the previous page.
   */
  async list(workspaceId: string, q: RunListQuery): Promise<RunPage> {
    const empty = { items: [], nextCursor: null };
    const where: SQL[] = [eq(runs.workspaceId, workspaceId)];
    for (const id of [q.flowId, q.cursor, q.connectionId]) if (id !== undefined && !isUuid(id)) return empty;
    if (q.flowId) where.push(eq(runs.flowId, q.flowId));
    if (q.connectionId) {
      const subscribed = await this.db
        .selectDistinct({ flowId: triggerSubscriptions.flowId })
        .from(triggerSubscriptions)
        .where(and(eq(triggerSubscriptions.connectionId, q.connectionId), eq(triggerSubscriptions.workspaceId, workspaceId)));
      if (subscribed.length === 0) return empty;
      where.push(inArray(runs.flowId, subscribed.map((f) => f.flowId)));
    }
    if (q.status) where.push(eq(runs.status, q.status));
    if (q.q) where.push(eq(runs.searchKey, q.q));
    where.push(...timeBounds(runs.createdAt, q));
    if (q.cursor) where.push(sql`(${runs.createdAt}, ${runs.id}) < (select created_at, id from runs where id = ${q.cursor})`);
    const limit = Math.min(q.limit ?? 50, 500);
    // One more than the page: whether there is a next one, without counting.
    const rows = await this.db
      .select()
      .from(runs)
      .where(and(...where))
      .orderBy(desc(runs.createdAt), desc(runs.id))
      .limit(limit + 1);
    const items = rows.slice(0, limit).map(presentRun);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
  }

  async get(workspaceId: string, id: string): Promise<RunDetail> {
    if (!isUuid(id)) throw notFound('Run');
    const [row] = await this.db
      .select({ run: runs, payload: events.payload, graph: flowVersions.graph, versionNumber: flowVersions.number })
      .from(runs)
      .leftJoin(events, eq(events.id, runs.eventId))
      .leftJoin(flowVersions, eq(flowVersions.id, runs.versionId))
      .where(and(eq(runs.id, id), eq(runs.workspaceId, workspaceId)));
    if (!row) throw notFound('Run');
    const [stored, journaled] = await Promise.all([
      this.db.select().from(steps).where(eq(steps.runId, id)).orderBy(asc(steps.startedAt), asc(steps.nodeId)),
      this.db.select().from(stepJournal).where(eq(stepJournal.runId, id)),
    ]);
    // A write in flight is the step's latest state: running, its outcome not yet known (see step_journal);
    // the ingest journals a run's first write in the run row itself (runs.journal_node).
    const { journalNode, startedAt } = row.run;
    if (journalNode && startedAt) journaled.push({ runId: id, nodeId: journalNode, input: null, attempts: 1, startedAt });
    const inFlight = new Set(journaled.map((j) => j.nodeId));
    const stepRows: StepRow[] = [
      ...stored.filter((s) => !inFlight.has(s.nodeId)),
      ...journaled.map((j) => ({ ...j, status: 'running' as const, output: null, error: null, handle: null, resumeAt: null, resolution: null, finishedAt: null })),
    ];
    const version = row.graph ? prepareVersion(row.run.versionId, row.run.flowId, workspaceId, row.graph) : null;
    // A trigger that loads nothing has no row of its own: its output is the event's payload.
    const trigger = version?.trigger;
    if (trigger && row.run.startedAt && !stepRows.some((s) => s.nodeId === trigger.id)) {
      stepRows.push({
        runId: id,
        nodeId: trigger.id,
        status: 'succeeded',
        input: null,
        output: row.payload ?? null,
        error: null,
        handle: null,
        attempts: 1,
        resumeAt: null,
        resolution: null,
        startedAt: row.run.startedAt,
        finishedAt: row.run.startedAt,
      });
    }
    // Steps in the order the graph runs them (several can start within the same millisecond).
    if (version) {
      const order = version.order.map((n) => n.id);
      stepRows.sort((a, b) => order.indexOf(a.nodeId) - order.indexOf(b.nodeId));
    }
    // A step's type is its node's in the version it ran (a version never changes).
    const defOf = (nodeId: string) => version?.defs.get(stepNodeId(nodeId));
    const sent = await this.messagesOfSends(row.run, stepRows, defOf);
    return {
      ...presentRun(row.run),
      test: false,
      versionNumber: row.versionNumber ?? null,
      attempts: await this.attemptsOf(row.run, row.versionNumber ?? null),
      trigger: row.payload ?? null,
      steps: stepRows.map((s) => ({
        nodeId: s.nodeId,
        nodeType: defOf(s.nodeId)?.id ?? 'unknown',
        status: s.status,
        input: s.input ?? storedElsewhere(s, defOf(s.nodeId), sent),
        output: storedOutputWithEchoes(s, defOf(s.nodeId), sent),
        error: s.error ?? null,
        attempts: s.attempts,
        startedAt: iso(s.startedAt),
        finishedAt: iso(s.finishedAt),
        resolution: s.resolution ?? null,
        handle: s.handle ?? null,
      })),
    };
  }

  /**
   * Settles an uncertain step: `send_again` makes the next attempt call the provider again (the person
   * judged it did not go out); `mark_done` counts it as done (it did), with `output` for later steps.
   * The run then goes on from that step.
   */
  async resolve(workspaceId: string, runId: string, nodeId: string, input: StepResolution): Promise<RunDetail> {
    const run = await this.get(workspaceId, runId);
    const step = run.steps.find((s) => s.nodeId === nodeId);
    if (!step) throw notFound('Step');
    if (step.status !== 'uncertain') {
      throw new AppError(409, 'not_uncertain', `Only an uncertain step can be settled; ${nodeId} is ${step.status}.`);
    }
    await this.db.transaction(async (tx) => {
      if (input.action === 'mark_done') {
        await tx
          .update(steps)
          .set({ status: 'succeeded', output: input.output ?? {}, resolution: 'marked_done', finishedAt: new Date() })
          .where(and(eq(steps.runId, runId), eq(steps.nodeId, nodeId), eq(steps.status, 'uncertain')));
        // What the step claimed in its connection's ledger (e.g. a purchase's externalId) is done too: it went out.
        await tx.execute(
          sql`update connection_ledger set done = true, value = ${JSON.stringify(input.output ?? {})}::jsonb, completed_at = now() where owner = ${`${runId}:${nodeId}`} and not done`,
        );
      } else {
        // A retry whose error is not ambiguous: the next attempt calls without asking first.
        const error = { code: 'sent_again', message: 'Sent again on request: the last attempt was judged not to have gone out.', retryable: true };
        await tx
          .update(steps)
          .set({ status: 'waiting', error, resolution: 'sent_again', finishedAt: null })
          .where(and(eq(steps.runId, runId), eq(steps.nodeId, nodeId), eq(steps.status, 'uncertain')));
      }
      await tx.update(runs).set({ status: 'queued', error: null, finishedAt: null }).where(eq(runs.id, runId));
      await tx.delete(uncertainRuns).where(eq(uncertainRuns.runId, runId));
      await tx.execute(sql`select graphile_worker.add_job('run', json_build_object('runId', ${runId}::text), max_attempts => 25)`);
    });
    return this.get(workspaceId, runId);
  }

  /** Queues a failed run again; finished steps are kept, so it resumes at the step that failed. */
  /**
   * Runs a failed run again from its failed step: on the version it ran (`original`) or on the bundle's live
   * version (`live`, after a fix was published). Steps that succeeded stay done either way (their writes are
   * never repeated); a node the live version no longer has is simply not reached.
   */
  /** Each attempt with the number of the version it ran; the retry that began an attempt is kept by the one before. */
  /** The logged messages of the run's succeeded sends that left their input or output fields to them, by the provider's message id. */
  private async messagesOfSends(run: RunRow, stepRows: StepRow[], defOf: (nodeId: string) => NodeDefinition | undefined): Promise<Map<string, LoggedMessage>> {
    // Sends that left their input, or output fields, to their message.
    const ids = stepRows
      .filter((s) => s.status === 'succeeded' && (s.input === null || echoSource(sendsOfDef(defOf(s.nodeId)), s.output) !== null))
      .map((s) => sentMessageId(s, defOf(s.nodeId)))
      .filter((id): id is string => id !== null);
    if (ids.length === 0) return new Map();
    const rows = await loggedMessagesOfRun(this.db, run.id, ids);
    return new Map(rows.map((m) => [m.provider_message_id!, m]));
  }

  private async attemptsOf(run: RunRow, versionNumber: number | null): Promise<RunAttempt[]> {
    const earlier = run.earlierAttempts ?? [];
    const ids = [...new Set(earlier.map((a) => a.versionId))];
    const numbers = new Map<string, number>();
    if (ids.length > 0) {
      const rows = await this.db.select({ id: flowVersions.id, number: flowVersions.number }).from(flowVersions).where(inArray(flowVersions.id, ids));
      for (const r of rows) numbers.set(r.id, r.number);
    }
    const attempts: RunAttempt[] = earlier.map((a, i) => ({
      number: i + 1,
      versionNumber: numbers.get(a.versionId) ?? null,
      status: a.status,
      error: a.error ?? null,
      startedAt: a.startedAt ? new Date(a.startedAt).toISOString() : null,
      finishedAt: a.finishedAt ? new Date(a.finishedAt).toISOString() : null,
      retriedOn: i === 0 ? null : (earlier[i - 1]!.retriedOn ?? null),
    }));
    attempts.push({
      number: earlier.length + 1,
      versionNumber,
      status: run.status,
      error: run.error ?? null,
      startedAt: iso(run.startedAt),
      finishedAt: iso(run.finishedAt),
      retriedOn: earlier.length > 0 ? (earlier[earlier.length - 1]!.retriedOn ?? null) : null,
    });
    return attempts;
  }

  async retry(workspaceId: string, id: string, version: 'original' | 'live' = 'original'): Promise<Run> {
    const run = await this.get(workspaceId, id);
    if (run.status !== 'failed') throw new AppError(409, 'not_failed', `Only failed runs can be retried; this one is ${run.status}.`);
    let versionId = run.versionId;
    if (version === 'live') {
      const [flow] = await this.db.select({ live: flows.activeVersionId, status: flows.status }).from(flows).where(and(eq(flows.id, run.flowId), eq(flows.workspaceId, workspaceId)));
      if (!flow?.live) throw new AppError(409, 'no_live_version', 'The bundle has no live version: start it, or retry on the version the run ran.');
      versionId = flow.live;
    }
    // The answer is the run as the retry left it (queued): a worker may have taken it before a second read.
    const row = await this.db.transaction(async (tx) => {
      await tx.delete(steps).where(and(eq(steps.runId, id), eq(steps.status, 'failed')));
      // The attempt that failed is kept (its version, how and when it ended): the run view lists each attempt.
      const earlier = sql`(coalesce(${runs.earlierAttempts}::jsonb, '[]'::jsonb) || jsonb_build_array(jsonb_build_object(
        'versionId', ${runs.versionId}, 'status', ${runs.status}, 'error', ${runs.error}::jsonb, 'startedAt', ${runs.startedAt},
        'finishedAt', ${runs.finishedAt}, 'retriedAt', now(), 'retriedOn', ${version}::text)))::json`;
      const [queued] = await tx.update(runs).set({ status: 'queued', error: null, finishedAt: null, versionId, earlierAttempts: earlier }).where(eq(runs.id, id)).returning();
      await tx.execute(sql`select graphile_worker.add_job('run', json_build_object('runId', ${id}::text), max_attempts => 25)`);
      return queued!;
    });
    return presentRun(row);
  }

  async events(workspaceId: string, q: { connectionId?: string | undefined; limit?: number | undefined }): Promise<BundlesEvent[]> {
    const where: SQL[] = [eq(events.workspaceId, workspaceId)];
    if (q.connectionId) {
      if (!isUuid(q.connectionId)) return [];
      where.push(eq(events.connectionId, q.connectionId));
    }
    const rows = await this.db.select().from(events).where(and(...where)).orderBy(desc(events.receivedAt)).limit(Math.min(q.limit ?? 100, 500));
    return rows.map((e) => ({
      id: e.id,
      connectionId: e.connectionId,
      type: e.type,
      dedupeKey: e.dedupeKey,
      payload: e.payload,
      duplicates: e.duplicates,
      receivedAt: e.receivedAt.toISOString(),
    }));
  }
}

type StepRow = typeof steps.$inferSelect;

/** What a run's sends left to their messages, by provider id (runtime/step-input.ts loggedMessages, for the services). */
export function loggedMessagesOfRun(db: Db, runId: string, ids: string[]): Promise<LoggedMessage[]> {
  return db
    .select({ from: messages.from, to: messages.to, text: messages.text, provider_message_id: messages.providerMessageId })
    .from(messages)
    .where(and(eq(messages.runId, runId), inArray(messages.providerMessageId, ids)));
}

/** The provider's message id a send's output names, when the node declares where (`sends.messageId`). */
function sentMessageId(s: Pick<StepRow, 'output'>, def: NodeDefinition | undefined): string | null {
  const key = def?.kind === 'action' ? def.sends?.messageId : undefined;
  const id = key && s.output && typeof s.output === 'object' ? (s.output as Record<string, unknown>)[key] : undefined;
  return typeof id === 'string' ? id : null;
}

/** A step's output as it was: a send's stored output with its message's recipient and sender put back. */
function storedOutputWithEchoes(s: StepRow, def: NodeDefinition | undefined, sent: Map<string, LoggedMessage>): unknown {
  if (s.status !== 'succeeded' || s.output === null) return s.output ?? null;
  const id = echoSource(sendsOfDef(def), s.output);
  return id === null ? s.output : outputWithEchoes(sendsOfDef(def), s.output, sent.get(id));
}

/**
 * The input of a succeeded step that did not store one: its output, for a node whose output is its resolved
 * config (ActionDefinition.outputIsInput), or its message's recipient, sender and text, for a send whose
 * input was just those (runtime/step-input.ts).
 */
function storedElsewhere(s: StepRow, def: NodeDefinition | undefined, sent: Map<string, LoggedMessage>): unknown {
  if (s.status !== 'succeeded') return null;
  if (def?.kind !== 'action') return null;
  if (def.outputIsInput) return s.output ?? null;
  const id = sentMessageId(s, def);
  const message = id === null ? undefined : sent.get(id);
  return def.sends && message ? inputFromMessage(def.sends, message) : null;
}
