import type { NodeManifest, ProviderDescriptor } from '../api/types';
import data from './manifests.json';

/** Real manifests, as `GET /api/node-types` and `GET /api/providers` serve them (dumped from @bundles/nodes). */
export const fixtureNodeTypes = data.nodeTypes as unknown as NodeManifest[];
export const fixtureProviders = data.providers as unknown as ProviderDescriptor[];
export const fixtureManifests = new Map(fixtureNodeTypes.map((m) => [m.id, m]));

export function manifestOf(id: string): NodeManifest {
  const m = fixtureManifests.get(id);
  if (!m) throw new Error(`no fixture manifest ${id}`);
  return m;
}
