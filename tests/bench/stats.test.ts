import { describe, expect, it } from 'vitest';
import { connectionsInKernel, cpuUse, postgresByKind, postgresKind, postgresWaited, schedstatWaitMs, type PostgresProcs } from './cpu.js';
import { ackLatencies, deliveredRate, slowWindows, deliveryOutcome, endToEnd, percentile, ratePerSec, ratio, round, summarize, type SentEvent } from './stats.js';
import { statementsBetween, type StatementRow } from './statements.js';

const ev = (id: string, paid: boolean, sentAt: number, status = 200, ackAt: number | undefined = sentAt + 2): SentEvent => ({
  id,
  paid,
  sentAt,
  status,
  ...(ackAt !== undefined ? { ackAt } : {}),
});

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('picks the nearest-rank value', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([7], 99)).toBe(7);
  });

  it('a p99 of fewer than 100 values is the maximum', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
  });

  it('is NaN without values and refuses a p outside [0, 100]', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts numerically without touching its input', () => {
    const input = [10, 9, 100, 1, 2];
    const s = summarize(input);
    expect(input).toEqual([10, 9, 100, 1, 2]);
    expect(s).toEqual({ count: 5, p50: 9, p99: 100, max: 100, mean: 24.4 });
  });

  it('is NaN for an empty phase', () => {
    const s = summarize([]);
    expect(s.count).toBe(0);
    expect(s.p50).toBeNaN();
    expect(s.max).toBeNaN();
  });
});

describe('rates', () => {
  it('counts per second over the span', () => {
    expect(ratePerSec(500, 1000, 3000)).toBe(250);
    expect(ratePerSec(10, 0, 0)).toBe(0);
    expect(ratePerSec(10, 5, 1)).toBe(0);
  });

  it('delivered/s runs from the first send to the last delivery, counting paid events once', () => {
    const events = [ev('1', true, 1000), ev('2', false, 1500), ev('3', true, 2000), ev('4', true, 2500)];
    const first = new Map([
      ['1', 1100],
      ['3', 3000],
    ]);
    expect(deliveredRate(events, first)).toEqual({ delivered: 2, perSec: 1, firstSentAt: 1000, lastDeliveredAt: 3000 });
    expect(deliveredRate(events, new Map()).perSec).toBe(0);
  });

  it('ratio is null without a denominator', () => {
    expect(ratio(400, 800)).toBe(0.5);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(1, Number.NaN)).toBeNull();
  });

  it('round keeps JSON clean', () => {
    expect(round(1.26, 1)).toBe(1.3);
    expect(round(0.123456, 3)).toBe(0.123);
    expect(round(Number.NaN)).toBeNull();
    expect(round(null)).toBeNull();
  });
});

describe('lost and doubled', () => {
  const events = [
    ev('1', true, 0), // delivered once
    ev('2', true, 0), // delivered twice → doubled
    ev('3', true, 0), // acked, never delivered → lost
    ev('4', true, 0, 503, 5), // not acked, not delivered → neither
    ev('5', true, 0, 0, undefined), // network error, yet delivered → not lost, not doubled
    ev('6', false, 0), // new: not delivered, as it should
    ev('7', false, 0), // new, yet delivered → unexpected
  ];
  const deliveries = new Map([
    ['1', 1],
    ['2', 2],
    ['5', 1],
    ['7', 1],
    ['other', 3], // not an event of this phase
  ]);

  it('counts against the events of the phase only', () => {
    expect(deliveryOutcome(events, deliveries)).toEqual({
      sent: 7,
      acked: 5,
      failed: 2,
      expected: 3,
      delivered: 2,
      lost: 1,
      doubled: 1,
      unexpected: 1,
    });
  });

  it('end-to-end latency is first receive minus send, for delivered paid events', () => {
    const sent = [ev('1', true, 100), ev('2', true, 200), ev('3', true, 300), ev('7', false, 400)];
    const first = new Map([
      ['1', 150],
      ['2', 260],
      ['7', 999],
    ]);
    expect(endToEnd(sent, first)).toEqual([50, 60]);
  });

  it('answer latency only for 2xx answers', () => {
    expect(ackLatencies([ev('1', true, 10, 200, 13), ev('2', true, 10, 500, 11), ev('3', false, 20, 204, 21)])).toEqual([3, 1]);
  });
});

describe('CPU by component', () => {
  /** PostgreSQL's client backends by pid, with the ms each had waited for a core. */
  const waiting = (list: Array<[number, number]>): PostgresProcs => ({
    postmaster: 0,
    exited: 0,
    byPid: new Map(list.map(([pid, waitedMs]) => [pid, { kind: 'connections', ms: 0, kernelMs: 0, waitedMs }])),
  });

  it('per event and share of all cores over the interval', () => {
    const a = { at: 0, product: 1_000, postgres: 2_000, postgresProcs: waiting([[7, 10], [8, 20]]), bench: 500, machine: 10_000, waited: { product: 100, bench: 5 } };
    const b = { at: 2_000, product: 2_000, postgres: 3_000, postgresProcs: waiting([[7, 60], [9, 500]]), bench: 700, machine: 12_600, waited: { product: 350, bench: 55 } };
    const u = cpuUse(a, b, 500, 2);
    expect(u.perEventMs).toEqual({ product: 2, postgres: 2, bench: 0.4 });
    // PostgreSQL: only 7 was alive at both (8 ended, 9 began in between).
    expect(u.waitedPerEventMs).toEqual({ product: 0.5, postgres: 0.1, bench: 0.1 });
    expect(u.coreShare.product).toBe(0.25);
    expect(u.coreShare.postgres).toBe(0.25);
    expect(u.coreShare.bench).toBe(0.05);
    expect(u.coreShare.total).toBeCloseTo(0.55, 10);
    expect(u.coreShare.other).toBeCloseTo(0.1, 10);
  });

  it("splits PostgreSQL's CPU by process, an exited one under exited processes", () => {
    expect(postgresKind('postgres: walwriter \0')).toBe('walwriter');
    expect(postgresKind('postgres: autovacuum worker bench\0')).toBe('autovacuum worker');
    expect(postgresKind('postgres: bundles bench [local] idle\0')).toBe('connections');
    const procs = (postmaster: number, exited: number, list: Array<[number, string, number]>): PostgresProcs => ({
      postmaster,
      exited,
      byPid: new Map(list.map(([pid, kind, ms]) => [pid, { kind, ms, kernelMs: 0, waitedMs: 0 }])),
    });
    // 11 and 12 serve clients; 13 (an autovacuum worker with 40 ms) exits in between, 14 starts.
    const a = procs(100, 1_000, [[10, 'walwriter', 50], [11, 'connections', 300], [12, 'connections', 200], [13, 'autovacuum worker', 40]]);
    const b = procs(110, 1_090, [[10, 'walwriter', 60], [11, 'connections', 500], [12, 'connections', 250], [14, 'connections', 5]]);
    const parts = postgresByKind(a, b);
    expect(parts).toEqual({ postmaster: 10, 'exited processes': 50, walwriter: 10, connections: 255 });
    const sum = (p: PostgresProcs) => p.postmaster + p.exited + [...p.byPid.values()].reduce((s, v) => s + v.ms, 0);
    expect(Object.values(parts).reduce((s, v) => s + v, 0)).toBe(sum(b) - sum(a));
  });

  it('reads the run queue delay of a thread from its schedstat line', () => {
    expect(schedstatWaitMs('123456789 2500000 42\n')).toBe(2.5);
    expect(schedstatWaitMs('0 0 0')).toBe(0);
    expect(schedstatWaitMs('')).toBeNull();
    expect(schedstatWaitMs('12 x 3')).toBeNull();
    expect(postgresWaited(waiting([[1, 5], [2, 9]]), waiting([[1, 7.5], [3, 100]]))).toBe(2.5);
  });

  it("takes the kernel's part of the client backends alive at both snapshots", () => {
    const procs = (list: Array<[number, string, number, number]>): PostgresProcs => ({
      postmaster: 0,
      exited: 0,
      byPid: new Map(list.map(([pid, kind, ms, kernelMs]) => [pid, { kind, ms, kernelMs, waitedMs: 0 }])),
    });
    const a = procs([[10, 'walwriter', 50, 40], [11, 'connections', 300, 100], [12, 'connections', 200, 50]]);
    const b = procs([[10, 'walwriter', 60, 48], [11, 'connections', 500, 130], [12, 'connections', 250, 70], [14, 'connections', 5, 5]]);
    expect(connectionsInKernel(a, b)).toBe(50);
  });

  it('is null for what could not be measured', () => {
    const waited = { product: null, bench: null };
    const u = cpuUse({ at: 0, product: 0, postgres: null, bench: 0, machine: null, waited }, { at: 1_000, product: 100, postgres: null, bench: 10, machine: null, waited }, 0, 2);
    expect(u.perEventMs).toEqual({ product: null, postgres: null, bench: null });
    expect(u.waitedPerEventMs).toEqual({ product: null, postgres: null, bench: null });
    expect(u.coreShare.postgres).toBeNull();
    expect(u.coreShare.total).toBeNull();
    expect(u.coreShare.other).toBeNull();
    expect(u.coreShare.product).toBe(0.05);
  });
});

describe('statements of one phase', () => {
  const row = (query: string, calls: number, totalMs: number): StatementRow => ({ query, calls, totalMs, planMs: totalMs / 10, rows: calls, blocks: { hit: 10 * calls, read: calls, dirtied: 0 }, nested: false });
  it('takes the counters at the phase start off those at its end, and leaves out what did not run', () => {
    const before = new Map([
      ['1:true', row('ingest', 100, 50)],
      ['2:true', row('write', 40, 30)],
      ['3:true', row('idle', 5, 1)],
    ]);
    const after = new Map([
      ['1:true', row('ingest', 130, 80)],
      ['2:true', row('write', 50, 31)],
      ['3:true', row('idle', 5, 1)],
      ['4:true', row('new', 2, 6)],
    ]);
    expect(statementsBetween(before, after, 10).map((r) => [r.query, r.calls, r.totalMs])).toEqual([
      ['ingest', 30, 30],
      ['new', 2, 6],
      ['write', 10, 1],
    ]);
    expect(statementsBetween(before, after, 1)).toHaveLength(1);
    expect(statementsBetween(before, after, 1)[0]!.blocks).toEqual({ hit: 300, read: 30, dirtied: 0 });
  });
});

describe('the slowest events by time', () => {
  it('counts the events at or above the threshold in windows from the first send, the fullest first', () => {
    const ev = (id: string, sentAt: number, paid = true): SentEvent => ({ id, paid, sentAt, ackAt: sentAt + 1, status: 200 });
    const events = [ev('a', 1_000), ev('b', 1_010), ev('c', 1_300), ev('d', 1_320), ev('e', 1_330), ev('f', 2_000), ev('g', 2_100, false)];
    const first = new Map([['a', 1_100], ['b', 1_020], ['c', 1_400], ['d', 1_420], ['e', 1_331], ['f', 2_050], ['g', 9_000]]);
    // Slow (≥ 50 ms): a (100), c (100), d (100), f (50); b, e fast; g sends nothing (status=new).
    expect(slowWindows(events, first, 50, 250)).toEqual([
      { atMs: 250, count: 2 },
      { atMs: 0, count: 1 },
      { atMs: 1_000, count: 1 },
    ]);
    expect(slowWindows([], first, 50, 250)).toEqual([]);
  });
});
