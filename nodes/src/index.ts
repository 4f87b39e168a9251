// The registry: every provider and node type, as an explicit list. Node ids are stored: never rename one.
import type { NodeDefinition, ProviderDefinition } from './define.js';
import { core, webhook, coreWebhook, coreFilter, coreBranch, coreDelay, coreHttpRequest, coreSet } from './core/index.js';

export * from './define.js';
export * from './manifest.js';
export { createHttpClient } from './http.js';

export const providers: ProviderDefinition[] = [core.definition, webhook.definition];

export const nodeTypes: NodeDefinition[] = [coreWebhook, coreFilter, coreBranch, coreDelay, coreHttpRequest, coreSet];

const providerById = new Map(providers.map((p) => [p.id, p]));
const nodeTypeById = new Map(nodeTypes.map((n) => [n.id, n]));

export function getProvider(id: string): ProviderDefinition | undefined {
  return providerById.get(id);
}

export function getNodeType(id: string): NodeDefinition | undefined {
  return nodeTypeById.get(id);
}
