// The runtime of one process: caches, ingest and execution dependencies, cross-process invalidation.
import { AllowedHostsCache } from './allowed-hosts.js';
import type pg from 'pg';
import { createHttpClient } from '@bundles/nodes';
import type { Keyring } from '../secrets/keyring.js';
import { ConnectionStore } from './connections.js';
import { SubscriptionCache } from './subscriptions.js';
import { VersionCache } from './versions.js';
import { createPgRateLimiter } from './limiter.js';
import { createWaker, ensureRunTask, type Waker } from './queue.js';
import type { ExecuteDeps, FinishedRun, RuntimeLogger } from './execute.js';
import { runFailureHook } from './run-failures.js';
import { createIngestWriter, createRejectionWriter, type IngestDeps, type IngestResult } from './ingest.js';
import { createRunWriter } from './run-writer.js';
import { crashPoints } from './crash-points.js';
import type { StepStatus, RunStatus } from '../db/schema/runs.js';

export interface RuntimeHooks {
  onIngested?(result: IngestResult): void;
  onStepFinished?(nodeType: string, status: StepStatus, ms: number): void;
  onRunFinished?(status: RunStatus, run?: FinishedRun): void;
}

const channel = 'bundles_invalidate';

export interface Runtime {
  pool: pg.Pool;
  connections: ConnectionStore;
  subscriptions: SubscriptionCache;
  versions: VersionCache;
  ingestDeps: IngestDeps;
  executeDeps: ExecuteDeps;
  /** Wakes workers after new jobs were committed. */
  waker: Waker;
  /** The clock schedules are started and fired by. */
  clock: () => Date;
  /** Drops a connection's cached copy here and in every other process. */
  invalidateConnection(id: string): Promise<void>;
  /** The workspaces' allowed private addresses, as runs and connection tests apply them. */
  allowedHosts: AllowedHostsCache;
  /** Drops a workspace's cached allowed addresses here and in every other process. */
  allowedHostsChanged(workspaceId: string): Promise<void>;
  subscriptionsChanged(connectionIds: string[]): Promise<void>;
  close(): Promise<void>;
}

export async function createRuntime(opts: { pool: pg.Pool; writes: pg.Pool; keyring: Keyring; publicUrl: string; log: RuntimeLogger; hooks?: RuntimeHooks; crashAt?: string[]; clock?: () => Date }): Promise<Runtime> {
  const { pool, log } = opts;
  const connections = new ConnectionStore(pool, opts.keyring, () => opts.publicUrl);
  const versions = new VersionCache(pool);
  const allowedHosts = new AllowedHostsCache(pool);
  const subscriptions = new SubscriptionCache(pool, versions);
  const limiter = createPgRateLimiter(pool);
  await ensureRunTask(pool);
  const waker = createWaker(pool);
  const http = createHttpClient();
  const writer = createRunWriter(opts.writes);
  const reportFailure = runFailureHook({ pool, waker, subscriptions, log, publicUrl: () => opts.publicUrl });
  const ingestDeps: IngestDeps = {
    pool,
    connections,
    subscriptions,
    log,
    waker,
    writer: createIngestWriter(opts.writes, () => ingestDeps.lane?.id ?? null),
    rejections: createRejectionWriter(opts.writes),
    lane: null,
    ...(opts.hooks?.onIngested ? { onIngested: opts.hooks.onIngested } : {}),
  };

  const apply = (msg: string) => {
    // `subscriptions:internal:<workspace>` keeps its second colon.
    const at = msg.indexOf(':');
    const kind = at < 0 ? msg : msg.slice(0, at);
    const id = at < 0 ? '' : msg.slice(at + 1);
    if (kind === 'connection') connections.invalidate(id || undefined);
    if (kind === 'subscriptions') subscriptions.invalidate(id || undefined);
    if (kind === 'allowed-hosts') {
      // The connections carry their workspace's list (their SDK clients were made with it).
      allowedHosts.invalidate(id || undefined);
      connections.invalidate();
    }
  };

  // A dedicated client listens for other processes' changes; on reconnect everything is dropped.
  let listener: pg.PoolClient | null = null;
  let closed = false;
  const listen = async () => {
    try {
      const client = await pool.connect();
      listener = client;
      client.on('notification', (n) => n.payload && apply(n.payload));
      client.on('error', () => {
        // The connection dropped: anything may have changed meanwhile, so drop the caches and listen again.
        if (listener !== client) return;
        listener = null;
        client.release(true);
        connections.invalidate();
        subscriptions.invalidate();
        if (!closed) setTimeout(() => void listen(), 1000).unref();
      });
      await client.query(`listen ${channel}`);
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not listen for cache invalidations; retrying');
      if (!closed) setTimeout(() => void listen(), 1000).unref();
    }
  };
  await listen();

  const notify = async (msg: string) => {
    apply(msg);
    await pool.query('select pg_notify($1, $2)', [channel, msg]);
  };

  return {
    pool,
    connections,
    subscriptions,
    versions,
    ingestDeps,
    waker,
    clock: opts.clock ?? (() => new Date()),
    executeDeps: {
      pool,
      connections,
      versions,
      http,
      limiter,
      log,
      writer,
      allowedHosts,
      crashPoint: crashPoints(opts.crashAt ?? []),
      ...(opts.hooks?.onStepFinished ? { onStepFinished: opts.hooks.onStepFinished } : {}),
      onRunFinished: (status, run) => {
        opts.hooks?.onRunFinished?.(status, run);
        reportFailure(status, run);
      },
    },
    invalidateConnection: (id) => notify(`connection:${id}`),
    allowedHosts,
    allowedHostsChanged: (workspaceId) => notify(`allowed-hosts:${workspaceId}`),
    subscriptionsChanged: async (ids) => {
      for (const id of ids) await notify(`subscriptions:${id}`);
    },
    async close() {
      closed = true;
      await ingestDeps.writer.drain();
      await ingestDeps.rejections.drain();
      await writer.drain();
      await waker.close();
      const client = listener;
      listener = null;
      if (client) {
        await client.query(`unlisten ${channel}`).catch(() => {});
        client.release();
      }
    },
  };
}
