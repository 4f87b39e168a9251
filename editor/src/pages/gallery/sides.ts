// The choices of "From a source to a target": node types grouped by the provider whose connection they take.
import type { JsonSchema, NodeManifest } from '../../api/types';
import { pairMappings } from '../../lib/pairing';

/** The provider a node is listed under: the one whose connection it needs; built-in otherwise. */
export const sideProviderOf = (m: NodeManifest) => (m.needsConnection && !m.connectionOptional ? m.connectionProvider || m.provider : 'core');

export function groupByProvider(nodeTypes: NodeManifest[], kind: 'trigger' | 'action'): Map<string, NodeManifest[]> {
  const out = new Map<string, NodeManifest[]>();
  for (const m of nodeTypes) {
    if (m.kind !== kind) continue;
    // A wait for a reply (connections of several providers) follows a message sent: no two-node pairing ends on it.
    if (m.connectionProviders?.length) continue;
    const p = sideProviderOf(m);
    out.set(p, [...(out.get(p) ?? []), m]);
  }
  return out;
}

export interface MissingField {
  key: string;
  title: string;
  /** The connection's option list to pick from (x-options), e.g. Twilio's `senders`. */
  options?: string;
  widget?: string;
}

/** Required action fields the pairing does not fill and that have no default: the form asks for them. */
export function missingFields(trigger: NodeManifest, action: NodeManifest): MissingField[] {
  const mapped = new Set(pairMappings(trigger, action).map((m) => m.field));
  const props = (action.configSchema.properties ?? {}) as Record<string, JsonSchema>;
  const required = (action.configSchema.required as string[] | undefined) ?? [];
  return required
    .filter((k) => !mapped.has(k) && props[k] && props[k].default === undefined)
    .map((k) => {
      const s = props[k]!;
      const options = typeof s['x-options'] === 'string' ? (s['x-options'] as string) : undefined;
      const widget = typeof s['x-widget'] === 'string' ? (s['x-widget'] as string) : undefined;
      return { key: k, title: typeof s.title === 'string' ? s.title : k, ...(options ? { options } : {}), ...(widget ? { widget } : {}) };
    });
}
