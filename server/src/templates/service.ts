// Templates of the gallery: listed, and used to make a bundle in the caller's workspace with their connections.
import { getProvider } from '@bundles/nodes';
import type { BundleTemplate, Flow, UseTemplateBody } from '@bundles/shared';
import type { ConnectionService } from '../services/connections.js';
import type { FlowService } from '../services/flows.js';
import type { AuditActor } from '../services/audit.js';
import { AppError, notFound } from '../services/errors.js';
import { fillTemplate, type FillIssue } from './fill.js';

export interface TemplateDeps {
  templates: BundleTemplate[];
  connections: ConnectionService;
  flows: FlowService;
}

const providerTitle = (id: string) => getProvider(id)?.title ?? id;

export class TemplateService {
  private byId: Map<string, BundleTemplate>;
  constructor(private deps: TemplateDeps) {
    this.byId = new Map(deps.templates.map((t) => [t.id, t]));
  }

  list(): BundleTemplate[] {
    return this.deps.templates;
  }

  get(id: string): BundleTemplate {
    const t = this.byId.get(id);
    if (!t) throw notFound('Template');
    return t;
  }

  /** Each role's connection, checked: given, in this workspace, of the role's provider. */
  private async checkConnections(workspaceId: string, t: BundleTemplate, given: Record<string, string>): Promise<FillIssue[]> {
    const issues: FillIssue[] = [];
    for (const extra of Object.keys(given)) {
      if (!t.roles.some((r) => r.role === extra)) issues.push({ field: `connections.${extra}`, message: `this template has no role "${extra}"` });
    }
    for (const role of t.roles) {
      const field = `connections.${role.role}`;
      const id = given[role.role];
      if (!id) {
        issues.push({ field, message: `choose a ${providerTitle(role.provider)} connection for "${role.title}"` });
        continue;
      }
      const conn = await this.deps.connections.get(workspaceId, id).catch((err: unknown) => {
        if (err instanceof AppError && err.status === 404) return null;
        throw err;
      });
      if (!conn) issues.push({ field, message: `connection ${id} does not exist in this workspace` });
      else if (conn.provider !== role.provider) {
        issues.push({ field, message: `"${conn.name}" is a ${providerTitle(conn.provider)} connection; "${role.title}" needs ${providerTitle(role.provider)}` });
      }
    }
    return issues;
  }

  /** `by`: who makes the bundle (the audit log's `bundle.created`). */
  async use(workspaceId: string, id: string, body: UseTemplateBody, by?: AuditActor): Promise<Flow> {
    const t = this.get(id);
    const refused = (issues: FillIssue[]) =>
      new AppError(422, 'invalid_template_use', `The bundle cannot be made: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, { issues });
    const connectionIssues = await this.checkConnections(workspaceId, t, body.connections);
    if (connectionIssues.length) throw refused(connectionIssues);
    const { graph, issues } = await fillTemplate(t, {
      connections: body.connections,
      inputs: body.inputs,
      firstOption: async (connectionId, source) => {
        const items = await this.deps.connections.options(workspaceId, connectionId, source);
        return items[0]?.value ?? null;
      },
    });
    if (issues.length) throw refused(issues);
    return this.deps.flows.create(workspaceId, { name: body.name, graph }, by);
  }
}
