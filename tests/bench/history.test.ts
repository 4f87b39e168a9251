import { describe, expect, it } from 'vitest';
import { historyNumber, historyOrderId, historyStatus, LOAD_IDS, MAX_HISTORY, parseCount, TEMPLATE_NUMBER } from './history.js';

describe('parseCount (--history N)', () => {
  it('reads plain, exponent and suffixed counts', () => {
    expect(parseCount('5000000')).toBe(5_000_000);
    expect(parseCount('5e6')).toBe(5_000_000);
    expect(parseCount('5m')).toBe(5_000_000);
    expect(parseCount('5M')).toBe(5_000_000);
    expect(parseCount('1.5m')).toBe(1_500_000);
    expect(parseCount('200k')).toBe(200_000);
    expect(parseCount('2.5e5')).toBe(250_000);
    expect(parseCount('5_000_000')).toBe(5_000_000);
    expect(parseCount('5,000,000')).toBe(5_000_000);
    expect(parseCount(' 20000 ')).toBe(20_000);
  });

  it('refuses what is not a whole count of runs in range', () => {
    for (const bad of ['', 'five', '5x', '-5', '0', '1.5', '0.0001k', '5e', '1e9', String(MAX_HISTORY + 1), '5 m m']) {
      expect(() => parseCount(bad), bad).toThrow(RangeError);
    }
    expect(parseCount(String(MAX_HISTORY))).toBe(MAX_HISTORY);
  });
});

describe('history order ids and statuses', () => {
  it('gives each run its order number, every 100th repeating the one before, with the digits of the load ids', () => {
    expect(historyNumber(0)).toBe(100_000_000);
    expect(historyNumber(99)).toBe(historyNumber(100));
    expect(historyNumber(101)).toBe(historyNumber(100) + 1);
    const n = 1_000_000;
    const distinct = new Set(Array.from({ length: n }, (_, i) => historyNumber(i)));
    expect(distinct.size).toBe(n - Math.floor((n - 1) / 100));
    expect(String(historyNumber(MAX_HISTORY - 1))).toHaveLength(9);
    expect(historyNumber(MAX_HISTORY - 1)).toBeLessThan(Math.min(TEMPLATE_NUMBER, ...Object.values(LOAD_IDS)));
  });

  it('spells the id as the workload does', () => {
    expect(historyOrderId(String(TEMPLATE_NUMBER), 42)).toBe('100000042');
    expect(historyOrderId(`9c3f4e2a-6b1d-4f7e-9a52-000${TEMPLATE_NUMBER}`, 42)).toBe('9c3f4e2a-6b1d-4f7e-9a52-000100000042');
  });

  it('is mostly succeeded, with a few hundred waiting and uncertain runs whatever the size', () => {
    for (const n of [20_000, 200_000, 5_000_000]) {
      const count: Record<string, number> = {};
      for (let i = 0; i < n; i++) count[historyStatus(i, n)] = (count[historyStatus(i, n)] ?? 0) + 1;
      expect(count.succeeded! / n).toBeGreaterThan(0.93);
      expect(count.failed! / n).toBeCloseTo(0.02, 2);
      expect(count.filtered! / n).toBeCloseTo(0.02, 2);
      expect(count.waiting).toBeGreaterThanOrEqual(150);
      expect(count.waiting).toBeLessThanOrEqual(250);
      expect(count.uncertain).toBeGreaterThanOrEqual(150);
      expect(count.uncertain).toBeLessThanOrEqual(250);
    }
  });
});
