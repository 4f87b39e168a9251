// `pnpm chaos [--short] [--out FILE]`: the fault figure. W1 and a fan-out bundle under load from a client
// that behaves like a provider (it retries until answered 2xx); round "all" SIGKILLs the --role all process
// and restarts PostgreSQL, round "workers" SIGKILLs one of two worker processes. Then it counts, over both
// bundles' side effects: acknowledged, delivered, lost, doubled, uncertain. Prints a table and writes
// bench-results/chaos.json. Loopback only; everything it starts is stopped on the way out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { IdSource } from '../bench/load.js';
import { withClient } from '../bench/db.js';
import { freePort, poll, sleep } from '../bench/procs.js';
import { round } from '../bench/stats.js';
import { countRound, effectKey, unsettled, type Fault, type RoundResult } from './ledger.js';
import { answerCounts, startProviderLoad, type RetryPolicy } from './provider.js';
import {
  Api,
  commitOf,
  health,
  healthyAgain,
  logSummary,
  RestartablePostgres,
  setUpBundles,
  startFakes,
  startProduct,
  Teardown,
  whenReady,
  workersListening,
  type Bundles,
  type Product,
  type Role,
} from './system.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const { values: args } = parseArgs({
  options: { short: { type: 'boolean', default: false }, out: { type: 'string' }, help: { type: 'boolean', default: false } },
  allowPositionals: false,
});
if (args.help) {
  console.log(`pnpm chaos [--short] [--out FILE]
  --short     fewer events and shorter phases (about a minute), for CI
  --out FILE  where the figures go (default bench-results/chaos.json); the products' logs go to FILE's folder, <name>-logs/`);
  process.exit(0);
}
const short = args.short;
const outFile = path.resolve(root, args.out ?? 'bench-results/chaos.json');
const logDir = path.join(path.dirname(outFile), `${path.basename(outFile, '.json')}-logs`);

/** Every wait is bounded by one of these. */
const plan = short
  ? { ratePerSec: 200, beforeFaultMs: 3_000, betweenMs: 3_000, pgDownMs: 1_000, afterMs: 3_000, afterWorkerKillMs: 5_000, settleMaxMs: 60_000, startMs: 60_000, watchdogMs: 200_000 }
  : { ratePerSec: 300, beforeFaultMs: 5_000, betweenMs: 5_000, pgDownMs: 1_000, afterMs: 5_000, afterWorkerKillMs: 8_000, settleMaxMs: 90_000, startMs: 60_000, watchdogMs: 290_000 };
/** However long the faults take, a round offers at most this many events. */
const maxEventsPerRound = plan.ratePerSec * 60;
const policy: RetryPolicy = { giveUpMs: short ? 45_000 : 60_000, backoffMs: 100, maxBackoffMs: 1_000, maxRetryAfterMs: 1_000, requestTimeoutMs: 10_000 };
/** The fakes answer each send this late (real APIs take longer): a kill then finds calls in flight. */
const providerLatencyMs = 20;
const staleMs = 1_500;
const heartbeatMs = 300;
const settledStatuses = new Set(['succeeded', 'failed', 'filtered', 'uncertain']);

const t0 = performance.now();
const secondsSince = (t: number) => (performance.now() - t) / 1000;
const say = (line: string) => console.log(`[${secondsSince(t0).toFixed(1).padStart(5)} s] ${line}`);
const num = (n: number) => n.toLocaleString('en-US');

const teardown = new Teardown();
const watchdog = setTimeout(() => {
  console.error(`chaos: still running after ${plan.watchdogMs / 1000} s, giving up`);
  void teardown.run().finally(() => process.exit(1));
}, plan.watchdogMs);
watchdog.unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`chaos: ${signal}, stopping`);
    void teardown.run().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// What the database holds for a round's events (order ids in [lo, hi)).

interface Range {
  lo: number;
  hi: number;
}

const roundRange = (r: number): Range => ({ lo: r * 10_000_000, hi: (r + 1) * 10_000_000 });
const idsOf = (r: number) => ({ w1: new IdSource(r * 10_000_000 + 1_000_000), fanout: new IdSource(r * 10_000_000 + 2_000_000) });

/** The order id as a number (null when it is not one), in [$2, $3). */
const inRange = `(case when e.payload->>'id' ~ '^[0-9]{1,18}$' then (e.payload->>'id')::bigint end) >= $2 and (case when e.payload->>'id' ~ '^[0-9]{1,18}$' then (e.payload->>'id')::bigint end) < $3`;

async function runsOfRound(db: string, bundles: Bundles, range: Range): Promise<{ runs: Map<string, string[]>; uncertainSteps: string[] }> {
  const bundleOf = new Map(Object.entries(bundles.shops).map(([name, s]) => [s.connectionId, name]));
  const ids = [...bundleOf.keys()];
  return withClient(db, async (c) => {
    const runs = await c.query<{ connection_id: string; id: string; status: string | null }>(
      `select e.connection_id, e.payload->>'id' as id, r.status from events e left join runs r on r.event_id = e.id where e.connection_id = any($1::uuid[]) and ${inRange}`,
      [ids, range.lo, range.hi],
    );
    const steps = await c.query<{ connection_id: string; id: string; node_id: string }>(
      `select e.connection_id, e.payload->>'id' as id, s.node_id from steps s join runs r on r.id = s.run_id join events e on e.id = r.event_id
       where s.status = 'uncertain' and e.connection_id = any($1::uuid[]) and ${inRange}`,
      [ids, range.lo, range.hi],
    );
    const byEvent = new Map<string, string[]>();
    for (const row of runs.rows) {
      const key = `${bundleOf.get(row.connection_id)}/${row.id}`;
      const list = byEvent.get(key) ?? [];
      if (row.status !== null) list.push(row.status);
      byEvent.set(key, list);
    }
    return { runs: byEvent, uncertainSteps: steps.rows.map((s) => effectKey(bundleOf.get(s.connection_id)!, s.node_id, s.id)) };
  });
}

/** Events, runs, steps and jobs behind `keys` (`bundle/…/orderId`), for the report. */
async function evidenceOf(db: string, bundles: Bundles, keys: string[], why: string): Promise<unknown[]> {
  if (keys.length === 0) return [];
  const wanted = keys
    .map((k) => ({ bundle: k.split('/')[0]!, id: k.split('/').at(-1)! }))
    .filter((w) => w.bundle in bundles.shops)
    .slice(0, 10);
  return withClient(db, async (c) => {
    const out: unknown[] = [];
    for (const w of wanted) {
      const shop = bundles.shops[w.bundle as keyof Bundles['shops']];
      const { rows } = await c.query(
        `select e.payload->>'id' as order_id, e.duplicates, e.received_at, r.id as run_id, r.status, r.error, r.created_at, r.finished_at,
           (select json_agg(json_build_object('node', s.node_id, 'status', s.status, 'attempts', s.attempts, 'error', s.error, 'started_at', s.started_at, 'finished_at', s.finished_at))
              from steps s where s.run_id = r.id) as steps,
           (select json_agg(json_build_object('run_at', j.run_at, 'locked_by', j.locked_by, 'attempts', j.attempts, 'last_error', j.last_error))
              from graphile_worker._private_jobs j where j.payload->>'runId' = r.id::text) as jobs
         from events e left join runs r on r.event_id = e.id where e.connection_id = $1 and e.payload->>'id' = $2`,
        [shop.connectionId, w.id],
      );
      out.push({ why, key: keys.find((k) => k.startsWith(`${w.bundle}/`) && k.endsWith(`/${w.id}`)), stored: rows });
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------

interface Ctx {
  pg: RestartablePostgres;
  db: string;
  base: string;
  env: NodeJS.ProcessEnv;
  bundles: Bundles;
  fakes: Awaited<ReturnType<typeof startFakes>>;
  products: Product[];
  logFiles: string[];
}

function launch(ctx: Ctx, role: Role, name: string): Product {
  const p = startProduct({ role, name, root, env: ctx.env, logDir });
  ctx.products.push(p);
  ctx.logFiles.push(p.child.logFile);
  return p;
}

async function killHard(p: Product): Promise<number | string> {
  p.child.proc.kill('SIGKILL');
  return p.child.exited;
}

const unsettledRunCount = (db: string) =>
  withClient(db, async (c) => (await c.query<{ n: number }>(`select count(*)::int as n from runs where status not in ('succeeded', 'failed', 'filtered', 'uncertain')`)).rows[0]!.n);

/** One round: load from the first fault to the last, then a bounded wait until every acknowledged event's run settled. */
async function runRound(ctx: Ctx, r: number, name: string, processes: string, faults: (roundStart: number) => Promise<Fault[]>): Promise<RoundResult> {
  const ids = idsOf(r);
  const targets = (['w1', 'fanout'] as const).map((bundle) => ({ bundle, url: ctx.base + ctx.bundles.shops[bundle].hookPath, ids: ids[bundle] }));
  const started = performance.now();
  say(`round "${name}" (${processes}): ${plan.ratePerSec} events/s over W1 and the fan-out`);
  const load = startProviderLoad({ targets, ratePerSec: plan.ratePerSec, maxEvents: maxEventsPerRound, maxSockets: 64, policy });
  let done: Fault[] = [];
  try {
    done = await faults(started);
  } finally {
    load.stop();
  }
  const { events } = await load.done;
  const loadSeconds = secondsSince(started);
  const acked = events.filter((e) => e.ackAt !== undefined).length;
  say(`  load over: ${num(events.length)} events offered, ${num(acked)} acknowledged; waiting for their runs to settle`);

  const range = roundRange(r);
  const settleStart = performance.now();
  let pending: string[] = [];
  let state = { runs: new Map<string, string[]>(), uncertainSteps: [] as string[] };
  for (;;) {
    try {
      state = await runsOfRound(ctx.db, ctx.bundles, range);
      pending = unsettled(events, state.runs, settledStatuses);
    } catch (err) {
      pending = [`(the database did not answer: ${(err as Error).message})`];
    }
    if (pending.length === 0 || performance.now() - settleStart > plan.settleMaxMs) break;
    await sleep(500);
  }
  // Runs write their steps after the call: once settled, every delivery is in. A moment for stragglers anyway.
  await sleep(1_000);
  const settleSeconds = secondsSince(settleStart);
  const counts = countRound(events, ctx.fakes.deliveries(), state.uncertainSteps);
  const answers = answerCounts(events);

  const problems: string[] = [];
  const evidence: unknown[] = [];
  if (pending.length > 0) {
    problems.push(`${pending.length} acknowledged events had runs not settled after ${plan.settleMaxMs / 1000} s (e.g. ${pending.slice(0, 5).join(', ')})`);
    evidence.push(...(await evidenceOf(ctx.db, ctx.bundles, pending, 'not settled').catch((err) => [String(err)])));
  }
  if (counts.lost > 0) {
    problems.push(`${counts.lost} side effects lost (e.g. ${counts.lostKeys.slice(0, 5).join(', ')})`);
    evidence.push(...(await evidenceOf(ctx.db, ctx.bundles, counts.lostKeys, 'lost').catch((err) => [String(err)])));
  }
  if (counts.doubled > 0) {
    problems.push(`${counts.doubled} side effects doubled, ${counts.doubledUncertain} of them with an uncertain step (e.g. ${counts.doubledKeys.slice(0, 5).join(', ')})`);
    evidence.push(...(await evidenceOf(ctx.db, ctx.bundles, counts.doubledKeys, 'doubled').catch((err) => [String(err)])));
  }
  const strays = [...ctx.fakes.deliveries().keys()].filter((k) => k.startsWith('unexpected'));
  if (strays.length > 0) problems.push(`the fakes received messages no bundle sends: ${strays.slice(0, 3).join('; ')}`);
  const runsByStatus: Record<string, number> = {};
  const failedRuns: string[] = [];
  for (const [key, statuses] of state.runs) {
    for (const st of statuses) runsByStatus[st] = (runsByStatus[st] ?? 0) + 1;
    if (statuses.includes('failed')) failedRuns.push(key);
  }
  // The fakes never refuse a send here: a run that failed, failed on the product's side.
  if (failedRuns.length > 0) {
    problems.push(`${failedRuns.length} runs failed (e.g. ${failedRuns.slice(0, 5).join(', ')})`);
    evidence.push(...(await evidenceOf(ctx.db, ctx.bundles, failedRuns, 'run failed').catch((err) => [String(err)])));
  }
  if (counts.unexpected > 0) problems.push(`${counts.unexpected} side effects sent for events the trigger filters out (status=new)`);
  if (counts.gaveUp > 0) problems.push(`${counts.gaveUp} events were never acknowledged within ${policy.giveUpMs / 1000} s of their first send`);
  const odd = Object.entries(answers).filter(([kind]) => !['2xx', '503', 'no answer'].includes(kind));
  if (odd.length > 0) problems.push(`webhooks answered ${odd.map(([k, n]) => `${k} ×${n}`).join(', ')} (only 2xx, or 503 while the database is away, are expected)`);
  for (const f of done) if (!f.ok) problems.push(`fault "${f.what}": ${f.detail}`);

  const result: RoundResult = {
    name,
    processes,
    ...counts,
    lostKeys: counts.lostKeys.slice(0, 50),
    doubledKeys: counts.doubledKeys.slice(0, 50),
    faults: done,
    seconds: round(secondsSince(started), 1)!,
    loadSeconds: round(loadSeconds, 1)!,
    settleSeconds: round(settleSeconds, 1)!,
    unsettled: pending.length,
    runsByStatus,
    answers,
    uncertainByStep: state.uncertainSteps.reduce<Record<string, number>>((acc, k) => {
      const step = k.split('/').slice(0, 2).join('/');
      acc[step] = (acc[step] ?? 0) + 1;
      return acc;
    }, {}),
    uncertainKeys: state.uncertainSteps.slice(0, 50),
    problems,
    evidence,
  };
  say(
    `  settled in ${result.settleSeconds} s: ${num(counts.expected)} side effects owed, ${num(counts.delivered)} delivered, ${counts.lost} lost, ${counts.doubled} doubled, ${counts.uncertain} uncertain` +
      (problems.length ? `\n  PROBLEMS:\n    ${problems.join('\n    ')}` : ''),
  );
  return result;
}

/** Round "all": SIGKILL the --role all process mid-load and start another; later restart PostgreSQL. */
async function roundAll(ctx: Ctx, first: Product): Promise<{ result: RoundResult; survivor: Product }> {
  let current = first;
  const result = await runRound(ctx, 1, 'all', '1 × --role all', async (start) => {
    const faults: Fault[] = [];
    const at = () => round(secondsSince(start), 1)!;
    await sleep(plan.beforeFaultMs);
    const inFlight = await unsettledRunCount(ctx.db).catch(() => -1);
    const killedAt = at();
    const signal = await killHard(current);
    say(`  SIGKILLed ${current.child.name} (${inFlight} runs not settled just before)`);
    const restartedAt = performance.now();
    current = launch(ctx, 'all', 'all-2');
    let detail = `${inFlight} runs not settled just before the kill; exit ${signal}`;
    let ok = signal === 'SIGKILL';
    try {
      await whenReady(current, plan.startMs);
      detail += `; a new --role all process was running ${secondsSince(restartedAt).toFixed(1)} s later`;
      say(`  ${current.child.name} running`);
    } catch (err) {
      ok = false;
      detail += `; the new process did not start: ${(err as Error).message}`;
    }
    faults.push({ what: 'SIGKILL the --role all process', atS: killedAt, ok, detail, killed: { name: first.child.name, exit: signal }, ...(ok ? { recoveredS: round(secondsSince(restartedAt), 1)! } : {}) });
    if (!ok) return faults;

    await sleep(plan.betweenMs);
    const stoppedAt = at();
    await ctx.pg.stop();
    say('  PostgreSQL stopped');
    const down = await health(ctx.base);
    await sleep(plan.pgDownMs);
    const startedAgain = performance.now();
    await ctx.pg.start();
    say('  PostgreSQL started again on the same port');
    let recoveredS: number | undefined;
    let pgOk = down?.status === 503;
    let pgDetail = `/healthz while it was away: ${down ? `${down.status} ${JSON.stringify(down.body)}` : 'no answer'}`;
    try {
      await healthyAgain(ctx.base, plan.startMs);
      recoveredS = round(secondsSince(startedAgain), 1)!;
      const after = await health(ctx.base);
      pgDetail += `; /healthz 200 again ${secondsSince(startedAgain).toFixed(1)} s after PostgreSQL was back: ${JSON.stringify(after?.body)}`;
      if (!current.child.isRunning()) {
        pgOk = false;
        pgDetail += `; ${current.child.name} exited`;
      }
    } catch (err) {
      pgOk = false;
      pgDetail += `; the process did not recover: ${(err as Error).message}; last log lines:\n${current.child.tail(30)}`;
    }
    faults.push({ what: `restart PostgreSQL (down ${plan.pgDownMs / 1000} s)`, atS: stoppedAt, ok: pgOk, detail: pgDetail, ...(recoveredS === undefined ? {} : { recoveredS }) });
    await sleep(plan.afterMs);
    return faults;
  });
  return { result, survivor: current };
}

/** Round "workers": web + 2 workers; SIGKILL one worker mid-load (not restarted): the other takes its jobs over. */
async function roundWorkers(ctx: Ctx, workers: Product[]): Promise<RoundResult> {
  return runRound(ctx, 2, 'workers', '--role web + 2 × --role worker', async (start) => {
    await sleep(plan.beforeFaultMs);
    const victim = workers[0]!;
    const survivor = workers[1]!;
    const killedAt = round(secondsSince(start), 1)!;
    const signal = await killHard(victim);
    const killed = performance.now();
    // The jobs locked right after the kill, by locker; the victim's lockers are those that stop beating.
    // The jobs locked right after the kill, by locker, and each locker's last heartbeat: the victim's
    // lockers are those whose heartbeat never moves again (the survivor's keep beating).
    const snapshot = () =>
      withClient(ctx.db, async (c) => {
        const jobs = await c.query<{ locked_by: string; n: number }>(`select locked_by, count(*)::int as n from graphile_worker._private_jobs where locked_by is not null group by locked_by`);
        const beats = await c.query<{ worker_id: string; at: string }>(`select worker_id, heartbeat_at::text as at from worker_heartbeats`);
        return { jobs: jobs.rows, beats: new Map(beats.rows.map((b) => [b.worker_id, b.at])) };
      });
    const atKill = await snapshot();
    say(`  SIGKILLed ${victim.child.name}; ${atKill.jobs.reduce((s, l) => s + l.n, 0)} jobs locked right after`);
    await sleep(staleMs);
    const later = await snapshot();
    const dead = atKill.jobs.map((l) => l.locked_by).filter((id) => later.beats.get(id) === atKill.beats.get(id));
    const orphaned = atKill.jobs.filter((l) => dead.includes(l.locked_by)).reduce((s, l) => s + l.n, 0);
    let ok = signal === 'SIGKILL';
    let detail = `exit ${signal}; ${orphaned} jobs were locked by the killed worker`;
    try {
      await poll('the killed worker\'s jobs to be released', 30_000, async () =>
        withClient(ctx.db, async (c) => (await c.query<{ n: number }>('select count(*)::int as n from graphile_worker._private_jobs where locked_by = any($1::text[])', [dead])).rows[0]!.n === 0),
      200);
      detail += `; none left ${secondsSince(killed).toFixed(1)} s after the kill`;
    } catch (err) {
      ok = false;
      detail += `; ${(err as Error).message}`;
    }
    if (!survivor.child.isRunning()) {
      ok = false;
      detail += `; ${survivor.child.name} exited too:\n${survivor.child.tail()}`;
    } else detail += `; ${survivor.child.name} still running`;
    await sleep(plan.afterWorkerKillMs);
    return [{ what: `SIGKILL ${victim.child.name} of 2 (not restarted)`, atS: killedAt, ok, detail, killed: { name: victim.child.name, exit: signal }, orphanedJobs: orphaned }];
  });
}

// ---------------------------------------------------------------------------------------------

function table(rows: string[][], rightFrom: number): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((cell, i) => (i >= rightFrom ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i >= rightFrom ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(rows[0]!), rule, ...rows.slice(1).map(line)];
}

async function main(): Promise<number> {
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.rmSync(logDir, { recursive: true, force: true });
  fs.mkdirSync(logDir, { recursive: true });
  const loadAtStart = os.loadavg()[0]!;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundles-chaos-'));
  fs.chmodSync(dataDir, 0o777); // the embedded PostgreSQL runs as another user when we are root
  teardown.add('remove the temporary folder', () => fs.rmSync(dataDir, { recursive: true, force: true }));

  const pg = new RestartablePostgres(dataDir, await freePort());
  teardown.add('stop PostgreSQL', () => pg.stop());
  const db = await pg.start();
  const pgVersion = await withClient(db, async (c) => (await c.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]!.v);
  const fakes = await startFakes(providerLatencyMs);
  teardown.add('close the fakes', () => fakes.close());

  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    BUNDLES_DATA_DIR: path.join(dataDir, 'product'),
    DATABASE_URL: db,
    BUNDLES_SECRET_KEY: 'c'.repeat(64),
    BUNDLES_WORKER_STALE_MS: String(staleMs),
    BUNDLES_HEARTBEAT_MS: String(heartbeatMs),
    LOG_LEVEL: 'warn',
  };
  const ctx: Ctx = { pg, db, base: `http://127.0.0.1:${port}`, env, bundles: null as unknown as Bundles, fakes, products: [], logFiles: [] };
  teardown.add('stop the product', async () => {
    const running = ctx.products.filter((p) => p.child.isRunning());
    for (const p of running) p.child.proc.kill('SIGKILL');
    await Promise.all(running.map((p) => p.child.exited));
  });

  const first = launch(ctx, 'all', 'all-1');
  await whenReady(first, plan.startMs);
  ctx.bundles = await setUpBundles(new Api(ctx.base), fakes);
  // Warm-up: one event per bundle goes all the way through.
  const warm = startProviderLoad({ targets: (['w1', 'fanout'] as const).map((b) => ({ bundle: b, url: ctx.base + ctx.bundles.shops[b].hookPath, ids: idsOf(0)[b] })), ratePerSec: 20, maxEvents: 4, maxSockets: 4, policy });
  const warmEvents = (await warm.done).events.filter((e) => e.paid);
  const warmKeys = warmEvents.flatMap((e) => (e.bundle === 'w1' ? ['sms'] : ['sms', 'wa']).map((n) => effectKey(e.bundle, n, e.id)));
  await poll('the warm-up messages to reach the fakes', 30_000, async () => warmKeys.every((k) => fakes.deliveries().has(k)));
  say(`PostgreSQL ${pgVersion} on 127.0.0.1:${pg.port}, --role all running, W1 and the fan-out set up and warmed up`);

  const rounds: RoundResult[] = [];
  const { result: r1, survivor } = await roundAll(ctx, first);
  rounds.push(r1);

  // Round 2's processes: the round-1 process stops gracefully first.
  await survivor.child.stop(15_000);
  const web = launch(ctx, 'web', 'web');
  await whenReady(web, plan.startMs);
  const workers = [launch(ctx, 'worker', 'worker-1'), launch(ctx, 'worker', 'worker-2')];
  await workersListening(db, 2, plan.startMs, workers.map((w) => w.child));
  rounds.push(await roundWorkers(ctx, workers));

  await Promise.all(ctx.products.map((p) => p.child.stop(10_000)));
  const logs = logSummary(ctx.logFiles);

  const cpus = os.cpus();
  const commit = commitOf(root);
  const result = {
    rounds,
    mode: short ? 'short' : 'full',
    offeredPerSec: plan.ratePerSec,
    providerLatencyMs,
    retry: policy,
    worker: { staleMs, heartbeatMs },
    machine: { cores: os.availableParallelism?.() ?? cpus.length, cpu: cpus[0]?.model.trim() ?? 'unknown', memoryGb: round(os.totalmem() / 2 ** 30, 1), loadAverageAtStart: round(loadAtStart, 2) },
    versions: { node: process.version, postgres: pgVersion },
    commit,
    date: new Date().toISOString(),
    totalSeconds: round(secondsSince(t0), 1),
    logs,
  };
  fs.writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');

  const rows = [
    ['round', 'processes', 'faults', 'acknowledged', 'delivered', 'lost', 'doubled', 'uncertain', 'seconds'],
    ...rounds.map((r) => [
      r.name,
      r.processes,
      r.faults.map((f) => f.what).join(', '),
      num(r.acknowledged),
      `${num(r.delivered)} of ${num(r.expected)}`,
      String(r.lost),
      String(r.doubled),
      String(r.uncertain),
      r.seconds.toFixed(1),
    ]),
  ];
  const problems = rounds.flatMap((r) => r.problems.map((p) => `${r.name}: ${p}`));
  const errorLines = Object.entries(logs).flatMap(([file, counts]) => Object.entries(counts).filter(([k]) => !k.startsWith('warn')).map(([k, n]) => `${file}: ${k} ×${n}`));
  console.log(
    [
      '',
      `Chaos · ${result.mode} · W1 + fan-out at ${plan.ratePerSec} events/s, fakes answering in ${providerLatencyMs} ms · embedded PostgreSQL ${pgVersion} · bundles ${commit}`,
      `machine: ${result.machine.cores} cores (${result.machine.cpu}), ${result.machine.memoryGb} GB, load average ${result.machine.loadAverageAtStart} at the start · node ${process.version}`,
      '',
      ...table(rows, 3),
      '',
      ...rounds.flatMap((r) => [
        `${r.name}: ${num(r.events)} events offered, ${num(r.acknowledged)} acknowledged, ${r.gaveUp} given up; answers ${Object.entries(r.answers).map(([k, n]) => `${k} ${num(n)}`).join(', ')}`,
        `  runs: ${Object.entries(r.runsByStatus).map(([k, n]) => `${k} ${num(n)}`).join(', ')}`,
        `  uncertain steps: ${r.uncertain} (${Object.entries(r.uncertainByStep).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}; ${r.uncertainDelivered} had reached the fake, ${r.uncertainNotDelivered} had not); doubled with an uncertain step: ${r.doubledUncertain}`,
        ...r.faults.map((f) => `  ${f.ok ? 'ok' : 'FAILED'} at ${f.atS} s: ${f.what}: ${f.detail}`),
      ]),
      '',
      problems.length ? `PROBLEMS:\n  ${problems.join('\n  ')}` : 'no problems: nothing lost, nothing doubled, every process recovered',
      ...(errorLines.length ? ['', 'errors in the product logs:', ...errorLines.map((l) => `  ${l}`)] : []),
      '',
      `total ${result.totalSeconds} s · written to ${path.relative(root, outFile)} · logs in ${path.relative(root, logDir)}`,
    ].join('\n'),
  );
  return problems.length > 0 ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  console.error(`chaos failed: ${(err as Error).stack ?? err}`);
}
await teardown.run();
clearTimeout(watchdog);
process.exit(code);
