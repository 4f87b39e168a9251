// Helpers for node tests: a real HTTP client, an in-process limiter and a recording context.
import { createHttpClient } from './http.js';
import type { ActionContext, ConnectionContext, Logger, MessageRecord, ProviderContext, ProviderDefinition, RateLimiter } from './define.js';
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

export function testConnection<Auth>(provider: string, config: Auth, webhookUrl = 'http://127.0.0.1/hooks/test/secret'): ConnectionContext<Auth> {
  return { id: 'conn_test', provider, name: `${provider} test`, config, webhookUrl, memo: new Map() };
}

export function testProviderContext<Auth>(provider: string, config: Auth): ProviderContext<Auth> {
  return { connection: testConnection(provider, config), http: createHttpClient(), limiter: localLimiter(), log: silentLogger };
}

export function testActionContext<Config, Auth>(opts: {
  provider: string;
  config: Config;
  connection: Auth;
  runId?: string;
  nodeId?: string;
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
    idempotencyKey: `${runId}:${nodeId}`,
    runId,
    nodeId,
    recordMessage: (m) => messages.push(m),
    messages,
  };
}
