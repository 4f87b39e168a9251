// The schedule's tick arithmetic against an oracle of its own: next ticks strictly increase, come after
// `from`, skip no tick, and fall on times the cron names (read in its time zone by Intl, not by the parser).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastTick, nextTick, nextTicks, scheduleConfigSchema, type ScheduleConfig } from './schedule.js';

interface Field {
  text: string;
  values: Set<number>;
}

const range = (lo: number, hi: number, step = 1) => {
  const out = new Set<number>();
  for (let v = lo; v <= hi; v += step) out.add(v);
  return out;
};

/** A cron field with the set of values it names: values in [lo, hi], `*` and steps over [lo, top]. */
const field = (lo: number, hi: number, top = hi): fc.Arbitrary<Field> =>
  fc.oneof(
    fc.constant({ text: '*', values: range(lo, top) }),
    fc.integer({ min: lo, max: hi }).map((v) => ({ text: String(v), values: new Set([v]) })),
    fc.integer({ min: 2, max: Math.max(2, Math.floor((hi - lo) / 2)) }).map((k) => ({ text: `*/${k}`, values: range(lo, top, k) })),
    fc
      .tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi }))
      .map(([a, b]) => [Math.min(a, b), Math.max(a, b)] as const)
      .map(([a, b]) => ({ text: `${a}-${b}`, values: range(a, b) })),
    fc.uniqueArray(fc.integer({ min: lo, max: hi }), { minLength: 2, maxLength: 4 }).map((vs) => ({ text: vs.join(','), values: new Set(vs) })),
  );

const cronArb = fc.record({ minute: field(0, 59), hour: field(0, 23), dom: field(1, 28, 31), month: field(1, 12), dow: field(0, 6) });
// Not Australia/Lord_Howe: cron-parser 5.10 gives up ("loop limit exceeded") on some yearly crons around its 30-minute DST shift.
const zones = ['UTC', 'Europe/Berlin', 'America/Sao_Paulo', 'Asia/Jakarta', 'Asia/Kolkata', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Auckland'];
const fromArb = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true });

const weekdays: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
function localParts(at: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', minute: 'numeric', hour: 'numeric', day: 'numeric', month: 'numeric', weekday: 'short', second: 'numeric' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { second: Number(parts.second), minute: Number(parts.minute), hour: Number(parts.hour), dom: Number(parts.day), month: Number(parts.month), dow: weekdays[parts.weekday!]! };
}

type Cron = { minute: Field; hour: Field; dom: Field; month: Field; dow: Field };
const cronText = (c: Cron) => [c.minute, c.hour, c.dom, c.month, c.dow].map((f) => f.text).join(' ');

/** Whether the local time is one the cron names (day of month or day of week when both are restricted, as cron does). */
function cronNames(c: Cron, p: ReturnType<typeof localParts>): boolean {
  const domAny = c.dom.text === '*';
  const dowAny = c.dow.text === '*';
  const day = domAny || dowAny ? c.dom.values.has(p.dom) && c.dow.values.has(p.dow) : c.dom.values.has(p.dom) || c.dow.values.has(p.dow);
  return p.second === 0 && c.minute.values.has(p.minute) && c.hour.values.has(p.hour) && c.month.values.has(p.month) && day;
}

/** Whether the zone's offset changes within a day of `at` (a daylight-saving switch, where local times are skipped or repeated). */
const nearOffsetChange = (at: Date, timeZone: string) => {
  const offset = (d: Date) => new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).format(d).split(' ').pop();
  return offset(new Date(at.getTime() - 86_400_000)) !== offset(new Date(at.getTime() + 86_400_000));
};

describe('schedule ticks', () => {
  it('a cron’s next ticks come after `from`, strictly increase, skip none, and are times the cron names', () => {
    fc.assert(
      fc.property(cronArb, fc.constantFrom(...zones), fromArb, (cron, timezone, from) => {
        const config: ScheduleConfig = scheduleConfigSchema.parse({ cron: cronText(cron), timezone });
        const ticks = nextTicks(config, from, 3);
        let previous = from;
        for (const tick of ticks) {
          expect(tick.getTime()).toBeGreaterThan(previous.getTime());
          // Nothing between the previous tick (or `from`) and this one.
          expect(lastTick(config, new Date(tick.getTime() - 1))!.getTime()).toBeLessThanOrEqual(previous.getTime());
          expect(lastTick(config, tick)!.getTime()).toBe(tick.getTime());
          if (!nearOffsetChange(tick, timezone)) expect(cronNames(cron, localParts(tick, timezone))).toBe(true);
          previous = tick;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('every N minutes ticks on multiples of N minutes, N minutes apart', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1440 }), fromArb, (everyMinutes, from) => {
        const config = scheduleConfigSchema.parse({ everyMinutes });
        const [a, b] = nextTicks(config, from, 2) as [Date, Date];
        expect(a.getTime()).toBeGreaterThan(from.getTime());
        expect(a.getTime() - from.getTime()).toBeLessThanOrEqual(everyMinutes * 60_000);
        expect(a.getTime() % (everyMinutes * 60_000)).toBe(0);
        expect(b.getTime() - a.getTime()).toBe(everyMinutes * 60_000);
        expect(lastTick(config, from)!.getTime()).toBeLessThanOrEqual(from.getTime());
        expect(nextTick(config, lastTick(config, from)!).getTime()).toBe(a.getTime());
      }),
    );
  });
});

describe('core.schedule config', () => {
  const problems = (config: Record<string, unknown>) => {
    const r = scheduleConfigSchema.safeParse(config);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('takes a cron in a time zone or every N minutes, with a catch-up of an hour by default', () => {
    expect(scheduleConfigSchema.parse({ cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' })).toEqual({ cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', backfillMinutes: 60 });
    expect(scheduleConfigSchema.parse({ everyMinutes: '15' })).toEqual({ everyMinutes: 15, timezone: 'UTC', backfillMinutes: 60 });
    expect(scheduleConfigSchema.parse({ cron: '', everyMinutes: 5, backfillMinutes: 0 })).toMatchObject({ everyMinutes: 5, backfillMinutes: 0 });
  });

  it('names the cron field with the parser’s reason', () => {
    expect(problems({ cron: '61 * * * *' })).toEqual(['cron: Constraint error, got value 61 expected range 0-59']);
    expect(problems({ cron: '0 9 * *' })).toEqual([expect.stringMatching(/^cron: a cron has 5 fields .*this one has 4$/)]);
    expect(problems({ cron: '0 0 9 * * *' })).toEqual([expect.stringMatching(/^cron: a cron has 5 fields .*this one has 6$/)]);
    expect(problems({ cron: 'H 9 * * *' })).toEqual([expect.stringMatching(/^cron: H \(a random value\) is not supported/)]);
    expect(problems({ cron: '0 9 * * THU' })).toEqual([]);
    expect(problems({ cron: '0 9 * * 1', timezone: 'Mars/Olympus' })).toEqual([expect.stringMatching(/^timezone: “Mars\/Olympus” is not a time zone/)]);
  });

  it('wants exactly one of cron and every N minutes', () => {
    expect(problems({})).toEqual(['cron: give either a cron or every N minutes']);
    expect(problems({ cron: '* * * * *', everyMinutes: 5 })).toEqual(['cron: give either a cron or every N minutes']);
    expect(problems({ everyMinutes: 0 })).toHaveLength(1);
    expect(problems({ everyMinutes: 1441 })).toHaveLength(1);
    expect(problems({ everyMinutes: 5, backfillMinutes: 1441 })).toHaveLength(1);
  });

  it('follows the time zone’s clock across a daylight-saving change', () => {
    const config = scheduleConfigSchema.parse({ cron: '0 9 * * *', timezone: 'Europe/Berlin' });
    expect(nextTicks(config, new Date('2026-03-28T12:00:00Z'), 2).map((d) => d.toISOString())).toEqual(['2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    expect(nextTick(config, new Date('2026-03-27T12:00:00Z')).toISOString()).toBe('2026-03-28T08:00:00.000Z');
  });

  it('fires a time of an hour that the change repeats once, the first time round, both ways', () => {
    // Auckland falls back from 03:00 NZDT to 02:00 NZST on Sunday 1 April 2029: 02:00–02:59 happens twice.
    const config = scheduleConfigSchema.parse({ cron: '0,1 2 */2 4 0', timezone: 'Pacific/Auckland' });
    const ticks = nextTicks(config, new Date('2029-03-31T12:00:00Z'), 3).map((d) => d.toISOString());
    expect(ticks).toEqual(['2029-03-31T13:00:00.000Z', '2029-03-31T13:01:00.000Z', '2029-04-02T14:00:00.000Z']);
    // From inside the repeated hour, neither way names its second time round.
    expect(nextTick(config, new Date('2029-03-31T14:00:30Z')).toISOString()).toBe('2029-04-02T14:00:00.000Z');
    expect(lastTick(config, new Date('2029-04-02T13:59:59Z'))!.toISOString()).toBe('2029-03-31T13:01:00.000Z');
  });
});
