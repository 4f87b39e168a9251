// Tests of a bundle's draft: on a recorded event (also one received while the bundle was stopped) or a
// sample, the whole bundle or one step; the recent events of the draft's trigger; a sample trigger payload.
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { getNodeType, toJsonSchema } from '@bundles/nodes';
import { flowGraphSchema, type FlowGraph, type RecordedEvent, type TestInput, type TestRun, type TestRunSummary } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { connections, events, testRuns } from '../db/schema/index.js';
import { isUuid, newId } from '../ids.js';
import { sampleOf } from '../runtime/sample.js';
import { ancestorsAndSelf, walkTest, type TestWalkDeps } from '../runtime/test-walk.js';
import { validateGraph } from '../runtime/validate.js';
import { prepareVersion, type PreparedVersion } from '../runtime/versions.js';
import { putEchoesBack, sendsOf } from '../runtime/step-input.js';
import { loggedMessagesOfRun } from './runs.js';
import { AppError, notFound } from './errors.js';
import type { FlowService } from './flows.js';

/** A test gives up after this long; the step running then fails `test_timeout`. */
export const TEST_TIMEOUT_MS = 30_000;
/** Test runs kept per bundle (older ones are removed when a new one is stored). */
export const TESTS_KEPT = 20;
/** How long after an event its run is looked for (runs are made with their event, at ingest). */
const RUN_WINDOW = sql`interval '10 minutes'`;

export interface TestDeps {
  db: Db;
  flows: FlowService;
  walk: TestWalkDeps;
}

const invalidTest = (field: string, message: string) => new AppError(422, 'invalid_test', message, { issues: [{ field, message }] });

export class TestService {
  constructor(private deps: TestDeps) {}

  private async draft(workspaceId: string, flowId: string): Promise<FlowGraph> {
    const flow = await this.deps.flows.get(workspaceId, flowId);
    return flowGraphSchema.parse(flow.graph);
  }

  /** The draft's trigger node and definition, if it has one. */
  private triggerOf(graph: FlowGraph) {
    for (const node of graph.nodes) {
      const def = getNodeType(node.type);
      if (def?.kind === 'trigger') return { node, def };
    }
    return null;
  }

  /** The newest events of the draft trigger's connection and type, each with the bundle's run of it, if any. */
  async events(workspaceId: string, flowId: string, limit = 20): Promise<RecordedEvent[]> {
    const trigger = this.triggerOf(await this.draft(workspaceId, flowId));
    if (!trigger) return [];
    const connectionId = trigger.node.connectionId ?? null;
    if (connectionId !== null && !isUuid(connectionId)) return [];
    // A built-in trigger's events have no connection (a run failed, a schedule's tick); each is made for one
    // bundle's subscription, so only those that ran this bundle are its own.
    const ofConnection = connectionId === null ? sql`e.connection_id is null and r.id is not null` : sql`e.connection_id = ${connectionId}`;
    const { rows } = await this.deps.db.execute(sql`
      select e.id, e.type, e.received_at, e.dedupe_key, e.payload, r.id as run_id, r.search_key
      from events e
      left join lateral (
        select r.id, r.search_key from runs r
        where r.flow_id = ${flowId} and r.event_id = e.id and r.created_at >= e.received_at and r.created_at < e.received_at + ${RUN_WINDOW}
        order by r.created_at desc limit 1) r on true
      where ${ofConnection} and e.workspace_id = ${workspaceId} and e.type = ${trigger.def.event}
      order by e.received_at desc
      limit ${Math.min(Math.max(limit, 1), 50)}`);
    return (rows as Array<Record<string, unknown>>).map((r) => ({
      id: String(r.id),
      type: String(r.type),
      receivedAt: new Date(r.received_at as string).toISOString(),
      summary: String(r.search_key ?? r.dedupe_key ?? r.type).slice(0, 80),
      payload: r.payload,
      runId: r.run_id ? String(r.run_id) : null,
    }));
  }

  /** A trigger payload shaped as the draft's trigger type declares it, for the user to edit. */
  async sample(workspaceId: string, flowId: string): Promise<{ payload: Record<string, unknown> }> {
    const trigger = this.triggerOf(await this.draft(workspaceId, flowId));
    const value = trigger ? sampleOf(toJsonSchema(trigger.def.output, 'output')) : {};
    return { payload: value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {} };
  }

  async run(workspaceId: string, flowId: string, input: TestInput, userId: string | null): Promise<TestRun> {
    if ((input.eventId === undefined) === (input.payload === undefined)) throw invalidTest('eventId', 'Give either eventId (a recorded event) or payload (a sample), not both and not neither.');
    const graph = await this.draft(workspaceId, flowId);
    const trigger = this.triggerOf(graph);
    if (!trigger) throw new AppError(422, 'invalid_flow', 'The bundle cannot be tested: it has no trigger.', { issues: [{ message: 'a bundle needs exactly one trigger: add one from the palette' }] });
    if (input.nodeId !== undefined && !graph.nodes.some((n) => n.id === input.nodeId)) throw invalidTest('nodeId', `There is no node "${input.nodeId}" in the draft.`);
    const version = prepareVersion(`test:${flowId}`, flowId, workspaceId, graph);
    const runs = input.nodeId ? ancestorsAndSelf(version, input.nodeId) : null;
    const refs = await this.deps.db.select({ id: connections.id, provider: connections.provider }).from(connections).where(eq(connections.workspaceId, workspaceId));
    const { issues } = validateGraph(graph, refs);
    // Only what the test runs must be valid (a step further on may still be half built).
    const blocking = issues.filter((i) => !i.nodeId || !runs || runs.has(i.nodeId));
    if (blocking.length > 0) throw new AppError(422, 'invalid_flow', `The bundle cannot be tested: ${blocking.length} problem${blocking.length === 1 ? '' : 's'} to fix.`, { issues: blocking });

    let payload = input.payload ?? {};
    let recorded = new Map<string, { output: unknown; handle: string | null }>();
    if (input.eventId !== undefined) {
      const event = await this.event(workspaceId, input.eventId);
      if (event.connectionId !== (trigger.node.connectionId ?? null) || event.type !== trigger.def.event) {
        throw invalidTest('eventId', 'This event did not come to the trigger of this bundle (another connection or another kind of event).');
      }
      payload = (event.payload ?? {}) as Record<string, unknown>;
      if (input.nodeId) recorded = await this.recordedOutputs(version, event.id, event.receivedAt);
    }
    const id = newId();
    const startedAt = new Date();
    const result = await walkTest(this.deps.walk, { id, version, payload, recorded, nodeId: input.nodeId ?? null, live: input.live === true, replies: input.replies ?? {}, deadline: Date.now() + TEST_TIMEOUT_MS });
    const finishedAt = new Date();
    const row = {
      id,
      workspaceId,
      flowId,
      createdBy: userId,
      eventId: input.eventId ?? null,
      nodeId: input.nodeId ?? null,
      live: input.live === true,
      status: result.status,
      trigger: result.trigger ?? null,
      steps: result.steps,
      startedAt,
      finishedAt,
    };
    await this.deps.db.transaction(async (tx) => {
      await tx.insert(testRuns).values(row);
      const [cut] = await tx
        .select({ startedAt: testRuns.startedAt })
        .from(testRuns)
        .where(eq(testRuns.flowId, flowId))
        .orderBy(desc(testRuns.startedAt))
        .offset(TESTS_KEPT - 1)
        .limit(1);
      if (cut) await tx.delete(testRuns).where(and(eq(testRuns.flowId, flowId), lt(testRuns.startedAt, cut.startedAt)));
    });
    return present(row);
  }

  private async event(workspaceId: string, eventId: string) {
    if (!isUuid(eventId)) throw notFound('Event');
    const [event] = await this.deps.db.select().from(events).where(and(eq(events.id, eventId), eq(events.workspaceId, workspaceId)));
    if (!event) throw notFound('Event');
    return event;
  }

  /** What the bundle's latest real run of the event produced, by node (its succeeded steps), as they were. */
  private async recordedOutputs(version: PreparedVersion, eventId: string, receivedAt: Date) {
    const { rows } = await this.deps.db.execute(sql`
      select s.run_id, s.node_id, s.status, s.output, s.handle from steps s
      where s.status = 'succeeded' and s.run_id = (
        select r.id from runs r where r.flow_id = ${version.flowId} and r.event_id = ${eventId}
          and r.created_at >= ${receivedAt.toISOString()}::timestamptz and r.created_at < ${receivedAt.toISOString()}::timestamptz + ${RUN_WINDOW}
        order by r.created_at desc limit 1)`);
    const steps = rows as Array<{ run_id: string; node_id: string; status: string; output: unknown; handle: string | null }>;
    const runId = steps[0]?.run_id;
    // A send's stored output left its message's recipient and sender to the message log: put back.
    await putEchoesBack(steps, (s) => sendsOf(version, s.node_id), (ids) => loggedMessagesOfRun(this.deps.db, runId!, ids));
    return new Map(steps.map((r) => [r.node_id, { output: r.output, handle: r.handle }]));
  }

  async list(workspaceId: string, flowId: string): Promise<TestRunSummary[]> {
    await this.deps.flows.get(workspaceId, flowId);
    const rows = await this.deps.db.select().from(testRuns).where(eq(testRuns.flowId, flowId)).orderBy(desc(testRuns.startedAt)).limit(TESTS_KEPT);
    return rows.map((r) => {
      const { trigger: _t, steps: _s, ...summary } = present(r);
      return summary;
    });
  }

  /** A test run by id, or null (the runs API falls back to it). */
  async find(workspaceId: string, id: string): Promise<TestRun | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.deps.db.select().from(testRuns).where(and(eq(testRuns.id, id), eq(testRuns.workspaceId, workspaceId)));
    return row ? present(row) : null;
  }
}

function present(r: typeof testRuns.$inferSelect): TestRun {
  return {
    id: r.id,
    test: true,
    flowId: r.flowId,
    status: r.status,
    eventId: r.eventId,
    nodeId: r.nodeId,
    live: r.live,
    trigger: r.trigger ?? null,
    steps: r.steps,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt.toISOString(),
  };
}
