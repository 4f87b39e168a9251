import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { api } from './client';
import { useAsync } from './hooks';
import type { NodeManifest, ProviderDescriptor } from './types';
import { ErrorState, Spinner } from '../components/ui';

export interface Catalog {
  nodeTypes: NodeManifest[];
  manifests: Map<string, NodeManifest>;
  providers: ProviderDescriptor[];
  providerById: Map<string, ProviderDescriptor>;
  providerTitles: Map<string, string>;
}

const CatalogContext = createContext<Catalog | null>(null);

/** Node manifests and provider descriptors, loaded once per session: everything the editor knows of node types. */
export function CatalogProvider({ children }: { children: ReactNode }) {
  const state = useAsync(async () => {
    const [nodeTypes, providers] = await Promise.all([api.nodeTypes(), api.providers()]);
    return { nodeTypes, providers };
  }, []);
  const value = useMemo<Catalog | null>(() => {
    if (!state.data) return null;
    const { nodeTypes, providers } = state.data;
    const providerTitles = new Map(providers.map((p) => [p.id, p.title]));
    if (!providerTitles.has('core')) providerTitles.set('core', 'Core');
    return {
      nodeTypes,
      manifests: new Map(nodeTypes.map((m) => [m.id, m])),
      providers,
      providerById: new Map(providers.map((p) => [p.id, p])),
      providerTitles,
    };
  }, [state.data]);
  if (state.error && !value) return <ErrorState title="Could not load node types" error={state.error} onRetry={() => void state.reload()} />;
  if (!value) return <Spinner label="Loading node types…" />;
  return <CatalogContext.Provider value={value}>{children}</CatalogContext.Provider>;
}

export function useCatalog(): Catalog {
  const c = useContext(CatalogContext);
  if (!c) throw new Error('useCatalog outside CatalogProvider');
  return c;
}
