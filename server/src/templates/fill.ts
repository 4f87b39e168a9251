// A template's graph made a flow graph: roles become connection ids, `$input` the user's answers, `$firstOption`
// the first item of the connection's option list (asked through `firstOption`).
import type { BundleTemplate, FlowGraph, GraphNode } from '@bundles/shared';

export interface FillIssue {
  field: string;
  message: string;
}

export interface FillValues {
  /** role → connection id (already checked to be of the role's provider). */
  connections: Record<string, string>;
  inputs: Record<string, string>;
  /** The first option of `source` for this connection, or null when it lists none. */
  firstOption(connectionId: string, source: string, nodeId: string): Promise<string | null>;
}

type Marker = { $input: string } | { $firstOption: string };

function markerOf(value: unknown): Marker | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const keys = Object.keys(value);
  if (keys.length !== 1) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.$input === 'string') return { $input: v.$input };
  if (typeof v.$firstOption === 'string') return { $firstOption: v.$firstOption };
  return null;
}

/** Every `$input` key and `$firstOption` source a template's configs use. */
export function markersOf(template: BundleTemplate): Array<{ nodeId: string; field: string } & Marker> {
  return template.graph.nodes.flatMap((n) =>
    Object.entries(n.config).flatMap(([field, value]) => {
      const m = markerOf(value);
      return m ? [{ nodeId: n.id, field, ...m }] : [];
    }),
  );
}

/** The flow graph, or the issues that stop it (a missing input, an option list with nothing in it). */
export async function fillTemplate(template: BundleTemplate, values: FillValues): Promise<{ graph: FlowGraph; issues: FillIssue[] }> {
  const issues: FillIssue[] = [];
  const nodes: GraphNode[] = [];
  for (const n of template.graph.nodes) {
    const connectionId = n.connection ? values.connections[n.connection.role] : undefined;
    const config: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(n.config)) {
      const m = markerOf(value);
      if (!m) {
        config[field] = value;
      } else if ('$input' in m) {
        const given = values.inputs[m.$input]?.trim();
        const input = template.inputs.find((i) => i.key === m.$input);
        if (given) config[field] = given;
        else issues.push({ field: `inputs.${m.$input}`, message: `give "${input?.title ?? m.$input}"` });
      } else if (connectionId) {
        const where = `connections.${n.connection!.role}`;
        try {
          const first = await values.firstOption(connectionId, m.$firstOption, n.id);
          if (first !== null) config[field] = first;
          else issues.push({ field: where, message: `this connection lists no ${m.$firstOption} for "${n.label ?? n.id}" (${field}): add one at the provider first` });
        } catch (err) {
          issues.push({ field: where, message: err instanceof Error ? err.message : String(err) });
        }
      }
    }
    nodes.push({ id: n.id, type: n.type, connectionId: connectionId ?? null, config, position: n.position, ...(n.label ? { label: n.label } : {}) });
  }
  return { graph: { nodes, edges: template.graph.edges }, issues };
}
