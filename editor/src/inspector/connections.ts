import type { Connection, NodeManifest } from '../api/types';

/** The provider whose connections a node takes: not always its own (core.http_request takes `http` ones). */
export function connectionProviderOf(manifest: NodeManifest): string {
  return manifest.connectionProvider || manifest.provider;
}

/** Every provider whose connections the node takes (several for a wait for a reply). */
export function connectionProvidersOf(manifest: NodeManifest): string[] {
  return manifest.connectionProviders?.length ? manifest.connectionProviders : [connectionProviderOf(manifest)];
}

export function connectionsFor(manifest: NodeManifest, connections: Connection[]): Connection[] {
  const providers = connectionProvidersOf(manifest);
  return connections.filter((c) => providers.includes(c.provider));
}

/**
 * The connection a new node starts with: the only one it could take. A node that may go without gets
 * none, because choosing for the user would send those credentials to whatever URL the node calls.
 */
export function initialConnectionId(manifest: NodeManifest, connections: Connection[]): string | null {
  if (!manifest.needsConnection || manifest.connectionOptional) return null;
  const own = connectionsFor(manifest, connections);
  return own.length === 1 && own[0] ? own[0].id : null;
}

/** Whether the node cannot run as it is for want of a connection (the canvas warns). */
export function lacksConnection(manifest: NodeManifest | undefined, connectionId: string | null | undefined): boolean {
  return Boolean(manifest?.needsConnection && !manifest.connectionOptional && !connectionId);
}
