// The running versions' trigger subscriptions per connection, cached briefly; the ingest statement re-checks `active`.
import type pg from 'pg';
import { getNodeType, secretFieldsOf } from '@bundles/nodes';
import { scrubbableSecrets } from './redact.js';
import { ingestJournaledWrite, type VersionCache } from './versions.js';

export interface Subscription {
  id: string;
  flowId: string;
  versionId: string;
  eventType: string;
  key: string | null;
  nodeType: string;
  config: Record<string, unknown>;
  /** Values of the trigger's secret config fields (a shared secret it matches on), scrubbed before storage. */
  secretValues: string[];
  /** The write whose first attempt the ingest statement journals (see ingestJournaledWrite). */
  journal: { nodeId: string } | null;
}

function triggerSecrets(nodeType: string, config: Record<string, unknown>): string[] {
  const def = getNodeType(nodeType);
  return def ? scrubbableSecrets(secretFieldsOf(def.config).map((f) => config[f])) : [];
}

/** A trigger_subscriptions row as the ingest and the built-in triggers use it. */
function subscriptionOf(r: Record<string, unknown>, extra: Pick<Subscription, 'secretValues' | 'journal'>): Subscription {
  return {
    id: r.id as string,
    flowId: r.flow_id as string,
    versionId: r.version_id as string,
    eventType: r.event_type as string,
    key: r.key as string | null,
    nodeType: r.node_type as string,
    config: r.config as Record<string, unknown>,
    ...extra,
  };
}

const ttlMs = 2_000;

/** What FlowService names, as the changed "connection", when a built-in trigger of the workspace starts or stops. */
export const internalSubscriptionsKey = (workspaceId: string) => `internal:${workspaceId}`;

export class SubscriptionCache {
  private cache = new Map<string, { at: number; subs: Promise<Subscription[]> }>();
  constructor(
    private pool: pg.Pool,
    private versions: VersionCache,
  ) {}

  forConnection(connectionId: string): Promise<Subscription[]> {
    const hit = this.cache.get(connectionId);
    if (hit && Date.now() - hit.at < ttlMs) return hit.subs;
    const subs = this.pool
      .query({
        name: 'subscriptions_by_connection',
        text: `select id, flow_id, version_id, event_type, key, node_type, config
               from trigger_subscriptions where connection_id = $1 and active`,
        values: [connectionId],
      })
      .then(({ rows }) =>
        Promise.all(
          rows.map(async (r) =>
            subscriptionOf(r, { secretValues: triggerSecrets(r.node_type, r.config), journal: ingestJournaledWrite(await this.versions.get(r.version_id), r.config) }),
          ),
        ),
      );
    subs.catch(() => this.cache.delete(connectionId));
    this.cache.set(connectionId, { at: Date.now(), subs });
    return subs;
  }

  /**
   * The running subscriptions of a workspace's built-in triggers (no connection: a run failed, a schedule),
   * cached under `internalSubscriptionsKey` until FlowService says they changed.
   */
  internal(workspaceId: string, eventType: string): Promise<Subscription[]> {
    const key = internalSubscriptionsKey(workspaceId);
    let hit = this.cache.get(key);
    if (!hit || Date.now() - hit.at >= ttlMs) {
      const subs = this.pool
        .query({
          name: 'subscriptions_internal',
          text: `select id, flow_id, version_id, event_type, key, node_type, config
                 from trigger_subscriptions where workspace_id = $1 and active and connection_id is null`,
          values: [workspaceId],
        })
        .then(({ rows }) =>
          // Nothing of theirs is a secret, and no ingest statement journals their first write.
          rows.map((r) => subscriptionOf(r, { secretValues: [], journal: null })),
        );
      subs.catch(() => this.cache.delete(key));
      hit = { at: Date.now(), subs };
      this.cache.set(key, hit);
    }
    return hit.subs.then((all) => all.filter((s) => s.eventType === eventType));
  }

  invalidate(connectionId?: string): void {
    if (connectionId) this.cache.delete(connectionId);
    else this.cache.clear();
  }
}
