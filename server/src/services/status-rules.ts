// The Status messages screen's rules: each one a bundle, created, rewritten, started, stopped and removed
// with the rule (FlowService does the bundle's part, so a rule's bundle is like any other on the canvas).
import { and, asc, eq } from 'drizzle-orm';
import { statusRuleInputSchema, type StatusRule, type StatusRuleInput } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { connections, flows, statusRules } from '../db/schema/index.js';
import { validateGraph } from '../runtime/validate.js';
import { isUuid } from '../ids.js';
import { AppError, notFound } from './errors.js';
import type { FlowService } from './flows.js';
import { recordAudit, type AuditActor } from './audit.js';
import { buildRuleGraph, ruleIssueOf, statusTriggers, type RuleConnection, type RuleIssue } from './status-rule-graph.js';

type Row = typeof statusRules.$inferSelect;

function invalidRule(issues: RuleIssue[]): AppError {
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new AppError(422, 'invalid_rule', `${first.field}: ${first.message}${more}.`, { issues });
}

/** A rule as the API takes it, or a 422 naming each bad field. */
export function parseRuleInput(body: unknown): StatusRuleInput {
  const parsed = statusRuleInputSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw invalidRule(parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.') || 'rule', message: i.message })));
}

export class StatusRuleService {
  constructor(private deps: { db: Db; flows: FlowService }) {}

  private async connection(workspaceId: string, id: string): Promise<RuleConnection> {
    if (!isUuid(id)) throw notFound('Connection');
    const [row] = await this.deps.db
      .select({ id: connections.id, provider: connections.provider, name: connections.name })
      .from(connections)
      .where(and(eq(connections.id, id), eq(connections.workspaceId, workspaceId)));
    if (!row) throw notFound('Connection');
    return row;
  }

  /** The connection, if its provider has statuses to send messages on. */
  private async source(workspaceId: string, connectionId: string): Promise<RuleConnection> {
    const source = await this.connection(workspaceId, connectionId);
    if (statusTriggers(source.provider).length === 0) {
      throw new AppError(404, 'no_status_rules', `${source.name} has no sale or subscription statuses: status messages are for connections that have.`);
    }
    return source;
  }

  private async row(workspaceId: string, connectionId: string, ruleId: string): Promise<Row> {
    if (!isUuid(ruleId)) throw notFound('Rule');
    const [row] = await this.deps.db
      .select()
      .from(statusRules)
      .where(and(eq(statusRules.id, ruleId), eq(statusRules.connectionId, connectionId), eq(statusRules.workspaceId, workspaceId)));
    if (!row) throw notFound('Rule');
    return row;
  }

  private async present(row: Row, status?: StatusRule['status']): Promise<StatusRule> {
    const flowStatus = status ?? (await this.deps.db.select({ status: flows.status }).from(flows).where(eq(flows.id, row.flowId)))[0]?.status ?? 'stopped';
    return {
      ...row.rule,
      active: flowStatus === 'running',
      id: row.id,
      connectionId: row.connectionId,
      flowId: row.flowId,
      status: flowStatus,
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  /** The rule's bundle, checked as Start checks it, with problems named by the rule's fields. */
  private async graphOf(workspaceId: string, source: RuleConnection, input: StatusRuleInput) {
    let sender: RuleConnection;
    try {
      sender = await this.connection(workspaceId, input.senderConnectionId);
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 404) throw err;
      throw invalidRule([{ field: 'senderConnectionId', message: 'no such connection in this workspace' }]);
    }
    const built = buildRuleGraph(input, source, sender);
    if (!built.ok) throw invalidRule(built.issues);
    const refs = await this.deps.db.select({ id: connections.id, provider: connections.provider }).from(connections).where(eq(connections.workspaceId, workspaceId));
    const { issues } = validateGraph(built.graph, refs);
    if (issues.length) throw invalidRule(issues.map((i) => ruleIssueOf(i, built.graph)));
    return built;
  }

  async list(workspaceId: string, connectionId: string): Promise<StatusRule[]> {
    await this.source(workspaceId, connectionId);
    const rows = await this.deps.db
      .select({ rule: statusRules, status: flows.status })
      .from(statusRules)
      .innerJoin(flows, eq(flows.id, statusRules.flowId))
      .where(and(eq(statusRules.connectionId, connectionId), eq(statusRules.workspaceId, workspaceId)))
      .orderBy(asc(statusRules.createdAt));
    return Promise.all(rows.map((r) => this.present(r.rule, r.status)));
  }

  /** `by`: who makes the change (its workspace, and the audit log's entry; the rule's bundle has none of its own). */
  async create(by: AuditActor, connectionId: string, input: StatusRuleInput): Promise<StatusRule> {
    const workspaceId = by.workspaceId;
    const source = await this.source(workspaceId, connectionId);
    const { graph, name } = await this.graphOf(workspaceId, source, input);
    const { active, ...rule } = input;
    const flow = await this.deps.flows.create(workspaceId, { name, graph });
    let row: Row;
    try {
      row = await this.deps.db.transaction(async (tx) => {
        const [inserted] = (await tx.insert(statusRules).values({ workspaceId, connectionId, flowId: flow.id, rule }).returning()) as [Row];
        await recordAudit(tx, by, { kind: 'status_rule.created', targetType: 'status_rule', targetId: inserted.id, detail: { name } });
        return inserted;
      });
    } catch (err) {
      await this.deps.flows.remove(workspaceId, flow.id);
      throw err;
    }
    const started = active === false ? flow : await this.deps.flows.start(workspaceId, flow.id);
    return this.present(row, started.status);
  }

  async update(by: AuditActor, connectionId: string, ruleId: string, input: StatusRuleInput): Promise<StatusRule> {
    const workspaceId = by.workspaceId;
    const source = await this.source(workspaceId, connectionId);
    const existing = await this.row(workspaceId, connectionId, ruleId);
    const { graph, name } = await this.graphOf(workspaceId, source, input);
    const { active, ...rule } = input;
    const flow = await this.deps.flows.update(workspaceId, existing.flowId, { name, graph });
    const row = await this.deps.db.transaction(async (tx) => {
      const [updated] = (await tx.update(statusRules).set({ rule, updatedAt: new Date() }).where(eq(statusRules.id, ruleId)).returning()) as [Row];
      await recordAudit(tx, by, { kind: 'status_rule.changed', targetType: 'status_rule', targetId: ruleId, detail: { name } });
      return updated;
    });
    // A running rule publishes its new version at once; `active` starts or stops it.
    const wantRunning = active ?? flow.status === 'running';
    const after = wantRunning ? await this.deps.flows.start(workspaceId, flow.id) : flow.status === 'running' ? await this.deps.flows.stop(workspaceId, flow.id) : flow;
    return this.present(row, after.status);
  }

  /** Removes the rule with its bundle (stopped first; its runs go with it, as when a bundle is deleted). */
  async remove(by: AuditActor, connectionId: string, ruleId: string): Promise<void> {
    const workspaceId = by.workspaceId;
    await this.source(workspaceId, connectionId);
    const row = await this.row(workspaceId, connectionId, ruleId);
    const flow = await this.deps.flows.get(workspaceId, row.flowId);
    await this.deps.flows.remove(workspaceId, row.flowId);
    await recordAudit(this.deps.db, by, { kind: 'status_rule.deleted', targetType: 'status_rule', targetId: ruleId, detail: { name: flow.name } });
  }
}
