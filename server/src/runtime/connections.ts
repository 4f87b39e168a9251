// Decrypted connections, cached per process; other processes' changes arrive as invalidations.
import { storedAllowedHosts } from './allowed-hosts.js';
import type pg from 'pg';
import { getProvider, safeEqual, secretFields, sendCapOf, type ConnectionContext, type ProviderDefinition, type SendCap } from '@bundles/nodes';
import type { Keyring } from '../secrets/keyring.js';
import { scrubbableSecrets } from './redact.js';
import { isUuid } from '../ids.js';

export interface LoadedConnection {
  id: string;
  workspaceId: string;
  provider: ProviderDefinition;
  webhookSecret: string;
  context: ConnectionContext<Record<string, unknown>>;
  /** The values of its secret fields, scrubbed from whatever it receives before it is stored. */
  secretValues: string[];
  /** Its daily send cap, read once at load: null (most connections) costs a send step nothing. */
  sendCap: SendCap | null;
}

export function webhookUrlOf(publicUrl: string, id: string, webhookSecret: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/hooks/${id}/${webhookSecret}`;
}

export const sameSecret = safeEqual;

/** Splits a connection config into the public part and the secret part by the provider's auth schema. */
export function splitSecrets(provider: ProviderDefinition, config: Record<string, unknown>) {
  const secretNames = new Set(secretFields(provider));
  const plain: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) (secretNames.has(k) ? secret : plain)[k] = v;
  return { plain, secret };
}

export class ConnectionStore {
  private cache = new Map<string, Promise<LoadedConnection | null>>();

  constructor(
    private pool: pg.Pool,
    private keyring: Keyring,
    /** Read at each load: the public URL is only known once the server listens (port 0). */
    private publicUrl: () => string,
  ) {}

  get(id: string): Promise<LoadedConnection | null> {
    if (!isUuid(id)) return Promise.resolve(null);
    let hit = this.cache.get(id);
    if (!hit) {
      // Only connections are kept: ids of none (a guessed URL) would grow the cache without end.
      hit = this.load(id).then(
        (conn) => {
          if (!conn) this.cache.delete(id);
          return conn;
        },
        (err) => {
          this.cache.delete(id);
          throw err;
        },
      );
      this.cache.set(id, hit);
    }
    return hit;
  }

  invalidate(id?: string): void {
    if (id) this.cache.delete(id);
    else this.cache.clear();
  }

  private async load(id: string): Promise<LoadedConnection | null> {
    const { rows } = await this.pool.query({
      name: 'connection_by_id',
      // With its workspace's allowed private addresses: its calls may reach them (runtime/allowed-hosts.ts).
      text: `select c.id, c.workspace_id, c.provider, c.name, c.config, c.secrets, c.webhook_secret, w.settings -> 'allowedHosts' as allowed_hosts
             from connections c join workspaces w on w.id = c.workspace_id where c.id = $1`,
      values: [id],
    });
    const row = rows[0];
    if (!row) return null;
    const provider = getProvider(row.provider);
    if (!provider) return null;
    const secrets = row.secrets ? this.keyring.decrypt(row.secrets) : {};
    return {
      id: row.id,
      workspaceId: row.workspace_id,
      provider,
      webhookSecret: row.webhook_secret,
      secretValues: scrubbableSecrets([...Object.values(secrets), row.webhook_secret]),
      sendCap: provider.sendCap ? sendCapOf(row.config) : null,
      context: {
        id: row.id,
        provider: row.provider,
        name: row.name,
        config: { ...row.config, ...secrets },
        webhookUrl: webhookUrlOf(this.publicUrl(), row.id, row.webhook_secret),
        memo: new Map(),
        allowedHosts: storedAllowedHosts(row.allowed_hosts),
      },
    };
  }
}
