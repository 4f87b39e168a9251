// The catch-up rules of a schedule's due tick: on time fires, a few missed ticks fire once (the latest),
// later than the window fires none; either way the next tick is the first after now.
import type pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { scheduleConfigSchema } from '@bundles/nodes';
import { decideTick, firstTick, startScheduler } from './schedules.js';
import type { RuntimeLogger } from './execute.js';

const at = (iso: string) => new Date(iso);
const decided = (config: Record<string, unknown>, dueAt: string, now: string) => {
  const d = decideTick(scheduleConfigSchema.parse(config), at(dueAt), at(now));
  return { fire: d.fire?.toISOString() ?? null, nextAt: d.nextAt.toISOString() };
};

describe('a due schedule tick', () => {
  it('fires on time and moves to the next tick', () => {
    expect(decided({ everyMinutes: 1 }, '2026-12-01T09:01:00Z', '2026-12-01T09:01:00.250Z')).toEqual({ fire: '2026-12-01T09:01:00.000Z', nextAt: '2026-12-01T09:02:00.000Z' });
    expect(decided({ cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' }, '2026-12-01T08:00:00Z', '2026-12-01T08:00:01Z')).toEqual({
      fire: '2026-12-01T08:00:00.000Z',
      nextAt: '2026-12-02T08:00:00.000Z',
    });
  });

  it('fires several missed ticks once, as the latest of them', () => {
    expect(decided({ everyMinutes: 5 }, '2026-12-01T09:05:00Z', '2026-12-01T09:32:00Z')).toEqual({ fire: '2026-12-01T09:30:00.000Z', nextAt: '2026-12-01T09:35:00.000Z' });
  });

  it('fires a tick 10 minutes late once within the hour of catch-up', () => {
    expect(decided({ everyMinutes: 60 }, '2026-12-01T10:00:00Z', '2026-12-01T10:10:00Z')).toEqual({ fire: '2026-12-01T10:00:00.000Z', nextAt: '2026-12-01T11:00:00.000Z' });
    expect(decided({ everyMinutes: 60 }, '2026-12-01T10:00:00Z', '2026-12-01T11:00:00Z').fire).toBe('2026-12-01T11:00:00.000Z');
  });

  it('skips a tick later than the catch-up window, to the next tick after now', () => {
    expect(decided({ cron: '0 3 * * *', backfillMinutes: 60 }, '2026-12-01T03:00:00Z', '2026-12-01T04:00:01Z')).toEqual({ fire: null, nextAt: '2026-12-02T03:00:00.000Z' });
    expect(decided({ everyMinutes: 60, backfillMinutes: 20 }, '2026-12-01T11:00:00Z', '2026-12-01T11:30:00Z')).toEqual({ fire: null, nextAt: '2026-12-01T12:00:00.000Z' });
  });

  it('with no catch-up still fires a tick within its minute', () => {
    expect(decided({ everyMinutes: 60, backfillMinutes: 0 }, '2026-12-01T10:00:00Z', '2026-12-01T10:00:30Z').fire).toBe('2026-12-01T10:00:00.000Z');
    expect(decided({ everyMinutes: 60, backfillMinutes: 0 }, '2026-12-01T10:00:00Z', '2026-12-01T10:02:00Z').fire).toBeNull();
  });

  it('a started schedule’s first tick is the first after now', () => {
    expect(firstTick({ everyMinutes: 15 }, at('2026-12-01T09:00:00Z')).toISOString()).toBe('2026-12-01T09:15:00.000Z');
    expect(firstTick({ cron: '30 8 * * *', timezone: 'Asia/Jakarta' }, at('2026-12-01T09:00:00Z')).toISOString()).toBe('2026-12-02T01:30:00.000Z');
  });
});

describe('the tick loop', () => {
  it('logs each failed pass, carries on, and reports itself on /healthz while it keeps failing', async () => {
    let failing = true;
    let passes = 0;
    const pool = {
      query: vi.fn(async () => {
        passes++;
        if (failing) throw new Error('connection terminated unexpectedly');
        return { rowCount: 0, rows: [] };
      }),
    } as unknown as pg.Pool;
    const errors: string[] = [];
    const log = {
      debug() {},
      info() {},
      warn() {},
      error: (obj: { err?: string }, msg?: string) => errors.push(`${msg}: ${obj.err}`),
      child: () => log,
    } as unknown as RuntimeLogger;
    const until = async (what: string, ok: () => boolean) => {
      for (const end = Date.now() + 5_000; !ok(); await new Promise((r) => setTimeout(r, 5))) if (Date.now() > end) throw new Error(`timed out: ${what}`);
    };
    const scheduler = startScheduler({ pool, waker: { wake() {}, close: async () => {} }, log }, { everyMs: 5 });
    try {
      await until('three failed passes', () => passes >= 3);
      expect(errors[0]).toBe('the schedules’ tick loop failed; trying again: connection terminated unexpectedly');
      expect(scheduler.health()).toMatch(/^failing for \d+ passes: connection terminated unexpectedly$/);
      failing = false;
      const seen = passes;
      await until('a pass that works', () => passes > seen + 1);
      expect(scheduler.health()).toBe('ok');
    } finally {
      await scheduler.stop();
    }
  });
});
