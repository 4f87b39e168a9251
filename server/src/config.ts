// Settings from the environment; the only place that reads process.env.
import path from 'node:path';

export type Role = 'web' | 'worker' | 'all';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  publicUrl: string | undefined;
  secretKey: string | undefined;
  role: Role;
  logLevel: string;
  workerConcurrency: number;
  /** A worker whose heartbeat is older than this is presumed dead and its jobs are released. */
  workerStaleMs: number;
  heartbeatMs: number;
  /** How long a worker-only process tries to restart its job runner before it exits non-zero. */
  runnerGiveUpMs: number;
  /** Clear every connection's secrets when the secret key does not match the database's (the old key is lost). */
  forgetSecrets: boolean;
  /** Time a request may take to arrive whole (headers and body). */
  requestTimeoutMs: number;
  editorDir: string | undefined;
  /** Tests only: points where the executor kills its own process (see runtime/crash-points.ts). */
  crashAt: string[];
  /** How often a worker process looks for due schedule ticks. */
  scheduleTickMs: number;
  /** Hosts and ranges outbound calls may reach although private or local (BUNDLES_ALLOWED_HOSTS). */
  allowedHosts: string[];
  /** A token `/metrics` requires (`Authorization: Bearer …`); unset: open, as on the loopback default. */
  metricsToken: string | undefined;
  /** Whether /api/docs answers without a login (default true). */
  docsPublic: boolean;
  /** Fastify's trustProxy: off unless set (`true`, a hop count, or comma-separated addresses/CIDR ranges). */
  trustProxy: boolean | number | string[];
  /** The SMTP server invitations are mailed through (`smtp://user:pass@host:587`, `smtps://…`); unset: not mailed. */
  smtpUrl: string | undefined;
  /** The From address of those mails (BUNDLES_SMTP_FROM). */
  smtpFrom: string;
  /** Tests only: the clock that schedules are started and fired by (default the system's). */
  clock?: () => Date;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env, role: Role = 'all'): Config {
  return {
    host: env.HOST ?? '127.0.0.1',
    port: env.PORT ? Number(env.PORT) : 3000,
    dataDir: path.resolve(env.BUNDLES_DATA_DIR ?? '.bundles'),
    databaseUrl: env.DATABASE_URL || undefined,
    publicUrl: env.BUNDLES_PUBLIC_URL || undefined,
    secretKey: env.BUNDLES_SECRET_KEY || undefined,
    role,
    logLevel: env.LOG_LEVEL ?? 'info',
    workerConcurrency: env.BUNDLES_WORKER_CONCURRENCY ? Number(env.BUNDLES_WORKER_CONCURRENCY) : 24,
    workerStaleMs: env.BUNDLES_WORKER_STALE_MS ? Number(env.BUNDLES_WORKER_STALE_MS) : 30_000,
    heartbeatMs: env.BUNDLES_HEARTBEAT_MS ? Number(env.BUNDLES_HEARTBEAT_MS) : 5_000,
    forgetSecrets: false,
    runnerGiveUpMs: env.BUNDLES_RUNNER_GIVE_UP_MS ? Number(env.BUNDLES_RUNNER_GIVE_UP_MS) : 5 * 60_000,
    requestTimeoutMs: env.BUNDLES_REQUEST_TIMEOUT_MS ? Number(env.BUNDLES_REQUEST_TIMEOUT_MS) : 30_000,
    editorDir: env.BUNDLES_EDITOR_DIR || undefined,
    scheduleTickMs: env.BUNDLES_SCHEDULE_TICK_MS ? Number(env.BUNDLES_SCHEDULE_TICK_MS) : 1_000,
    crashAt: (env.BUNDLES_TEST_CRASH_AT ?? '').split(',').filter(Boolean),
    allowedHosts: (env.BUNDLES_ALLOWED_HOSTS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    metricsToken: env.BUNDLES_METRICS_TOKEN || undefined,
    docsPublic: env.BUNDLES_DOCS_PUBLIC !== 'false',
    trustProxy: trustProxyOf(env.BUNDLES_TRUST_PROXY),
    smtpUrl: env.BUNDLES_SMTP_URL || undefined,
    smtpFrom: env.BUNDLES_SMTP_FROM || 'Bundles <bundles@localhost>',
  };
}

/** `true`/`false`, a number of hops, or a list of addresses and CIDR ranges. */
export function trustProxyOf(value: string | undefined): boolean | number | string[] {
  const v = (value ?? '').trim();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}
