// `pnpm bench [--quick] [--workers N] [--profile] [--workload w1|w2] [--history N]`: workload W1 of
// /work/shared/BENCH.md (or W2, see workloads.ts), end to end.
// A clean data folder, the product as child processes, the fake Twilio and a bounded load client in
// this process; prints the table and writes bench-results/latest.json. Loopback only.
// With --history N the whole of it runs twice, each time on a fresh data folder: as usual, and with N
// runs of history written into the database before the load (history.ts), taking turns (turns.ts); side by side.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startEmbeddedPostgres } from '@bundles/server';
import { startFakeTwilio } from '../fakes/twilio.js';
import { workloads, type WorkloadName } from './workloads.js';
import { closedLoop, IdSource, openLoop } from './load.js';
import { formatProfile, readProfile, summarizeProfile } from './profile.js';
import { formatStatements, statementStats } from './statements.js';
import { formatActivity, formatLongIn, watchActivity } from './activity.js';
import { freePort, poll, sleep, spawnTs, type Child } from './procs.js';
import { withClient } from './db.js';
import { bytesPerRun, formatFootprint, relationSizes, settle, tableSizes } from './footprint.js';
import { cpuSnapshot, cpuUse, postmasterOf, type CpuUse } from './cpu.js';
import { ceilingHalf, meanCpuUse, type CeilingHalf } from './ceiling.js';
import { historyTurns, Turns, type Stage } from './turns.js';
import { fillHistory, historyOrderId, LOAD_IDS, parseCount, readTemplate, TEMPLATE_NUMBER, templateSummary, timeMetricsScrape, timeSearches, type FillResult, type ScrapeTiming, type SearchTiming } from './history.js';
import { acked, ackLatencies, deliveredRate, deliveryOutcome, endToEnd, ratePerSec, ratio, round, slowWindows, summarize, type SentEvent } from './stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const resultsDir = path.join(root, 'bench-results');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    workers: { type: 'string' },
    profile: { type: 'boolean', default: false },
    workload: { type: 'string', default: 'w1' },
    history: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
if (args.help) {
  console.log(`pnpm bench [--quick] [--workers N] [--profile] [--workload w1|w2] [--history N]
  --quick      the same in under 30 s (shorter phases)
  --workers N  one web process plus N worker processes (default: one process with every role)
  --profile    node --cpu-prof on the product's processes, pg_stat_statements in the embedded PostgreSQL;
               prints where their time goes
  --workload   w1: RetailCRM order paid → SMS (default); w2: Guru sale (3 KB JSON) → filter → set → SMS + CRM POST
  --history N  run twice: as usual, and on a database holding N runs of the workload's shape (5000000, 5e6, 5m),
               spread over 25 days, taking turns (phase b: 3 rounds each, alternating); prints both side by side,
               with the Runs search by order id and a /metrics scrape
  BENCH_PG_SETTINGS  extra settings of the embedded PostgreSQL, space-separated name=value (e.g. autovacuum=off)
  DATABASE_URL use that PostgreSQL (a fresh database is created and dropped) instead of the embedded one`);
  process.exit(0);
}
const quick = args.quick;
if (!(args.workload! in workloads)) {
  console.error(`--workload must be one of ${Object.keys(workloads).join(', ')} (got "${args.workload}")`);
  process.exit(2);
}
const workload = workloads[args.workload as WorkloadName];
const workers = args.workers === undefined ? 0 : Number(args.workers);
if (!Number.isInteger(workers) || workers < 0 || workers > 16) {
  console.error(`--workers must be an integer from 0 (one process) to 16 (got "${args.workers}")`);
  process.exit(2);
}

let historyRuns: number | null = null;
if (args.history !== undefined) {
  try {
    historyRuns = parseCount(args.history);
  } catch (err) {
    console.error(`--history: ${(err as Error).message}`);
    process.exit(2);
  }
}

/** Phase lengths; every wait below is bounded by one of these. */
const plan = quick
  ? { ackMs: 5_000, rateMs: 5_000, drainMaxMs: 8_000, rateDrainMaxMs: 5_000, stallMs: 3_000, pgMs: 1_500, ceilingMs: 3_000, watchdogMs: 90_000 }
  : { ackMs: 20_000, rateMs: 20_000, drainMaxMs: 60_000, rateDrainMaxMs: 15_000, stallMs: 5_000, pgMs: 3_000, ceilingMs: 10_000, watchdogMs: 240_000 };
const CONCURRENCY = 32;
const RATE = 200;
/**
 * Phase b's rounds: --history alternates three of each run, so that the machine's drift and a stall (an autovacuum,
 * a checkpoint) fall on both; one p99 of 4,000 events moved from 5.5 to 16.8 ms between runs of one commit.
 */
const RATE_ROUNDS = historyRuns === null ? 1 : 3;
const rateSeconds = RATE_ROUNDS > 1 ? `${RATE_ROUNDS} rounds of ${plan.rateMs / 1000} s` : `${plan.rateMs / 1000} s`;
/** Windows of phase b in which its slowest 1% are counted (--profile). */
const SLOW_WINDOW_MS = 250;
const PG_CLIENTS = 16;
/** Caps the closed loops whatever the speed: 25,000 events/s. */
const MAX_EVENTS_PER_SEC = 25_000;
/**
 * Pause before reading pg_stat_database, so that the backends that just went quiet report their
 * commits. (A backend reports at most once a second, and one that stays idle only after 10 s: the
 * few hundred commits that can still be pending at either end of the window roughly cancel out.)
 */
const STATS_PAUSE_MS = 1_000;
const secretKey = 'b'.repeat(64);

const t0 = performance.now();
const cpus = os.cpus();
const cores = os.availableParallelism?.() ?? cpus.length;
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s`;
const progress = (line: string) => console.log(`[${elapsed()}] ${line}`);
const fmt = (n: number | null, digits = 0) => (n === null || !Number.isFinite(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

// ---------------------------------------------------------------------------------------------
// Everything started is stopped on the way out, whatever happens.

const cleanups: Array<() => Promise<void>> = [];
let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length) {
      const fn = cleanups.pop()!;
      await fn().catch((err) => console.error(`cleanup: ${(err as Error).message}`));
    }
  })();
  return cleaning;
}
let watchdog: NodeJS.Timeout | undefined;
/** Gives up when the stage that starts now (a whole run, or a history fill) takes longer than `ms`. */
function armWatchdog(ms: number, what: string): void {
  clearTimeout(watchdog);
  watchdog = setTimeout(() => {
    console.error(`bench: ${what} still running after ${ms / 1000} s, giving up`);
    void cleanup().finally(() => process.exit(1));
  }, ms);
  watchdog.unref();
}
/** Runs a run's cleanups, last pushed first (its processes and folders). */
async function unwind(list: Array<() => Promise<void>>): Promise<void> {
  while (list.length > 0) {
    const fn = list.pop()!;
    await fn().catch((err) => console.error(`cleanup: ${(err as Error).message}`));
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`bench: ${signal}, stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Deliveries seen by the fakes, keyed by order id.

class Deliveries {
  /** Order id → first receive time (performance.now() of this process). */
  readonly first = new Map<string, number>();
  private seen = 0;
  lastAt = 0;
  constructor(private readonly fake: { messages: Array<{ key: string; at: number }>; update?(): void }) {}
  update(): void {
    this.fake.update?.();
    const m = this.fake.messages;
    for (; this.seen < m.length; this.seen++) {
      const msg = m[this.seen]!;
      if (!this.first.has(msg.key)) this.first.set(msg.key, msg.at);
      if (msg.at > this.lastAt) this.lastAt = msg.at;
    }
  }
  /** Waits until every expected id was delivered; gives up after `maxMs`, or `stallMs` without any new delivery. */
  async drain(expected: readonly string[], maxMs: number, stallMs: number): Promise<{ drained: boolean; pending: number; waitedMs: number }> {
    const started = performance.now();
    let pending = expected.filter((id) => !this.first.has(id));
    let lastProgress = performance.now();
    while (pending.length > 0) {
      await sleep(25);
      this.update();
      const before = pending.length;
      pending = pending.filter((id) => !this.first.has(id));
      const now = performance.now();
      if (pending.length < before) lastProgress = now;
      if (now - started > maxMs || now - lastProgress > stallMs) break;
    }
    return { drained: pending.length === 0, pending: pending.length, waitedMs: performance.now() - started };
  }
}

const expectedIds = (events: readonly SentEvent[]) => events.filter((e) => e.paid && e.status >= 200 && e.status < 300).map((e) => e.id);

// ---------------------------------------------------------------------------------------------

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    let dirty = false;
    try {
      execFileSync('git', ['diff-index', '--quiet', 'HEAD', '--'], { cwd: root, stdio: 'ignore' });
    } catch {
      dirty = true;
    }
    return dirty ? `${sha}+changes` : sha;
  } catch {
    return 'unknown';
  }
}

async function api<T = any>(base: string, token: string, method: string, url: string, body?: unknown): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(base + url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : null) as T;
}

function dbUrl(base: string, name: string): string {
  const u = new URL(base);
  u.pathname = '/' + name;
  return u.toString();
}

/** Single-row INSERT commits per second, `clients` connections in parallel, for `ms`. */
async function pgCommitRate(url: string, clients: number, ms: number): Promise<{ commits: number; perSec: number }> {
  await withClient(url, (c) => c.query('create table if not exists bench_scratch (id bigserial primary key, v text not null, at timestamptz not null default now())'));
  const conns = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  let commits = 0;
  const started = performance.now();
  const deadline = started + ms;
  try {
    await Promise.all(
      conns.map(async (c, i) => {
        let n = 0;
        while (performance.now() < deadline && n < 1_000_000) {
          await c.query({ name: 'bench_insert', text: 'insert into bench_scratch (v) values ($1)', values: [`client ${i} row ${n++}`] });
          commits++;
        }
      }),
    );
  } finally {
    await Promise.all(conns.map((c) => c.end().catch(() => {})));
  }
  return { commits, perSec: ratePerSec(commits, started, performance.now()) };
}

// ---------------------------------------------------------------------------------------------

type RateRound = Awaited<ReturnType<typeof openLoop>> & { drain: Awaited<ReturnType<Deliveries['drain']>>; e2eP99Ms: number | null };

interface RunOptions {
  /** Runs of history written before the load; 0 for none. */
  history: number;
  /** Time the Runs search and the /metrics scrape after the load (both runs of --history). */
  timeQueries: boolean;
  logDir: string;
  profileDir: string;
  /** Phase b's rounds at the fixed rate; their latencies are pooled (--history: alternating with the other run). */
  rateRounds: number;
  /**
   * --history: the two runs take turns (turns.ts). Each stage waits here for its turn: the setup (the run with
   * history writes its history in it), the warm-up with phases a and c, each round of phase b, and the rest.
   */
  turns?: { name: string; turns: Turns };
}

/** One run of the bench, from a fresh data folder to the stopped product; everything it started is stopped. */
async function benchRun(opts: RunOptions) {
  // Its own list of what to stop: the two runs of --history start and stop their processes at different times.
  const own: Array<() => Promise<void>> = [];
  const stopOwn = () => unwind(own);
  cleanups.push(stopOwn);
  try {
    return await benchRunInner(opts, own);
  } catch (err) {
    opts.turns?.turns.fail(err as Error);
    throw err;
  } finally {
    opts.turns?.turns.done(opts.turns.name);
    await unwind(own);
    cleanups.splice(cleanups.indexOf(stopOwn), 1);
  }
}

async function benchRunInner(opts: RunOptions, cleanups: Array<() => Promise<void>>) {
  const { logDir, profileDir } = opts;
  const runT0 = performance.now();
  let waitedMs = 0;
  const say = (line: string) => progress(opts.turns ? `${opts.turns.name}: ${line}` : line);
  /** Waits for this run's turn at `stage` (none without --history); the watchdog then times the stage. */
  const turn = async (stage: Stage) => {
    if (!opts.turns) return;
    const w0 = performance.now();
    await opts.turns.turns.at(opts.turns.name, stage);
    waitedMs += performance.now() - w0;
    armWatchdog(plan.watchdogMs, `${opts.turns.name}, stage ${stage}`);
  };
  armWatchdog(plan.watchdogMs, 'the bench');
  await turn('setup');
  let loadAtStart = os.loadavg()[0]!;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundles-bench-'));
  fs.chmodSync(dataDir, 0o777); // the embedded PostgreSQL runs as another user when we are root
  cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));

  const external = process.env.DATABASE_URL;

  // The database: a fresh one for the W1 bundle, a scratch one for the PostgreSQL limit (so that
  // its commits do not count as the product's).
  const suffix = randomBytes(4).toString('hex');
  let adminUrl: string;
  let benchDb: string;
  if (external) {
    adminUrl = external;
    benchDb = `bundles_bench_${suffix}`;
  } else {
    const quiet = { debug() {}, info() {}, warn(...a: unknown[]) { console.error('embedded PostgreSQL:', ...a); }, error(...a: unknown[]) { console.error('embedded PostgreSQL:', ...a); } };
    const settings = [...(args.profile ? ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all', 'pg_stat_statements.track_planning=on'] : []), ...(process.env.BENCH_PG_SETTINGS?.split(' ').filter(Boolean) ?? [])];
    const embedded = await startEmbeddedPostgres(dataDir, quiet, { settings });
    cleanups.push(() => embedded.stop());
    adminUrl = embedded.url;
    benchDb = 'bundles';
  }
  const scratchDb = `bundles_bench_scratch_${suffix}`;
  await withClient(adminUrl, async (c) => {
    if (external) await c.query(`create database "${benchDb}"`);
    await c.query(`create database "${scratchDb}"`);
  });
  cleanups.push(() =>
    withClient(adminUrl, async (c) => {
      await c.query(`drop database if exists "${scratchDb}" with (force)`);
      if (external) await c.query(`drop database if exists "${benchDb}" with (force)`);
    }),
  );
  const databaseUrl = dbUrl(adminUrl, benchDb);
  // CPU accounting of PostgreSQL works when it runs on this machine: /proc shows its postmaster,
  // the parent of our backend (read while the backend lives).
  const { pgVersion, postmaster } = await withClient(databaseUrl, async (c) => {
    const { rows } = await c.query<{ v: string; pid: number }>('select current_setting($1) as v, pg_backend_pid() as pid', ['server_version']);
    return { pgVersion: rows[0]!.v, postmaster: postmasterOf(rows[0]!.pid) };
  });

  // The fake Twilio counts deliveries by order id.
  const fake = await startFakeTwilio({ recordRequests: false, keyOf: workload.smsKey });
  cleanups.push(() => fake.close());
  const started = await workload.start(fake);
  cleanups.push(() => started.close());
  const deliveries = new Deliveries(started.source);

  // The product.
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // The fake Twilio (and W2's CRM) listen on loopback.
    BUNDLES_ALLOWED_HOSTS: '127.0.0.1,localhost,::1',
    HOST: '127.0.0.1',
    PORT: String(port),
    BUNDLES_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    BUNDLES_SECRET_KEY: secretKey,
    LOG_LEVEL: 'warn',
  };
  const nodeArgs = args.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const children: Child[] = [];
  const startRole = (role: 'all' | 'web' | 'worker', i = 0) => {
    const name = role === 'worker' ? `worker-${i + 1}` : role;
    const child = spawnTs({ name, script: 'server/src/main.ts', args: ['--role', role], cwd: root, env, logFile: path.join(logDir, `${name}.log`), nodeArgs });
    children.push(child);
    return child;
  };
  cleanups.push(async () => {
    await Promise.all(children.map((c) => c.stop()));
  });
  // The ceiling's server (phase e) starts now, while the product starts; it idles until then.
  let ceilingPort = 0;
  const ceiling = spawnTs({
    name: 'ceiling',
    script: 'tests/bench/ceiling-server.ts',
    cwd: root,
    env: { ...process.env, ...started.ceilingEnv, TWILIO_URL: fake.url, TWILIO_SID: fake.accountSid, TWILIO_TOKEN: fake.authToken },
    logFile: path.join(logDir, 'ceiling.log'),
    onStdout: (line) => {
      const m = /^READY (\d+)$/.exec(line);
      if (m) ceilingPort = Number(m[1]);
    },
  });
  cleanups.push(() => ceiling.stop(5_000));
  const base = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  const web = startRole(workers > 0 ? 'web' : 'all');
  await poll('the web process to answer /healthz', 60_000, async () => {
    if (!web.isRunning()) throw new Error(`it exited:\n${web.tail()}`);
    const res = await fetch(`${base}/healthz`).catch(() => null);
    return res?.ok ?? false;
  });
  for (let i = 0; i < workers; i++) startRole('worker', i);
  if (workers > 0) {
    // A worker process is ready when its job queue listens for new jobs (graphile-worker's LISTEN).
    await poll(`${workers} worker processes to listen for jobs`, 60_000, async () => {
      for (const w of children) if (!w.isRunning()) throw new Error(`${w.name} exited:\n${w.tail()}`);
      const n = await withClient(databaseUrl, async (c) =>
        (await c.query<{ n: number }>(`select count(*)::int as n from pg_stat_activity where datname = current_database() and query like 'LISTEN "jobs:insert"%'`)).rows[0]!.n,
      );
      return n >= workers;
    }, 200);
  }
  const startupMs = performance.now() - startedAt;

  // The workload's bundle through the HTTP API.
  const { token } = await api<{ token: string }>(base, '', 'POST', '/api/setup', { email: 'bench@example.com', password: 'bench password 1' });
  const flow = await started.configure((method, url, body) => api(base, token, method, url, body));
  await api(base, token, 'POST', `/api/flows/${flow.flowId}/start`);
  const target = { url: flow.webhookUrl.replace(/^https?:\/\/[^/]+/, base), encode: workload.encode };

  // The history, before the warm-up (so both runs warm up right before their load): one real webhook shows
  // what a run of this bundle stores, then N runs like it go straight into the tables.
  let fill: FillResult | null = null;
  let templateId: string | null = null;
  if (opts.history > 0) {
    const one = await closedLoop({ target, ids: new IdSource(TEMPLATE_NUMBER, workload.formatId), concurrency: 1, durationMs: 10_000, maxEvents: 1 });
    const sent = one.events[0];
    if (!sent || !acked(sent)) throw new Error(`history: the template webhook was answered ${sent?.status ?? 'not at all'}`);
    const drained = await deliveries.drain([sent.id], 20_000, 10_000);
    if (!drained.drained) throw new Error(`history: the template webhook's SMS never reached the fake; see ${logDir}`);
    const template = await readTemplate(databaseUrl, sent.id);
    templateId = sent.id;
    say(`history: ${templateSummary(template)}`);
    armWatchdog(120_000 + opts.history, 'the history fill'); // 1 ms a run: far slower than it should be
    fill = await fillHistory(databaseUrl, template, { n: opts.history, endMs: Date.now() - 60_000, salt: suffix, progress });
    say(
      `history: ${fmt(fill.runs)} runs (${Object.entries(fill.rows).map(([t, n]) => `${t} ${fmt(n)}`).join(', ')}) in ${fmt(fill.fillS, 1)} s, ` +
        `${fmt(fill.rowsPerSec)} rows/s; VACUUM (ANALYZE) ${fmt(fill.vacuumS, 1)} s, CHECKPOINT ${fmt(fill.checkpointS, 1)} s; ` +
        `${fill.partitioned ? `day partitions made by bundles_ensure_partitions(), ${fmt(fill.defaultRows)} rows in DEFAULT partitions` : 'no bundles_ensure_partitions(): plain tables'}`,
    );
  }
  if (opts.turns) {
    await turn('load');
    loadAtStart = os.loadavg()[0]!;
  }

  // Warm-up: the whole path works, the JIT and the pools are warm.
  const warm = await closedLoop({ target, ids: new IdSource(LOAD_IDS.warmUp, workload.formatId), concurrency: 8, durationMs: 10_000, maxEvents: 100 });
  const warmOut = deliveryOutcome(warm.events, started.source.deliveries);
  if (warmOut.failed > 0) throw new Error(`warm-up: ${warmOut.failed} of ${warmOut.sent} webhooks were not answered 2xx (statuses ${[...new Set(warm.events.map((e) => e.status))].join(', ')})`);
  const warmDrain = await deliveries.drain(expectedIds(warm.events), 20_000, 10_000);
  if (!warmDrain.drained) throw new Error(`warm-up: ${warmDrain.pending} SMS never reached the fake Twilio; see ${logDir}`);
  say(`started ${dbKind} ${pgVersion}, ${mode} in ${(startupMs / 1000).toFixed(1)} s; ${workload.name.toUpperCase()} set up and warmed up (${warm.events.length} events)`);

  const pgStat = () =>
    withClient(databaseUrl, async (c) => {
      const { rows } = await c.query<{ commits: string; runs: number }>(
        `select (select xact_commit from pg_stat_database where datname = current_database())::text as commits,
                (select count(*)::int from runs where status in ('succeeded', 'failed', 'filtered')) as runs`,
      );
      return { commits: Number(rows[0]!.commits), runs: rows[0]!.runs };
    });
  await settle(databaseUrl);
  const sizesBefore = await tableSizes(databaseUrl);
  const relationsBefore = await relationSizes(databaseUrl);
  await sleep(STATS_PAUSE_MS);
  // Before the profile's counters start: its count of runs reads the whole history.
  const statBefore = await pgStat();
  const statements = args.profile ? await statementStats(databaseUrl) : null;
  await statements?.reset();
  const activity = args.profile ? await watchActivity(databaseUrl) : null;
  // (e) the ceiling, its first half: the bare pipeline, just before phase a (the second half comes just after c).
  await poll('the ceiling server', 20_000, async () => {
    if (!ceiling.isRunning()) throw new Error(`it exited:\n${ceiling.tail()}`);
    return ceilingPort > 0;
  });
  const ceilingTarget = { url: `http://127.0.0.1:${ceilingPort}/hook`, encode: workload.encode };
  // Warm-up at full concurrency: the bare server's JIT and its sockets to the fake are warm before the first half.
  await closedLoop({ target: ceilingTarget, ids: new IdSource(LOAD_IDS.ceilingWarmUp, workload.formatId), concurrency: CONCURRENCY, durationMs: 2_000, maxEvents: 20_000 });
  const ceilingIds = new IdSource(LOAD_IDS.ceiling, workload.formatId);
  const halfMs = plan.ceilingMs / 2;
  const measureCeilingHalf = () =>
    ceilingHalf({
      target: ceilingTarget, ids: ceilingIds, concurrency: CONCURRENCY, durationMs: halfMs, maxEvents: (MAX_EVENTS_PER_SEC * halfMs) / 1000,
      pid: ceiling.proc.pid!, postmaster, cores, drain: (events) => deliveries.drain(expectedIds(events), 5_000, 2_000), firstReceivedAt: deliveries.first,
    });
  const ceilings: CeilingHalf[] = [await measureCeilingHalf()];

  const productPids = children.map((c) => c.proc.pid!).filter(Boolean);
  const cpuA0 = cpuSnapshot(productPids, postmaster);

  // (a) ack/s: closed loop at concurrency 32.
  const ack = await closedLoop({ target, ids: new IdSource(LOAD_IDS.ack, workload.formatId), concurrency: CONCURRENCY, durationMs: plan.ackMs, maxEvents: (MAX_EVENTS_PER_SEC * plan.ackMs) / 1000 });
  const ackOut = deliveryOutcome(ack.events, started.source.deliveries);
  const ackPerSec = ratePerSec(ackOut.acked, ack.startedAt, ack.endedAt);
  const ackSendEnd = ack.endedAt;
  say(`a) ack/s: concurrency ${CONCURRENCY} for ${plan.ackMs / 1000} s → ${fmt(ackOut.acked)} answered 2xx (${fmt(ackPerSec)}/s)${ackOut.failed ? `, ${fmt(ackOut.failed)} not 2xx` : ''}`);

  // (c) delivered/s: the ack phase's paid events, until the backlog is drained.
  const ackDrain = await deliveries.drain(expectedIds(ack.events), plan.drainMaxMs, plan.stallMs);
  const ackDelivered = deliveredRate(ack.events, deliveries.first);
  const cpuA = cpuUse(cpuA0, cpuSnapshot(productPids, postmaster), ackDelivered.delivered, cores);
  say(
    `c) delivered/s: ${fmt(ackDelivered.delivered)} SMS, backlog ${ackDrain.drained ? 'drained' : `NOT drained (${fmt(ackDrain.pending)} pending)`} ${((ackDelivered.lastDeliveredAt - ackSendEnd) / 1000).toFixed(1)} s after the last answer → ${fmt(ackDelivered.perSec)}/s`,
  );

  // (e) the ceiling, its second half, right after the backlog drained.
  ceilings.push(await measureCeilingHalf());
  await ceiling.stop(5_000);
  const ceilingPerSec = (ceilings[0]!.perSec + ceilings[1]!.perSec) / 2;
  const cpuC = meanCpuUse(ceilings.map((c) => c.cpu));
  const ceilOut = deliveryOutcome(ceilings.flatMap((c) => c.phase.events), started.source.deliveries);
  say(
    `e) ceiling: bare Node.js pipeline, concurrency ${CONCURRENCY}, ${halfMs / 1000} s before a and ${halfMs / 1000} s after c → ` +
      `${fmt(ceilings[0]!.perSec)} and ${fmt(ceilings[1]!.perSec)} delivered/s, mean ${fmt(ceilingPerSec)}`,
  );

  // (b) a fixed offered rate: answer and end-to-end latency, over all its rounds. The CPU, the statements and the
  // activity of phase b are those of its first round (the bench process serves the other run's rounds between).
  const rateIds = new IdSource(LOAD_IDS.rate, workload.formatId);
  const rounds: RateRound[] = [];
  const rateRound = async (): Promise<RateRound> => {
    const r = await openLoop({ target, ids: rateIds, ratePerSec: RATE, durationMs: plan.rateMs, maxInFlight: 512 });
    const drain = await deliveries.drain(expectedIds(r.events), plan.rateDrainMaxMs, plan.stallMs);
    const done = { ...r, drain, e2eP99Ms: summarize(endToEnd(r.events, deliveries.first)).p99 };
    rounds.push(done);
    if (opts.rateRounds > 1) say(`b) round ${rounds.length} of ${opts.rateRounds}: e2e p99 ${fmt(done.e2eP99Ms, 1)} ms`);
    return done;
  };
  await turn('rate');
  const statementsB0 = await statements?.snapshot();
  await activity?.markPhaseB();
  const cpuB0 = cpuSnapshot(productPids, postmaster);
  const firstRound = await rateRound();
  const cpuB = cpuUse(cpuB0, cpuSnapshot(productPids, postmaster), deliveredRate(firstRound.events, deliveries.first).delivered, cores);
  const statementTopB = (await statements?.top(12, statementsB0)) ?? null;
  const activityReport = (await activity?.stop()) ?? null;
  // Commits per run over phases a, c and b's first round, as without rounds: the commits of a run waiting for its turn
  // (heartbeats, the queue's polls) are not its runs' cost.
  await sleep(STATS_PAUSE_MS);
  const statFirstRound = await pgStat();
  for (let k = 1; k < opts.rateRounds; k++) {
    await turn('rate');
    await rateRound();
  }
  await turn('rest');
  const rate = { events: rounds.flatMap((r) => r.events), skipped: rounds.reduce((a, r) => a + r.skipped, 0), first: firstRound };
  const rateDrain = { drained: rounds.every((r) => r.drain.drained), pending: rounds.reduce((a, r) => a + r.drain.pending, 0), waitedMs: rounds.reduce((a, r) => a + r.drain.waitedMs, 0) };
  const statAfter = rounds.length > 1 ? await sleep(STATS_PAUSE_MS).then(pgStat) : statFirstRound;
  await settle(databaseUrl);
  const sizesAfter = await tableSizes(databaseUrl);
  const relationsAfter = await relationSizes(databaseUrl);
  const statementTop = (await statements?.top()) ?? null;
  const runs = statAfter.runs - statBefore.runs;
  const commits = statFirstRound.commits - statBefore.commits;
  const commitRuns = statFirstRound.runs - statBefore.runs;
  const byRelation = bytesPerRun(relationsBefore, relationsAfter, runs).tables;
  const footprint = { ...bytesPerRun(sizesBefore, sizesAfter, runs), relations: byRelation };
  const ackLat = summarize(ackLatencies(rate.events));
  const e2eLat = summarize(endToEnd(rate.events, deliveries.first));
  const slowestAbove = rate.first.e2eP99Ms;
  const slowest = slowestAbove === null ? [] : slowWindows(rate.first.events, deliveries.first, slowestAbove, SLOW_WINDOW_MS);
  say(
    `b) ${RATE} events/s for ${rateSeconds} → ack p50 ${fmt(ackLat.p50, 1)} ms p99 ${fmt(ackLat.p99, 1)} ms, e2e p50 ${fmt(e2eLat.p50, 1)} ms p99 ${fmt(e2eLat.p99, 1)} ms` +
      `${rate.skipped ? `, ${rate.skipped} sends skipped (client limit)` : ''}${rateDrain.drained ? '' : `, ${fmt(rateDrain.pending)} SMS not delivered`}`,
  );

  // The Runs page's search by order id and a /metrics scrape, on the database as the load left it: 90 ids
  // that have runs (the history's; without history, the ack phase's) and 10 that have none.
  let queries: { search: SearchTiming; scrape: ScrapeTiming } | null = null;
  if (opts.timeQueries) {
    const workspaceId = await withClient(databaseUrl, async (c) => (await c.query<{ id: string }>('select id from workspaces order by created_at limit 1')).rows[0]!.id);
    const paidIds = ack.events.filter((e) => e.paid && acked(e)).map((e) => e.id);
    const existing = Array.from({ length: 90 }, (_, k) =>
      templateId && opts.history > 0 ? historyOrderId(templateId, Math.floor(Math.random() * opts.history)) : paidIds[Math.floor((k * paidIds.length) / 90)] ?? workload.formatId(LOAD_IDS.ack),
    );
    const missing = Array.from({ length: 10 }, (_, k) => workload.formatId(800_000_000 + k));
    const ids = [...existing, ...missing].sort(() => Math.random() - 0.5);
    const search = await timeSearches({ base, token, databaseUrl, workspaceId, ids });
    const scrape = await timeMetricsScrape(base, 5);
    queries = { search, scrape };
    say(
      `Runs search by order id (${search.via === 'http' ? 'GET /api/runs?q=' : 'SQL: GET /api/runs has no q yet'}): ${search.searches} searches, ${search.found} found runs → ` +
        `p50 ${fmt(search.ms.p50, 1)} ms p99 ${fmt(search.ms.p99, 1)} ms; GET /metrics ×5 → median ${fmt(scrape.medianMs, 1)} ms max ${fmt(scrape.maxMs, 1)} ms (${fmt(scrape.bytes)} bytes)`,
    );
  }

  // (d) the PostgreSQL limit, in a scratch database of the same server.
  const pgLimit = await pgCommitRate(dbUrl(adminUrl, scratchDb), PG_CLIENTS, plan.pgMs);
  say(`d) PostgreSQL limit: single-row INSERT commits, ${PG_CLIENTS} clients for ${plan.pgMs / 1000} s → ${fmt(pgLimit.perSec)}/s`);

  deliveries.update();

  // Final accounting, after every wait: late deliveries still count, a late second one is doubled.
  const ackFinal = deliveryOutcome(ack.events, started.source.deliveries);
  const rateFinal = deliveryOutcome(rate.events, started.source.deliveries);
  const lost = ackFinal.lost + rateFinal.lost;
  const doubled = ackFinal.doubled + rateFinal.doubled + deliveryOutcome(warm.events, started.source.deliveries).doubled;
  const unexpected = ackFinal.unexpected + rateFinal.unexpected;
  const efficiency = ratio(ackDelivered.perSec, ceilingPerSec);

  // Stop the product (profiles are written on exit).
  await Promise.all(children.map((c) => c.stop()));

  const versions = { node: process.version, postgres: pgVersion, bundles: gitCommit() };
  const result = {
    ackPerSec: round(ackPerSec, 0),
    ackP50Ms: round(ackLat.p50, 2),
    ackP99Ms: round(ackLat.p99, 2),
    deliveredPerSec: round(ackDelivered.perSec, 0),
    e2eP50Ms: round(e2eLat.p50, 2),
    e2eP99Ms: round(e2eLat.p99, 2),
    lost,
    doubled,
    pgCommitsPerSec: round(pgLimit.perSec, 0),
    commitsPerRun: round(ratio(commits, commitRuns), 2),
    efficiency: round(efficiency, 3),
    /** Bytes on disk added per run over phases a+b, all tables with their TOAST and indexes. */
    bytesPerRun: footprint.total,
    workload: workload.name,
    historyRuns: opts.history,
    ...(queries ? { searchP99Ms: round(queries.search.ms.p99, 2), metricsScrapeMs: round(queries.scrape.maxMs, 2) } : {}),
    ceilingPerSec: round(ceilingPerSec, 0),
    /** The ceiling's two halves, just before phase a and just after c; `ceilingPerSec` is their mean. */
    ceilingHalvesPerSec: ceilings.map((c) => round(c.perSec, 0)),
    cores,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    /** 1-minute load average when the bench started: above the core count, other work shared the machine. */
    loadAverageAtStart: round(loadAtStart, 2),
    versions,
    mode: { quick, workers, processes: workers > 0 ? `web + ${workers} worker` : 'all', database: external ? 'DATABASE_URL' : 'embedded', profile: args.profile },
    date: new Date().toISOString(),
    durations: {
      totalS: round((performance.now() - t0) / 1000, 1),
      ...(historyRuns !== null ? { runS: round((performance.now() - runT0 - waitedMs) / 1000, 1) } : {}),
      startupS: round(startupMs / 1000, 1),
      ...(fill ? { historyFillS: round(fill.fillS, 1), historyVacuumS: round(fill.vacuumS, 1), historyCheckpointS: round(fill.checkpointS, 1) } : {}),
      ackPhaseS: round((ack.endedAt - ack.startedAt) / 1000, 1),
      ackDrainS: round(ackDrain.waitedMs / 1000, 1),
      ratePhaseS: round(rounds.reduce((a, r) => a + r.endedAt - r.startedAt, 0) / 1000, 1),
      rateDrainS: round(rateDrain.waitedMs / 1000, 1),
      pgPhaseS: round(plan.pgMs / 1000, 1),
      ceilingPhaseS: round(ceilings.reduce((a, c) => a + c.phase.endedAt - c.phase.startedAt, 0) / 1000, 1),
    },
    details: {
      ackPhase: { ...ackOut, ...{ lost: ackFinal.lost, doubled: ackFinal.doubled, unexpected: ackFinal.unexpected, delivered: ackFinal.delivered }, drained: ackDrain.drained, ackLatencyMs: roundSummary(summarize(ackLatencies(ack.events))), deliveredInSpan: ackDelivered.delivered },
      ratePhase: {
        offeredPerSec: RATE, skipped: rate.skipped, ...rateFinal, drained: rateDrain.drained, ackLatencyMs: roundSummary(ackLat), e2eLatencyMs: roundSummary(e2eLat),
        /** Each round's own p99; the figures above pool every round's events. */
        ...(rounds.length > 1 ? { rounds: rounds.map((r) => ({ events: r.events.length, e2eP99Ms: round(r.e2eP99Ms, 2) })) } : {}),
      },
      ceiling: { ackPerSec: round(ceilings.reduce((a, c) => a + ratePerSec(deliveryOutcome(c.phase.events, started.source.deliveries).acked, c.phase.startedAt, c.phase.endedAt), 0) / 2, 0), sent: ceilOut.sent, delivered: ceilOut.delivered, lost: ceilOut.lost, failed: ceilOut.failed },
      pg: { clients: PG_CLIENTS, commits: pgLimit.commits, benchCommits: commits, runs, commitRuns },
      bytesPerRunByTable: footprint.tables,
      /** The same split by each table's rows (heap and TOAST) and each of its indexes. */
      bytesPerRunByRelation: byRelation,
      unexpected,
      /** CPU by component: ms per delivered SMS and share of all cores, during a+c, during b, and for the ceiling (product = its server). */
      cpu: { ackPhase: roundCpu(cpuA), ratePhase: roundCpu(cpuB), ceiling: roundCpu(cpuC) },
      ...(queries
        ? {
            /** The Runs search (100 by order id, one after another) and GET /metrics ×5, after phase b. */
            queries: {
              searchVia: queries.search.via,
              searchesFound: queries.search.found,
              searchMs: roundSummary(queries.search.ms),
              metricsScrapeMs: { samples: queries.scrape.samples.map((v) => round(v, 2)), median: round(queries.scrape.medianMs, 2), max: round(queries.scrape.maxMs, 2) },
              metricsBytes: queries.scrape.bytes,
            },
          }
        : {}),
      ...(fill
        ? {
            history: {
              runs: fill.runs,
              days: 25,
              rows: fill.rows,
              rowsPerSec: round(fill.rowsPerSec, 0),
              insertSecondsByTable: Object.fromEntries(Object.entries(fill.secondsByTable).map(([t, v]) => [t, round(v, 1)])),
              statuses: fill.statuses,
              dayPartitions: fill.partitioned,
              rowsInDefaultPartitions: fill.defaultRows,
              /** What the product keeps (the longest retention of any workspace): older rows of a table were not written. */
              retentionDays: fill.retentionDays,
            },
          }
        : {}),
    },
  };
  return { result, ackDrain, ackDelivered, cpuA, cpuB, cpuC, footprint, statementTop, statementTopB, rateRuns: rate.first.events.length, slowest, slowestAbove, rounds, rateWindow: { from: rate.first.startedAt, to: rate.first.endedAt }, activityReport, runs, commits, commitRuns, lost, doubled, unexpected, fill, queries, loadAtStart, profileDir };
}

type Outcome = Awaited<ReturnType<typeof benchRunInner>>;

/**
 * The two runs of --history, taking turns (historyTurns): the run with history writes it while the empty run waits
 * to set up; each then loads, phase b alternates between them, and the empty run finishes first.
 */
async function alternating(historyRuns: number, dirs: (name: string) => { logDir: string; profileDir: string }): Promise<{ empty: Outcome; filled: Outcome }> {
  const turns = new Turns(historyTurns('empty history', 'with history', RATE_ROUNDS));
  progress(`two runs taking turns: ${fmt(historyRuns)} runs of history written first; then each loads, phase b alternates ${RATE_ROUNDS} rounds each`);
  const filledRun = benchRun({ history: historyRuns, timeQueries: true, rateRounds: RATE_ROUNDS, ...dirs('history'), turns: { name: 'with history', turns } });
  const emptyRun = benchRun({ history: 0, timeQueries: true, rateRounds: RATE_ROUNDS, ...dirs('empty'), turns: { name: 'empty history', turns } });
  const [empty, filled] = await Promise.all([emptyRun, filledRun]);
  return { empty, filled };
}

const pooled = RATE_ROUNDS > 1 ? ` (${RATE_ROUNDS} rounds pooled)` : '';

/** The figures of a run, as rows: label, value, target; `nums` are what the side-by-side table compares. */
const figureRows: Array<{ label: string; target: string; value: (o: Outcome) => string; nums: (o: Outcome) => Array<number | null>; timed?: boolean }> = [
  { label: `ack/s (concurrency ${CONCURRENCY}, ${plan.ackMs / 1000} s)`, target: '', value: (o) => fmt(o.result.ackPerSec), nums: (o) => [o.result.ackPerSec] },
  { label: `ack p50 / p99 at ${RATE}/s${pooled}`, target: 'p99 ≤ 20 ms', value: (o) => `${fmt(o.result.ackP50Ms, 1)} / ${fmt(o.result.ackP99Ms, 1)} ms`, nums: (o) => [o.result.ackP50Ms, o.result.ackP99Ms] },
  { label: 'delivered/s (backlog drained)', target: '≥ 1,000', value: (o) => `${fmt(o.result.deliveredPerSec)}${o.ackDrain.drained ? '' : ' (not drained)'}`, nums: (o) => [o.result.deliveredPerSec] },
  { label: `e2e p50 / p99 at ${RATE}/s${pooled}`, target: 'p99 ≤ 100 ms', value: (o) => `${fmt(o.result.e2eP50Ms, 1)} / ${fmt(o.result.e2eP99Ms, 1)} ms`, nums: (o) => [o.result.e2eP50Ms, o.result.e2eP99Ms] },
  { label: 'lost / doubled', target: '0 / 0', value: (o) => `${o.lost} / ${o.doubled}${o.unexpected ? ` (+${o.unexpected} sent for status=new)` : ''}`, nums: () => [] },
  { label: `PG limit (INSERT commits/s, ${PG_CLIENTS} clients)`, target: '', value: (o) => fmt(o.result.pgCommitsPerSec), nums: (o) => [o.result.pgCommitsPerSec] },
  { label: 'commits per run', target: '', value: (o) => `${fmt(o.result.commitsPerRun, 2)} (${fmt(o.commits)} commits / ${fmt(o.commitRuns)} runs${RATE_ROUNDS > 1 ? ', a, c and b\'s first round' : ''})`, nums: (o) => [o.result.commitsPerRun] },
  { label: 'bytes per run (all tables and indexes)', target: '< 1,500', value: (o) => fmt(o.result.bytesPerRun), nums: (o) => [o.result.bytesPerRun] },
  { label: 'ceiling (bare Node.js, delivered/s)', target: '', value: (o) => fmt(o.result.ceilingPerSec), nums: (o) => [o.result.ceilingPerSec] },
  { label: 'efficiency (delivered/s ÷ ceiling)', target: '≥ 0.5', value: (o) => fmt(o.result.efficiency, 3), nums: (o) => [o.result.efficiency] },
  {
    label: 'Runs search by order id, p50 / p99 of 100',
    target: 'p99 < 50 ms',
    timed: true,
    value: (o) => (o.queries ? `${fmt(o.queries.search.ms.p50, 1)} / ${fmt(o.queries.search.ms.p99, 1)} ms` : '–'),
    nums: (o) => (o.queries ? [o.queries.search.ms.p50, o.queries.search.ms.p99] : []),
  },
  {
    label: 'GET /metrics, median / max of 5',
    target: 'max < 50 ms',
    timed: true,
    value: (o) => (o.queries ? `${fmt(o.queries.scrape.medianMs, 1)} / ${fmt(o.queries.scrape.maxMs, 1)} ms` : '–'),
    nums: (o) => (o.queries ? [o.queries.scrape.medianMs, o.queries.scrape.maxMs] : []),
  },
];

/** `+4.2%`: how far `after` is from `before`. */
function change(before: number | null | undefined, after: number | null | undefined): string {
  if (before == null || after == null || !Number.isFinite(before) || !Number.isFinite(after) || before === 0) return '–';
  const pct = (100 * (after - before)) / before;
  return `${pct >= 0 ? '+' : '−'}${Math.abs(pct).toFixed(1)}%`;
}

function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, rightAligned: ReadonlySet<number>): string[] {
  const w = header.map((h, k) => Math.max(k === 1 ? 5 : 6, h.length, ...rows.map((r) => r[k]!.length)));
  const line = (r: readonly string[]) => `| ${r.map((c, k) => (rightAligned.has(k) ? c.padStart(w[k]!) : c.padEnd(w[k]!))).join(' | ')} |`;
  return [line(header), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...rows.map(line)];
}

function header(o: Outcome): string[] {
  const versions = o.result.versions;
  return [
    `${workload.title} · ${quick ? 'quick' : 'full'} · ${mode} · ${dbKind}`,
    `machine: ${cores} cores (${o.result.cpu}), ${o.result.memoryGb} GB · node ${versions.node} · PostgreSQL ${versions.postgres} · bundles ${versions.bundles}`,
  ];
}

function cpuLines(o: Outcome, prefix = ''): string[] {
  return [
    cpuLine(`${prefix}CPU during a+c (${fmt(o.ackDelivered.delivered)} SMS)`, o.cpuA, 'product'),
    cpuLine(`${prefix}CPU during b (${RATE}/s${RATE_ROUNDS > 1 ? ', first round' : ''})`, o.cpuB, 'product'),
    cpuLine(`${prefix}CPU of the ceiling`, o.cpuC, 'bare server'),
    ...postgresLine(`${prefix}PostgreSQL's CPU ms per SMS by process, a+c / b`, o.cpuA, o.cpuB),
    waitedLine(`${prefix}waited for a core while runnable (run queue), ms per SMS, a+c / b / ceiling`, [o.cpuA, o.cpuB, o.cpuC]),
  ];
}

/** The run queue's delay by component: next to the CPU lines, why a pipeline below 2 cores of use is still held up. */
function waitedLine(label: string, uses: CpuUse[]): string {
  const ms = (v: number | null) => (v === null ? '–' : v.toFixed(2));
  const parts = [['product (the bare server in the ceiling)', 'product'], ['PostgreSQL', 'postgres'], ['bench client + fake', 'bench']] as const;
  return `${label}: ${parts.map(([n, k]) => `${n} ${uses.map((u) => ms(u.waitedPerEventMs[k])).join(' / ')}`).join(', ')}`;
}

/** Where PostgreSQL's CPU went (its connections, walwriter, checkpointer, …), largest first; none when not measured. */
function postgresLine(label: string, ac: CpuUse, b: CpuUse): string[] {
  const kinds = [...new Set([...Object.keys(ac.postgresPerEventMs), ...Object.keys(b.postgresPerEventMs)])];
  if (kinds.length === 0) return [];
  const ms = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(3));
  kinds.sort((x, y) => (b.postgresPerEventMs[y] ?? 0) - (b.postgresPerEventMs[x] ?? 0));
  const kernel = ac.connectionsKernelPerEventMs === null ? '' : `; of the connections', in the kernel ${ms(ac.connectionsKernelPerEventMs)} / ${ms(b.connectionsKernelPerEventMs ?? undefined)}`;
  return [`${label}: ${kinds.map((k) => `${k} ${ms(ac.postgresPerEventMs[k])} / ${ms(b.postgresPerEventMs[k])}`).join(', ')}${kernel}`];
}

/** When phase b's slowest 1% were sent: clustered in a few windows, a stall made the p99. */
function formatSlowest(windows: Array<{ atMs: number; count: number }>, p99: number | null, rounds: number): string {
  const n = windows.reduce((a, w) => a + w.count, 0);
  const of = rounds > 1 ? ` of the first round` : '';
  if (p99 === null || n === 0) return `b) the slowest 1%${of}: none measured`;
  const top = windows.slice(0, 8).map((w) => `${(w.atMs / 1000).toFixed(2)} s (${w.count})`);
  return `b) the slowest 1%${of} (e2e ≥ ${fmt(p99, 1)} ms, ${n} events) by when they were sent, ${SLOW_WINDOW_MS} ms windows, the fullest first: ${top.join(', ')}${windows.length > 8 ? `, and ${windows.length - 8} more windows` : ''}`;
}

/** The profiles of a run's processes and its PostgreSQL statements (--profile). */
function printProfiles(o: Outcome): void {
  // One profile per thread; tsx's module-loader thread idles after start-up and is left out.
  for (const file of fs.readdirSync(o.profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
    const summary = summarizeProfile(readProfile(path.join(o.profileDir, file)));
    if (summary.totalMs - summary.idleMs < 0.1 * summary.totalMs) continue;
    console.log('\n' + formatProfile(path.join(path.relative(root, o.profileDir), file), summary));
  }
  console.log(`\n(profiles in ${path.relative(root, o.profileDir)}; open them in Chrome DevTools → Performance, or: tsx tests/bench/profile.ts FILE)`);
  console.log('\n' + formatStatements(o.statementTop, o.runs));
  console.log('\n' + formatSlowest(o.slowest, o.slowestAbove, o.rounds.length));
  if (o.activityReport) console.log(formatLongIn(o.activityReport.long, o.rateWindow.from, o.rateWindow.to, 'b'));
  if (o.statementTopB) console.log('\n' + formatStatements(o.statementTopB, o.rateRuns, `b alone (${RATE}/s)`));
  if (o.activityReport) console.log('\n' + formatActivity(o.activityReport, o.runs, o.rateRuns));
}

const mode = workers > 0 ? `web + ${workers} worker process${workers > 1 ? 'es' : ''}` : '1 process (web + worker)';
const dbKind = process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PostgreSQL';

async function main(): Promise<void> {
  fs.mkdirSync(resultsDir, { recursive: true });
  const logDir = path.join(resultsDir, 'logs');
  const profileDir = path.join(resultsDir, 'profiles');
  fs.rmSync(logDir, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });
  if (args.profile) {
    fs.rmSync(profileDir, { recursive: true, force: true });
    fs.mkdirSync(profileDir, { recursive: true });
  }
  const latest = path.join(resultsDir, 'latest.json');

  if (historyRuns === null) {
    const o = await benchRun({ history: 0, timeQueries: false, rateRounds: RATE_ROUNDS, logDir, profileDir });
    fs.writeFileSync(latest, JSON.stringify(o.result, null, 2) + '\n');
    const rows = figureRows.filter((r) => !r.timed).map((r) => [r.label, r.value(o), r.target]);
    console.log(
      [
        '',
        ...header(o),
        ...noiseWarning([o.cpuA, o.cpuB], o.loadAtStart),
        '',
        ...markdownTable(['figure', 'value', 'target'], rows, new Set([1])),
        '',
        ...cpuLines(o),
        formatFootprint(o.footprint),
        '',
        `total ${o.result.durations.totalS} s · written to ${path.relative(root, latest)}`,
      ].join('\n'),
    );
    if (args.profile) printProfiles(o);
    return;
  }

  // --history N: the same run twice, each from a fresh data folder (its own PostgreSQL), measured alike and taking
  // turns (alternating): the run with history writes it first, between the bundle's setup and the warm-up, and
  // its processes idle while the other run has its turn, so that the loads are seconds apart, not the fill's minutes.
  const dirs = (name: string) => {
    const d = { logDir: path.join(logDir, name), profileDir: path.join(profileDir, name) };
    fs.mkdirSync(d.logDir, { recursive: true });
    if (args.profile) fs.mkdirSync(d.profileDir, { recursive: true });
    return d;
  };
  const { empty, filled } = await alternating(historyRuns, dirs);

  const figures = (o: Outcome) => {
    const r = o.result;
    return {
      ackPerSec: r.ackPerSec, ackP50Ms: r.ackP50Ms, ackP99Ms: r.ackP99Ms, deliveredPerSec: r.deliveredPerSec, e2eP50Ms: r.e2eP50Ms, e2eP99Ms: r.e2eP99Ms,
      lost: r.lost, doubled: r.doubled, pgCommitsPerSec: r.pgCommitsPerSec, commitsPerRun: r.commitsPerRun, efficiency: r.efficiency, bytesPerRun: r.bytesPerRun,
      ceilingPerSec: r.ceilingPerSec, searchP99Ms: r.searchP99Ms, metricsScrapeMs: r.metricsScrapeMs, loadAverageAtStart: r.loadAverageAtStart,
      durations: r.durations, details: r.details,
    };
  };
  // The figures at the top are the run with history (historyRuns says so); the empty run's are beside them.
  const result = { ...filled.result, emptyHistoryRun: figures(empty) };
  fs.writeFileSync(latest, JSON.stringify(result, null, 2) + '\n');

  const n = fmt(historyRuns);
  const rows = figureRows.map((r) => {
    const a = r.nums(empty);
    const b = r.nums(filled);
    return [r.label, r.value(empty), r.value(filled), a.map((v, k) => change(v, b[k])).join(' / '), r.target];
  });
  const within = (before: number | null, after: number | null, worse: 1 | -1) => before !== null && after !== null && worse * (after - before) <= 0.1 * Math.abs(before);
  const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
  const noisy = [empty, filled].some((o) => noiseWarning([o.cpuA, o.cpuB], o.loadAtStart).length > 0);
  const fill = filled.fill!;
  const fq = filled.queries!;
  console.log(
    [
      '',
      ...header(filled),
      ...noiseWarning([empty.cpuA, empty.cpuB], empty.loadAtStart).map((l) => `empty history: ${l}`),
      ...noiseWarning([filled.cpuA, filled.cpuB], filled.loadAtStart).map((l) => `with history: ${l}`),
      `history: ${n} runs over 25 days (${Object.entries(fill.statuses).map(([s, k]) => `${s} ${fmt(k)}`).join(', ')}), ${Object.values(fill.rows).reduce((a, b) => a + b, 0).toLocaleString('en-US')} rows ` +
        `written in ${fmt(fill.fillS, 1)} s (${fmt(fill.rowsPerSec)} rows/s), VACUUM (ANALYZE) ${fmt(fill.vacuumS, 1)} s, CHECKPOINT ${fmt(fill.checkpointS, 1)} s; ` +
        `${fill.partitioned ? `in day partitions (${fmt(fill.defaultRows)} rows in DEFAULT ones)` : 'plain tables (no bundles_ensure_partitions() yet)'}; ` +
        `as the product keeps it: deliveries ${fill.retentionDays.deliveriesDays} days, dedupe keys until expired`,
      `Runs search: ${fq.search.via === 'http' ? 'GET /api/runs?q=<order id>' : 'the SQL of GET /api/runs?q= (the route has no q yet)'}, 90 ids with runs and 10 without, one after another`,
      '',
      ...markdownTable(['figure', 'empty history', `with ${n} runs`, 'change', 'target'], rows, new Set([1, 2, 3])),
      '',
      `with ${n} runs of history: delivered/s within 10% ${yes(within(empty.result.deliveredPerSec, filled.result.deliveredPerSec, -1))}, ` +
        `e2e p99 within 10% ${yes(within(empty.result.e2eP99Ms, filled.result.e2eP99Ms, 1))}, ` +
        `search p99 < 50 ms ${yes(fq.search.ms.p99 < 50)}, /metrics < 50 ms ${yes(fq.scrape.maxMs < 50)}` +
        (noisy ? ' (other programs used the machine during a run: the changes are noise as much as history)' : ''),
      `b) e2e p99 of each round, in the order run (the two runs alternating, the empty one first): ` +
        empty.rounds.map((r, k) => `${fmt(r.e2eP99Ms, 1)} / ${fmt(filled.rounds[k]?.e2eP99Ms ?? null, 1)}`).join(', ') + ' ms',
      '',
      ...cpuLines(empty, 'empty history: '),
      ...cpuLines(filled, 'with history: '),
      ...formatFootprint(empty.footprint).split('\n').map((l) => `empty history: ${l}`),
      ...formatFootprint(filled.footprint).split('\n').map((l) => `with history: ${l}`),
      '',
      `total ${result.durations.totalS} s · written to ${path.relative(root, latest)}`,
    ].join('\n'),
  );
  if (args.profile) {
    console.log('\n== profiles, empty history');
    printProfiles(empty);
    console.log('\n== profiles, with history');
    printProfiles(filled);
  }
}

/** Other programs used more than a quarter of a core during the W1 phases: say so. */
function noiseWarning(uses: CpuUse[], loadAtStart: number): string[] {
  const other = Math.max(...uses.map((u) => u.coreShare.other ?? 0)) * cores;
  if (other > 0.25) return [`warning: other programs used ${other.toFixed(2)} cores during the W1 phases: figures are noisy`];
  if (uses.some((u) => u.coreShare.other === null) && loadAtStart > cores) {
    return [`warning: the machine was busy at the start (load average ${loadAtStart.toFixed(1)} on ${cores} cores)`];
  }
  return [];
}

function roundCpu(u: CpuUse) {
  const r = (o: Record<string, number | null>, d: number) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v, d)]));
  return { perEventMs: r(u.perEventMs, 3), waitedPerEventMs: r(u.waitedPerEventMs, 3), postgresPerEventMs: r(u.postgresPerEventMs, 3), coreShare: r(u.coreShare, 3) };
}

function cpuLine(label: string, u: CpuUse, productName: string): string {
  const c = (v: number | null) => (v === null ? '–' : (v * cores).toFixed(2));
  const ms = (v: number | null) => (v === null ? '–' : v.toFixed(2));
  const parts = [[productName, 'product'], ['PostgreSQL', 'postgres'], ['bench client + fake', 'bench']] as const;
  const used = parts.filter(([, k]) => !(k === 'postgres' && u.perEventMs.postgres === null && productName !== 'product'));
  return (
    `${label}: cores used ${used.map(([n, k]) => `${n} ${c(u.coreShare[k])}`).join(', ')}, other programs ${c(u.coreShare.other)} of ${cores}; ` +
    `CPU ms per SMS ${used.map(([n, k]) => `${n} ${ms(u.perEventMs[k])}`).join(', ')}`
  );
}

function roundSummary(s: ReturnType<typeof summarize>) {
  return { count: s.count, p50: round(s.p50, 2), p99: round(s.p99, 2), max: round(s.max, 2), mean: round(s.mean, 2) };
}

try {
  await main();
  await cleanup();
  clearTimeout(watchdog);
  process.exit(0);
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack ?? err}`);
  await cleanup();
  process.exit(1);
}
