// startBundles: database (embedded or DATABASE_URL), migrations, runtime, then the web and/or worker role.
import type { FastifyInstance } from 'fastify';
import { createAddressGuard, setOutboundGuard } from '@bundles/nodes';
import { buildApp } from './app.js';
import type { Config } from './config.js';
import { connectDatabase, migrateDatabase, type Database } from './db/index.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { createRuntime, type Runtime } from './runtime/index.js';
import { startWorker, type WorkerHandle } from './runtime/worker.js';
import { startScheduler, type Scheduler } from './runtime/schedules.js';
import { createKeyring, loadKey } from './secrets/keyring.js';
import { checkSecretKey } from './secrets/key-check.js';

export interface Bundles {
  url: string | null;
  publicUrl: string;
  app: FastifyInstance | null;
  worker: WorkerHandle | null;
  database: Database;
  runtime: Runtime;
  close(): Promise<void>;
}

export interface StartHooks {
  /** The worker gave up (its job runner could not be started again): the process should exit non-zero. */
  onFatal?(err: Error): void;
}

export async function startBundles(config: Config, logger = createLogger(config.logLevel), hooks: StartHooks = {}): Promise<Bundles> {
  // Outbound calls reach public addresses, and the private or local ones the operator allows.
  setOutboundGuard(createAddressGuard(config.allowedHosts));
  let embedded: EmbeddedDatabase | null = null;
  let url = config.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(config.dataDir, logger);
    url = embedded.url;
  }
  const database = connectDatabase(url, config.role === 'worker' ? config.workerConcurrency + 5 : 30);
  await migrateDatabase(database);
  const keyring = createKeyring(loadKey({ secretKey: config.secretKey, dataDir: config.dataDir }));
  try {
    const where = config.secretKey ? 'BUNDLES_SECRET_KEY' : `${config.dataDir}/secret.key`;
    const checked = await checkSecretKey(database.pool, keyring, { where, forget: config.forgetSecrets });
    if (checked === 'forgotten') logger.warn({}, 'the secret key changed: the secrets of every connection were cleared (--forget-secrets)');
  } catch (err) {
    await database.close();
    await embedded?.stop();
    throw err;
  }
  const metrics = createMetrics(database.pool);

  const displayHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let publicUrl = config.publicUrl ?? `http://${displayHost}:${config.port}`;
  const runtime = await createRuntime({
    pool: database.pool,
    writes: database.writes,
    keyring,
    get publicUrl() {
      return publicUrl;
    },
    log: logger,
    hooks: metrics.hooks,
    crashAt: config.crashAt,
    ...(config.clock ? { clock: config.clock } : {}),
  } as Parameters<typeof createRuntime>[0]);

  let app: FastifyInstance | null = null;
  let listening: string | null = null;
  let worker: WorkerHandle | null = null;
  let scheduler: Scheduler | null = null;
  if (config.role !== 'worker') {
    app = await buildApp({
      database,
      runtime,
      keyring,
      logger,
      metrics,
      publicUrl: () => publicUrl,
      role: config.role,
      editorDir: config.editorDir,
      requestTimeoutMs: config.requestTimeoutMs,
      metricsToken: config.metricsToken,
      docsPublic: config.docsPublic,
      trustProxy: config.trustProxy,
      smtp: { url: config.smtpUrl, from: config.smtpFrom },
      worker: () =>
        worker ? { ...worker.health(), schedules: scheduler?.health() ?? 'starting' } : config.role === 'web' ? null : { runner: 'starting', lane: 'starting', schedules: 'starting' },
    });
    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    listening = `http://${displayHost}:${port}`;
    if (!config.publicUrl) publicUrl = listening;
  }
  if (config.role !== 'web') {
    worker = await startWorker(runtime.executeDeps, database.pool, {
      concurrency: config.workerConcurrency,
      staleMs: config.workerStaleMs,
      heartbeatMs: config.heartbeatMs,
      lane: config.role === 'all',
      // A worker-only process that cannot get its runner back exits (its supervisor restarts it); a web
      // process keeps answering (503 while the database is away) and keeps trying.
      giveUpMs: config.role === 'worker' ? config.runnerGiveUpMs : Infinity,
      ...(hooks.onFatal ? { onFatal: hooks.onFatal } : {}),
    });
    runtime.ingestDeps.lane = worker.lane;
    scheduler = startScheduler({ pool: database.pool, waker: runtime.waker, log: runtime.executeDeps.log, now: runtime.clock }, { everyMs: config.scheduleTickMs });
    metrics.watchLane(worker.lane);
  }

  let closing: Promise<void> | null = null;
  return {
    url: listening,
    get publicUrl() {
      return publicUrl;
    },
    app,
    worker,
    database,
    runtime,
    close() {
      closing ??= (async () => {
        // Stop taking work, let in-flight requests and runs finish, then release the database.
        await app?.close();
        await scheduler?.stop();
        await worker?.stop();
        await runtime.close();
        await database.close();
        await embedded?.stop();
      })();
      return closing;
    },
  };
}
