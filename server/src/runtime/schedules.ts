// core.schedule's ticks, kept in PostgreSQL (table `schedules`, one row per running schedule) rather than in
// graphile-worker's crontab, which is fixed when the runner starts while schedules change as bundles start
// and stop. Every worker process runs the tick loop; a due row is claimed FOR UPDATE SKIP LOCKED and, in the
// same transaction, its run is stored and its next_at moved past now: a tick fires once across processes,
// and a tick missed while every process was down fires once if it is within the schedule's catch-up window.
import type pg from 'pg';
import { lastTick, nextTick, scheduleConfigSchema, SCHEDULE_TICK_EVENT, type ScheduleConfig } from '@bundles/nodes';
import { insertInternalRuns, type InternalRun } from './internal-runs.js';
import type { Waker } from './queue.js';
import { sqlJson } from './sql-json.js';
import type { RuntimeLogger } from './execute.js';

export const SCHEDULE_TRIGGER_TYPE = 'core.schedule';

/** A tick fired within this much of its time is on time, whatever the catch-up window (0 means "no catching up"). */
const onTimeMs = 60_000;

export interface TickDecision {
  /** The tick to fire now, or null when the latest one is later than the catch-up window allows. */
  fire: Date | null;
  /** The schedule's next tick after now. */
  nextAt: Date;
}

/**
 * What a schedule whose tick `dueAt` has come does at `now`: fires the latest tick at or before now (one
 * run for any number of missed ticks) when it is late by at most the catch-up window, and moves on to the
 * first tick after now.
 */
export function decideTick(config: ScheduleConfig, dueAt: Date, now: Date): TickDecision {
  const latest = lastTick(config, now);
  const tick = latest && latest.getTime() >= dueAt.getTime() ? latest : dueAt;
  const lateMs = now.getTime() - tick.getTime();
  return { fire: lateMs <= Math.max(config.backfillMinutes * 60_000, onTimeMs) ? tick : null, nextAt: nextTick(config, now) };
}

/** The first next_at of a schedule subscription started at `now`. */
export function firstTick(config: Record<string, unknown>, now: Date): Date {
  return nextTick(scheduleConfigSchema.parse(config), now);
}

export interface SchedulerDeps {
  pool: pg.Pool;
  waker: Waker;
  log: RuntimeLogger;
  /** The scheduler's clock (tests move it); default the system's. */
  now?: () => Date;
}

interface DueRow {
  subscription_id: string;
  workspace_id: string;
  flow_id: string;
  version_id: string;
  config: Record<string, unknown>;
  next_at: Date;
}

// Rows of stopped or replaced subscriptions are deleted by FlowService; the join skips any left behind.
const claimDueSql = `
select s.subscription_id, s.workspace_id, t.flow_id, t.version_id, t.config, s.next_at
from schedules s join trigger_subscriptions t on t.id = s.subscription_id and t.active
where s.next_at <= $1
order by s.next_at
limit $2
for update of s skip locked`;

const moveSql = `
update schedules s set next_at = x.next_at
from json_to_recordset($1::json) as x(subscription_id uuid, next_at timestamptz)
where s.subscription_id = x.subscription_id`;

export interface TickResult {
  fired: number;
  skipped: number;
  runIds: string[];
}

/** Fires the schedules due at the clock's now (up to `batch` of them), once each; answers what it did. */
export async function fireDueSchedules(deps: SchedulerDeps, batch = 100): Promise<TickResult> {
  const now = (deps.now ?? (() => new Date()))();
  // Most passes find nothing due: one indexed read, no transaction.
  const due = await deps.pool.query({ name: 'schedules_due', text: 'select 1 from schedules where next_at <= $1 limit 1', values: [now.toISOString()] });
  if (due.rowCount === 0) return { fired: 0, skipped: 0, runIds: [] };
  const client = await deps.pool.connect();
  let runIds: string[] = [];
  let skipped = 0;
  let fired = 0;
  try {
    await client.query('begin');
    const { rows } = await client.query<DueRow>(claimDueSql, [now.toISOString(), batch]);
    if (rows.length === 0) {
      await client.query('commit');
      return { fired: 0, skipped: 0, runIds: [] };
    }
    const moves: Array<{ subscription_id: string; next_at: string }> = [];
    const runs: InternalRun[] = [];
    for (const row of rows) {
      let config: ScheduleConfig;
      let decision: TickDecision;
      try {
        const parsed = scheduleConfigSchema.safeParse(row.config);
        if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'invalid config');
        config = parsed.data;
        decision = decideTick(config, row.next_at, now);
      } catch (err) {
        // One schedule that cannot be worked out (a config a newer rule refuses, a cron the parser gives up on
        // at some date) must not hold up the others: it is looked at again in an hour.
        deps.log.error({ subscriptionId: row.subscription_id, flowId: row.flow_id, err: (err as Error).message }, 'a schedule’s next tick cannot be worked out: it does not fire');
        moves.push({ subscription_id: row.subscription_id, next_at: new Date(now.getTime() + 3_600_000).toISOString() });
        continue;
      }
      moves.push({ subscription_id: row.subscription_id, next_at: decision.nextAt.toISOString() });
      if (!decision.fire) {
        skipped++;
        deps.log.warn(
          { flowId: row.flow_id, dueAt: row.next_at.toISOString(), backfillMinutes: config.backfillMinutes, nextAt: decision.nextAt.toISOString() },
          'a schedule’s tick is later than its catch-up window: skipped',
        );
        continue;
      }
      const scheduledAt = decision.fire.toISOString();
      runs.push({
        workspaceId: row.workspace_id,
        subscription: { flowId: row.flow_id, versionId: row.version_id, eventType: SCHEDULE_TICK_EVENT },
        dedupeKey: `tick:${row.subscription_id}:${scheduledAt}`,
        payload: { scheduledAt, firedAt: now.toISOString() },
        searchKey: scheduledAt,
      });
    }
    runIds = await insertInternalRuns(client, runs);
    fired = runs.length;
    await client.query(moveSql, [sqlJson(moves)]);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  deps.waker.wake(runIds.length);
  return { fired, skipped, runIds };
}

export interface Scheduler {
  /** 'ok', or what is wrong once several passes in a row failed (for /healthz). */
  health(): string;
  stop(): Promise<void>;
}

/** Consecutive failed passes before /healthz reports the loop (one failed pass is retried a second later). */
const unhealthyAfter = 3;

/**
 * The tick loop of a worker process: every `everyMs`, fires what is due (again at once while a full batch
 * came back). A failed pass is logged and the loop carries on; repeated failures are logged each time.
 */
export function startScheduler(deps: SchedulerDeps, opts: { everyMs?: number } = {}): Scheduler {
  const everyMs = opts.everyMs ?? 1_000;
  const batch = 100;
  const log = deps.log.child({ component: 'scheduler' });
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let pass: Promise<void> = Promise.resolve();
  let failures = 0;
  let lastError = '';
  const loop = async () => {
    try {
      let result: TickResult;
      do {
        result = await fireDueSchedules({ ...deps, log }, batch);
        if (result.fired) log.debug({ runs: result.fired }, 'schedules fired');
      } while (!stopped && result.fired + result.skipped >= batch);
      if (failures) log.info({ failures }, 'the schedules’ tick loop works again');
      failures = 0;
    } catch (err) {
      failures++;
      lastError = (err as Error).message;
      log.error({ err: (err as Error).message, failures }, 'the schedules’ tick loop failed; trying again');
    }
    if (!stopped) {
      timer = setTimeout(() => (pass = loop()), everyMs);
      timer.unref();
    }
  };
  pass = loop();
  return {
    health: () => (failures >= unhealthyAfter ? `failing for ${failures} passes: ${lastError}` : 'ok'),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await pass;
    },
  };
}
