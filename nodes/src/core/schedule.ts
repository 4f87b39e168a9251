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

/** The zone's offset from UTC at `at`, in minutes. */
function offsetMinutes(at: Date, timeZone: string): number {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormats.set(timeZone, format);
  }
  const name = format.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):(\d{2})$/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}
const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * Whether `at`'s wall-clock time already happened earlier the same night: the second time round of an hour
 * that a daylight-saving change repeats. A cron fires such a time once, the first time round (as cron does);
 * cron-parser alone is not consistent about it (next() skips the repeat from before the change, but gives it
 * from inside the repeated hour, and prev() gives it too).
 */
function isRepeatedTime(at: Date, timeZone: string): boolean {
  const now = offsetMinutes(at, timeZone);
  const before = offsetMinutes(new Date(at.getTime() - 3 * 3_600_000), timeZone);
  const back = before - now;
  return back > 0 && offsetMinutes(new Date(at.getTime() - back * minuteMs), timeZone) === before;
}

/** At most this many of a cron's times fall in a repeated hour (one a minute, and a 30-minute slack). */
const maxRepeatedTicks = 90;

const everyMinutesOf = (config: ScheduleConfig) => (config.everyMinutes !== undefined && !(config.cron && config.cron.trim()) ? config.everyMinutes * minuteMs : null);

/** The schedule's first tick strictly after `after`. */
export function nextTick(config: ScheduleConfig, after: Date): Date {
  const every = everyMinutesOf(config);
  if (every !== null) return new Date((Math.floor(after.getTime() / every) + 1) * every);
  const expr = CronExpressionParser.parse(config.cron!, { tz: config.timezone, currentDate: after });
  let tick = expr.next().toDate();
  for (let i = 0; i < maxRepeatedTicks && isRepeatedTime(tick, config.timezone); i++) tick = expr.next().toDate();
  return tick;
}

/** The schedule's last tick at or before `at`, or null when there is none (a cron's first ever). */
export function lastTick(config: ScheduleConfig, at: Date): Date | null {
  const every = everyMinutesOf(config);
  if (every !== null) return new Date(Math.floor(at.getTime() / every) * every);
  const expr = CronExpressionParser.parse(config.cron!, { tz: config.timezone, currentDate: new Date(at.getTime() + 1) });
  for (let i = 0; i <= maxRepeatedTicks && expr.hasPrev(); i++) {
    const tick = expr.prev().toDate();
    if (!isRepeatedTime(tick, config.timezone)) return tick;
  }
  return null;
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
