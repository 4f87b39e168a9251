// A bundle's versions: listed with author and time, read one by one, restored as the draft. Starting a
// chosen version (a roll back) is FlowService.start's.
import { and, desc, eq } from 'drizzle-orm';
import type { Flow, FlowGraph, FlowVersion, FlowVersionDetail } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { connections, flows, flowVersions, users } from '../db/schema/index.js';
import { notFound } from './errors.js';
import type { FlowService } from './flows.js';
import { recordAudit, type AuditActor } from './audit.js';

export class VersionService {
  constructor(private deps: { db: Db; flows: FlowService }) {}

  private select() {
    return this.deps.db
      .select({ version: flowVersions, email: users.email, live: flows.activeVersionId, status: flows.status })
      .from(flowVersions)
      .innerJoin(flows, eq(flows.id, flowVersions.flowId))
      .leftJoin(users, eq(users.id, flowVersions.createdBy));
  }

  private present(row: Awaited<ReturnType<ReturnType<VersionService['select']>['where']>>[number]): FlowVersion {
    const v = row.version;
    return {
      version: v.number,
      id: v.id,
      createdAt: v.createdAt.toISOString(),
      createdBy: v.createdBy && row.email ? { id: v.createdBy, email: row.email } : null,
      live: row.status === 'running' && row.live === v.id,
    };
  }

  async list(workspaceId: string, flowId: string): Promise<FlowVersion[]> {
    await this.deps.flows.get(workspaceId, flowId);
    const rows = await this.select().where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.workspaceId, workspaceId))).orderBy(desc(flowVersions.number));
    return rows.map((r) => this.present(r));
  }

  async get(workspaceId: string, flowId: string, number: number): Promise<FlowVersionDetail> {
    await this.deps.flows.get(workspaceId, flowId);
    const [row] = await this.select().where(and(eq(flowVersions.flowId, flowId), eq(flowVersions.workspaceId, workspaceId), eq(flowVersions.number, number)));
    if (!row) throw notFound(`Version ${number}`);
    return { ...this.present(row), graph: row.version.graph };
  }

  /** Makes a version the draft again; connections removed since are cleared for the user to pick anew. */
  async restore(by: AuditActor, flowId: string, number: number): Promise<Flow> {
    const workspaceId = by.workspaceId;
    const { graph } = await this.get(workspaceId, flowId, number);
    const known = new Set((await this.deps.db.select({ id: connections.id }).from(connections).where(eq(connections.workspaceId, workspaceId))).map((c) => c.id));
    const draft: FlowGraph = { ...graph, nodes: graph.nodes.map((n) => (n.connectionId && !known.has(n.connectionId) ? { ...n, connectionId: null } : n)) };
    await this.deps.db.transaction(async (tx) => {
      const [row] = await tx.update(flows).set({ graph: draft, updatedAt: new Date() }).where(and(eq(flows.id, flowId), eq(flows.workspaceId, workspaceId))).returning({ name: flows.name });
      if (row) await recordAudit(tx, by, { kind: 'bundle.restored', targetType: 'bundle', targetId: flowId, detail: { name: row.name, version: number } });
    });
    return this.deps.flows.get(workspaceId, flowId);
  }
}
