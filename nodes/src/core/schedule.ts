// core.schedule: "on a schedule". A 5-field cron in an IANA time zone, or every N minutes; the server's tick
// loop (server/src/runtime/schedules.ts) fires it once per tick across every process. No connection.
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { ui } from '../define.js';
import { core } from './provider.js';

export const SCHEDULE_TICK_EVENT = 'core.schedule_tick';

/** Longest "every N minutes" and longest backfill: one day. */
const maxMinutes = 1440;

/** Why a time zone is not one Bundles can schedule in, or null. */
export function timezoneProblem(timezone: string): string | null {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return null;
  } catch {
    return `“${timezone}” is not a time zone: use an IANA name such as Europe/Berlin, America/Sao_Paulo or UTC`;
  }
}

/** Why a cron expression cannot be scheduled (the parser's reason), or null. */
export function cronProblem(cron: string): string | null {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 || fields[0] === '') {
    return `a cron has 5 fields (minute hour day-of-month month day-of-week), e.g. “0 9 * * 1-5”; this one has ${cron.trim() === '' ? 0 : fields.length}`;
  }
  // `H` picks a random value per parse: every process would pick its own minute.
  if (fields.some((f) => /(^|[^a-z])h/i.test(f))) {
    return 'H (a random value) is not supported: name the minute and hour';
  }
  try {
    CronExpressionParser.parse(cron, { tz: 'UTC' }).next();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export const scheduleConfigSchema = z
  .object({
    cron: z
      .string()
      .max(200)
      .optional()
      .register(ui, {
        title: 'Cron',
        widget: 'cron',
        placeholder: '0 9 * * 1-5',
        description: 'minute hour day-of-month month day-of-week, e.g. “0 9 * * 1-5” is 09:00 on weekdays; leave empty to use Every N minutes',
      }),
    timezone: z
      .string()
      .min(1)
      .max(100)
      .default('UTC')
      .register(ui, { title: 'Time zone', widget: 'timezone', placeholder: 'Europe/Berlin', description: 'The cron’s clock: an IANA name' }),
    everyMinutes: z.coerce
      .number()
      .int()
      .min(1)
      .max(maxMinutes)
      .optional()
      .register(ui, { title: 'Every N minutes', description: 'Instead of a cron: ticks on multiples of N minutes since midnight UTC' }),
    backfillMinutes: z.coerce
      .number()
      .int()
      .min(0)
      .max(maxMinutes)
      .default(60)
      .register(ui, { title: 'Catch up (minutes)', description: 'A tick missed while Bundles was down still fires once when it is at most this late' }),
  })
  .superRefine((c, ctx) => {
    const hasCron = c.cron !== undefined && c.cron.trim() !== '';
    if (hasCron === (c.everyMinutes !== undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either a cron or every N minutes', path: ['cron'] });
      return;
    }
    if (hasCron) {
      const problem = cronProblem(c.cron!);
      if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['cron'] });
      const tz = timezoneProblem(c.timezone);
      if (tz) ctx.addIssue({ code: 'custom', message: tz, path: ['timezone'] });
    }
  });

export type ScheduleConfig = z.infer<typeof scheduleConfigSchema>;

export const scheduleTickSchema = z.object({
  /** The tick this run is for. */
  scheduledAt: z.iso.datetime(),
  /** When it was fired (later than scheduledAt when it was caught up after a downtime). */
  firedAt: z.iso.datetime(),
});

export type ScheduleTick = z.infer<typeof scheduleTickSchema>;

const minuteMs = 60_000;

/** The schedule's first tick strictly after `after`. */
export function nextTick(config: ScheduleConfig, after: Date): Date {
  if (config.everyMinutes !== undefined && !(config.cron && config.cron.trim())) {
    const every = config.everyMinutes * minuteMs;
    return new Date((Math.floor(after.getTime() / every) + 1) * every);
  }
  return CronExpressionParser.parse(config.cron!, { tz: config.timezone, currentDate: after }).next().toDate();
}

/** The schedule's last tick at or before `at`, or null when there is none (a cron's first ever). */
export function lastTick(config: ScheduleConfig, at: Date): Date | null {
  if (config.everyMinutes !== undefined && !(config.cron && config.cron.trim())) {
    const every = config.everyMinutes * minuteMs;
    return new Date(Math.floor(at.getTime() / every) * every);
  }
  const expr = CronExpressionParser.parse(config.cron!, { tz: config.timezone, currentDate: new Date(at.getTime() + 1) });
  return expr.hasPrev() ? expr.prev().toDate() : null;
}

/** The next `count` ticks strictly after `after`, in order. */
export function nextTicks(config: ScheduleConfig, after: Date, count: number): Date[] {
  const out: Date[] = [];
  let from = after;
  for (let i = 0; i < count; i++) {
    from = nextTick(config, from);
    out.push(from);
  }
  return out;
}

export const coreSchedule = core.trigger({
  id: 'core.schedule',
  title: 'On a schedule',
  description: 'Starts on a cron in a time zone, or every N minutes: once per tick, however many processes run.',
  event: SCHEDULE_TICK_EVENT,
  config: scheduleConfigSchema,
  output: scheduleTickSchema,
  fixtures: [
    { scheduledAt: '2026-12-01T09:00:00.000Z', firedAt: '2026-12-01T09:00:00.412Z' },
    // Caught up once after a downtime: fired 10 minutes late.
    { scheduledAt: '2026-12-01T10:00:00.000Z', firedAt: '2026-12-01T10:10:03.020Z' },
  ],
});
