// Helpers for node tests: a real HTTP client, an in-process limiter and a recording context.
import { createHttpClient } from './http.js';
import type { ActionContext, ConnectionContext, ConnectionLedger, DeliverySummary, Logger, MessageRecord, ProviderContext, ProviderDefinition, RateLimiter } from './define.js';
import { secretFields } from './manifest.js';

/** A provider's secret auth fields are exactly these (encrypted at rest, never returned, never logged). */
export function expectSecretFields(provider: ProviderDefinition | { definition: ProviderDefinition }, names: string[]): void {
  const def = 'definition' in provider ? provider.definition : provider;
  const got = secretFields(def).sort();
  const want = [...names].sort();
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${def.id} marks ${got.join(', ') || 'nothing'} secret, expected ${want.join(', ') || 'nothing'}`);
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Per-process limiter for unit tests only; the server's limiter keeps its counts in PostgreSQL. */
export function localLimiter(): RateLimiter & { waits: number } {
  const windows = new Map<string, { second: number; count: number }>();
  const limiter = {
    waits: 0,
    async acquire(key: string, perSecond: number) {
      for (;;) {
        const second = Math.floor(Date.now() / 1000);
        const w = windows.get(key);
        if (!w || w.second !== second) {
          windows.set(key, { second, count: 1 });
          return;
        }
        if (w.count < perSecond) {
          w.count++;
          return;
        }
        limiter.waits++;
        await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 1));
      }
    },
  };
  return limiter;
}

/** A ledger in memory with the semantics of the server's (which keeps it in PostgreSQL). */
export function memoryLedger(defaultOwner = 'owner_test'): ConnectionLedger & { rows: Map<string, { owner: string; done: boolean; value: unknown }> } {
  const rows = new Map<string, { owner: string; done: boolean; value: unknown }>();
  return {
    rows,
    async claim(key, owner = defaultOwner) {
      const row = rows.get(key);
      if (!row) {
        rows.set(key, { owner, done: false, value: null });
        return { state: 'claimed' };
      }
      if (row.done) return { state: 'done', value: row.value };
      return row.owner === owner ? { state: 'claimed' } : { state: 'held', owner: row.owner };
    },
    async complete(key, value) {
      const row = rows.get(key);
      rows.set(key, { owner: row?.owner ?? defaultOwner, done: true, value });
    },
    async release(key, owner = defaultOwner) {
      const row = rows.get(key);
      if (row && !row.done && row.owner === owner) rows.delete(key);
    },
    async get(key) {
      const row = rows.get(key);
      return row?.done ? { value: row.value } : null;
    },
  };
}

const noDeliveries = async (): Promise<DeliverySummary> => ({ lastAccepted: null, lastRejected: null });

export function testConnection<Auth>(provider: string, config: Auth, webhookUrl = 'http://127.0.0.1/hooks/test/secret'): ConnectionContext<Auth> {
  return { id: 'conn_test', provider, name: `${provider} test`, config, webhookUrl, memo: new Map() };
}

export function testProviderContext<Auth>(provider: string, config: Auth, deliveries: () => Promise<DeliverySummary> = noDeliveries): ProviderContext<Auth> {
  return { connection: testConnection(provider, config), http: createHttpClient(), limiter: localLimiter(), log: silentLogger, deliveries };
}

export function testActionContext<Config, Auth>(opts: {
  provider: string;
  config: Config;
  connection: Auth;
  runId?: string;
  nodeId?: string;
  ledger?: ConnectionLedger;
}): ActionContext<Config, Auth> & { messages: MessageRecord[] } {
  const messages: MessageRecord[] = [];
  const runId = opts.runId ?? 'run_test';
  const nodeId = opts.nodeId ?? 'node_test';
  return {
    config: opts.config,
    connection: testConnection(opts.provider, opts.connection),
    http: createHttpClient(),
    limiter: localLimiter(),
    log: silentLogger,
    ledger: opts.ledger ?? memoryLedger(`${runId}:${nodeId}`),
    idempotencyKey: `${runId}:${nodeId}`,
    runId,
    nodeId,
    recordMessage: (m) => messages.push(m),
    messages,
  };
}
