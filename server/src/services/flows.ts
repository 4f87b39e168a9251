// Flow CRUD, start (publish an immutable version and subscribe its trigger) and stop.
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { getNodeType } from '@bundles/nodes';
import { flowExportSchema, flowGraphSchema, type Flow, type FlowExport, type FlowGraph } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { connections, flowVersions, flows, runs, schedules, statusRules, triggerSubscriptions } from '../db/schema/index.js';
import { validateGraph } from '../runtime/validate.js';
import { internalSubscriptionsKey } from '../runtime/subscriptions.js';
import { firstTick, SCHEDULE_TRIGGER_TYPE } from '../runtime/schedules.js';
import { AppError, notFound } from './errors.js';
import { isUuid } from '../ids.js';
import { recordAudit, type AuditActor } from './audit.js';

export interface FlowDeps {
  db: Db;
  /** Tells every process that a connection's subscriptions changed. */
  subscriptionsChanged(connectionIds: string[]): Promise<void>;
  /** The clock a schedule's first tick is counted from (default the system's). */
  now?: () => Date;
}

const emptyGraph: FlowGraph = { nodes: [], edges: [] };

const flowSelect = (db: Db) =>
  db
    .select({
      flow: flows,
      version: { id: flowVersions.id, number: flowVersions.number, createdAt: flowVersions.createdAt },
      draft: sql<boolean>`${flowVersions.id} is not null and ${flows.graph} <> ${flowVersions.graph}`,
      lastRun: sql<{ id: string; status: Flow['status']; createdAt: string } | null>`(
        select json_build_object('id', r.id, 'status', r.status, 'createdAt', r.created_at)
        from ${runs} r where r.flow_id = ${flows.id} order by r.created_at desc limit 1)`,
      rule: sql<{ ruleId: string; connectionId: string } | null>`(
        select json_build_object('ruleId', sr.id, 'connectionId', sr.connection_id) from ${statusRules} sr where sr.flow_id = ${flows.id})`,
    })
    .from(flows)
    .leftJoin(flowVersions, eq(flowVersions.id, flows.activeVersionId));

type Selected = Awaited<ReturnType<ReturnType<typeof flowSelect>['where']>>[number];

function present(row: Selected): Flow {
  const last = row.lastRun as { id: string; status: string; createdAt: string } | null;
  return {
    id: row.flow.id,
    name: row.flow.name,
    status: row.flow.status,
    graph: row.flow.graph,
    activeVersion: row.version ? { id: row.version.id, number: row.version.number, createdAt: row.version.createdAt.toISOString() } : null,
    hasDraftChanges: Boolean(row.draft),
    lastRun: last ? { id: last.id, status: last.status as never, createdAt: new Date(last.createdAt).toISOString() } : null,
    managedBy: row.rule ? { kind: 'status_rule', ruleId: row.rule.ruleId, connectionId: row.rule.connectionId } : null,
    createdAt: row.flow.createdAt.toISOString(),
    updatedAt: row.flow.updatedAt.toISOString(),
  };
}

function invalid(issues: unknown[], action: string): AppError {
  return new AppError(422, 'invalid_flow', `The bundle cannot be ${action}: ${issues.length} problem${issues.length === 1 ? '' : 's'} to fix.`, { issues });
}

export class FlowService {
  constructor(private deps: FlowDeps) {}

  private async connectionRefs(workspaceId: string) {
    return this.deps.db.select({ id: connections.id, provider: connections.provider }).from(connections).where(eq(connections.workspaceId, workspaceId));
  }

  /**
   * Reads a graph for saving as a draft: anything shaped as a graph is kept, its problems answered with the
   * bundle; only a body that is not a graph at all (or too big to be one) is refused.
   */
  private parseForSave(graph: unknown): FlowGraph {
    const parsed = flowGraphSchema.safeParse(graph ?? emptyGraph);
    if (parsed.success) return parsed.data;
    const { issues } = validateGraph(graph, []);
    throw new AppError(422, 'invalid_graph', 'This is not a bundle graph: expected { nodes: [...], edges: [...] } with valid node ids.', { issues });
  }

  /** The bundle with what keeps its draft from starting. */
  private async withProblems(workspaceId: string, flow: Flow): Promise<Flow> {
    const { issues } = validateGraph(flow.graph, await this.connectionRefs(workspaceId));
    return { ...flow, problems: issues };
  }

  async list(workspaceId: string): Promise<Flow[]> {
    const rows = await flowSelect(this.deps.db).where(eq(flows.workspaceId, workspaceId)).orderBy(desc(flows.updatedAt));
    return rows.map(present);
  }

  async get(workspaceId: string, id: string): Promise<Flow> {
    if (!isUuid(id)) throw notFound('Bundle');
    const [row] = await flowSelect(this.deps.db).where(and(eq(flows.id, id), eq(flows.workspaceId, workspaceId)));
    if (!row) throw notFound('Bundle');
    return present(row);
  }

  /** The bundle as the editor opens it: with its draft's problems. */
  async open(workspaceId: string, id: string): Promise<Flow> {
    return this.withProblems(workspaceId, await this.get(workspaceId, id));
  }

  /**
   * Inserts a bundle, with its audit entry when a person made it (`by`; a status rule's bundle has none: the
   * rule's own entry says it). Methods below take `by` the same way.
   */
  private async insert(workspaceId: string, name: string, graph: FlowGraph, by: AuditActor | undefined, kind: string): Promise<string> {
    return this.deps.db.transaction(async (tx) => {
      const [row] = await tx.insert(flows).values({ workspaceId, name, graph }).returning({ id: flows.id, name: flows.name });
      if (by) await recordAudit(tx, by, { kind, targetType: 'bundle', targetId: row!.id, detail: { name: row!.name } });
      return row!.id;
    });
  }

  async create(workspaceId: string, input: { name: string; graph?: unknown }, by?: AuditActor): Promise<Flow> {
    const graph = this.parseForSave(input.graph);
    return this.open(workspaceId, await this.insert(workspaceId, input.name.trim(), graph, by, 'bundle.created'));
  }

  /** Saves the draft (name and/or graph); the audit entry names which of the two changed (none changed: no entry). */
  async update(workspaceId: string, id: string, input: { name?: string | undefined; graph?: unknown }, by?: AuditActor): Promise<Flow> {
    const before = await this.get(workspaceId, id);
    const set: Partial<typeof flows.$inferInsert> = { updatedAt: new Date() };
    if (input.name !== undefined) set.name = input.name.trim();
    if (input.graph !== undefined) set.graph = this.parseForSave(input.graph);
    await this.deps.db.transaction(async (tx) => {
      // jsonb equality: the same graph whatever the order of its keys (the editor sends the whole graph each save).
      const [same] = set.graph === undefined ? [{ graph: true }] : await tx.select({ graph: sql<boolean>`${flows.graph} = ${JSON.stringify(set.graph)}::jsonb` }).from(flows).where(eq(flows.id, id));
      await tx.update(flows).set(set).where(eq(flows.id, id));
      const fields = [...(set.name !== undefined && set.name !== before.name ? ['name'] : []), ...(same?.graph ? [] : ['graph'])];
      if (by && fields.length > 0) await recordAudit(tx, by, { kind: 'bundle.saved', targetType: 'bundle', targetId: id, detail: { name: set.name ?? before.name, fields } });
    });
    return this.open(workspaceId, id);
  }

  async remove(workspaceId: string, id: string, by?: AuditActor): Promise<void> {
    const flow = await this.get(workspaceId, id);
    if (flow.status === 'running') await this.stop(workspaceId, id);
    // Runs and steps have no keys to the flow (each check locked its row on every run): removed here.
    await this.deps.db.transaction(async (tx) => {
      await tx.execute(sql`delete from steps where run_id in (select id from runs where flow_id = ${id})`);
      await tx.execute(sql`delete from step_journal where run_id in (select id from runs where flow_id = ${id})`);
      await tx.execute(sql`delete from runs where flow_id = ${id}`);
      // Its waits for replies: no run is left to take them (and the replies start other bundles again).
      await tx.execute(sql`delete from reply_waits where flow_id = ${id}`);
      await tx.delete(flows).where(eq(flows.id, id));
      if (by) await recordAudit(tx, by, { kind: 'bundle.deleted', targetType: 'bundle', targetId: id, detail: { name: flow.name } });
    });
  }

  /**
   * Starts the bundle: publishes its draft as a new version, or with `version` runs that earlier version
   * again (a roll back: the draft stays as it is). Either way the version's trigger is subscribed.
   */
  async start(workspaceId: string, id: string, opts: { version?: number; userId?: string; by?: AuditActor } = {}): Promise<Flow> {
    const refs = await this.connectionRefs(workspaceId);
    const changed = new Set<string>();
    await this.deps.db.transaction(async (tx) => {
      const [flow] = await tx.select().from(flows).where(and(eq(flows.id, id), eq(flows.workspaceId, workspaceId))).for('update');
      if (!flow) throw notFound('Bundle');
      let version: typeof flowVersions.$inferSelect;
      if (opts.version !== undefined) {
        const [chosen] = await tx.select().from(flowVersions).where(and(eq(flowVersions.flowId, id), eq(flowVersions.number, opts.version)));
        if (!chosen) throw notFound(`Version ${opts.version}`);
        const { issues } = validateGraph(chosen.graph, refs);
        if (issues.length) throw invalid(issues, `started on version ${opts.version}`);
        version = chosen;
      } else {
        const { graph, issues } = validateGraph(flow.graph, refs);
        if (!graph || issues.length) throw invalid(issues, 'started');
        const [{ next } = { next: 1 }] = await tx
          .select({ next: sql<number>`coalesce(max(${flowVersions.number}), 0)::int + 1` })
          .from(flowVersions)
          .where(eq(flowVersions.flowId, id));
        [version] = (await tx.insert(flowVersions).values({ workspaceId, flowId: id, number: next, graph, createdBy: opts.userId ?? null }).returning()) as [typeof flowVersions.$inferSelect];
      }
      const trigger = version.graph.nodes.find((n) => getNodeType(n.type)?.kind === 'trigger')!;
      const def = getNodeType(trigger.type)!;
      if (def.kind !== 'trigger') throw new Error('unreachable');
      const old = await tx
        .update(triggerSubscriptions)
        .set({ active: false })
        .where(and(eq(triggerSubscriptions.flowId, id), eq(triggerSubscriptions.active, true)))
        .returning({ connectionId: triggerSubscriptions.connectionId });
      old.forEach((o) => changed.add(o.connectionId ?? internalSubscriptionsKey(workspaceId)));
      await tx.delete(schedules).where(inArray(schedules.subscriptionId, tx.select({ id: triggerSubscriptions.id }).from(triggerSubscriptions).where(eq(triggerSubscriptions.flowId, id))));
      const config = def.config.parse(trigger.config) as Record<string, unknown>;
      const [subscription] = await tx.insert(triggerSubscriptions).values({
        workspaceId,
        flowId: id,
        versionId: version.id,
        // A built-in trigger (a run failed, a schedule) has none: Bundles feeds it.
        connectionId: trigger.connectionId ?? null,
        eventType: def.event,
        key: def.key ? def.key(config) : null,
        nodeId: trigger.id,
        nodeType: def.id,
        config,
      }).returning({ id: triggerSubscriptions.id });
      // A schedule's ticks are counted from now: one missed while it was stopped does not fire on start.
      if (def.id === SCHEDULE_TRIGGER_TYPE) {
        let nextAt: Date;
        try {
          nextAt = firstTick(config, (this.deps.now ?? (() => new Date()))());
        } catch (err) {
          throw invalid([{ nodeId: trigger.id, field: 'cron', message: (err as Error).message }], 'started');
        }
        await tx.insert(schedules).values({ subscriptionId: subscription!.id, workspaceId, nextAt });
      }
      changed.add(trigger.connectionId ?? internalSubscriptionsKey(workspaceId));
      await tx.update(flows).set({ status: 'running', activeVersionId: version.id, updatedAt: new Date() }).where(eq(flows.id, id));
      if (opts.by) await recordAudit(tx, opts.by, { kind: 'bundle.started', targetType: 'bundle', targetId: id, detail: { name: flow.name, version: version.number } });
    });
    await this.deps.subscriptionsChanged([...changed]);
    return this.get(workspaceId, id);
  }

  async stop(workspaceId: string, id: string, by?: AuditActor): Promise<Flow> {
    const flow = await this.get(workspaceId, id);
    await this.deps.db.delete(schedules).where(inArray(schedules.subscriptionId, this.deps.db.select({ id: triggerSubscriptions.id }).from(triggerSubscriptions).where(eq(triggerSubscriptions.flowId, id))));
    const old = await this.deps.db
      .update(triggerSubscriptions)
      .set({ active: false })
      .where(and(eq(triggerSubscriptions.flowId, id), eq(triggerSubscriptions.active, true)))
      .returning({ connectionId: triggerSubscriptions.connectionId });
    await this.deps.db.transaction(async (tx) => {
      await tx.update(flows).set({ status: 'stopped', updatedAt: new Date() }).where(eq(flows.id, id));
      if (by) await recordAudit(tx, by, { kind: 'bundle.stopped', targetType: 'bundle', targetId: id, detail: { name: flow.name } });
    });
    await this.deps.subscriptionsChanged([...new Set(old.map((o) => o.connectionId ?? internalSubscriptionsKey(workspaceId)))]);
    return this.get(workspaceId, id);
  }

  async duplicate(workspaceId: string, id: string, by?: AuditActor): Promise<Flow> {
    const flow = await this.get(workspaceId, id);
    return this.open(workspaceId, await this.insert(workspaceId, `${flow.name} (copy)`, flow.graph, by, 'bundle.duplicated'));
  }

  async exportFlow(workspaceId: string, id: string): Promise<FlowExport> {
    const flow = await this.get(workspaceId, id);
    return { format: 'bundles.flow/v1', name: flow.name, graph: flow.graph };
  }

  /** Imports a portable flow; connections that do not exist here are cleared so the user picks new ones. */
  async importFlow(workspaceId: string, input: unknown, by?: AuditActor): Promise<Flow> {
    const parsed = flowExportSchema.safeParse(input);
    if (!parsed.success) {
      throw new AppError(422, 'invalid_import', 'This is not a Bundles export: expected { format: "bundles.flow/v1", name, graph }.', {
        issues: parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      });
    }
    const refs = new Set((await this.connectionRefs(workspaceId)).map((r) => r.id));
    const graph: FlowGraph = {
      ...parsed.data.graph,
      nodes: parsed.data.graph.nodes.map((n) => (n.connectionId && !refs.has(n.connectionId) ? { ...n, connectionId: null } : n)),
    };
    // Saved without validation when connections were cleared: the user finishes it in the editor.
    const { issues } = validateGraph(graph, await this.connectionRefs(workspaceId));
    const onlyConnections = issues.every((i) => i.field === 'connectionId');
    if (!onlyConnections) throw invalid(issues, 'imported');
    return this.get(workspaceId, await this.insert(workspaceId, parsed.data.name, graph, by, 'bundle.imported'));
  }
}
