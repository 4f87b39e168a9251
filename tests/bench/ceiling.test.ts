import { describe, expect, it } from 'vitest';
import { meanCpuUse } from './ceiling.js';
import type { CpuUse } from './cpu.js';

const use = (product: number | null, postgres: number, kinds: Record<string, number>): CpuUse => ({
  perEventMs: { product, postgres, bench: 0.2 },
  postgresPerEventMs: kinds,
  connectionsKernelPerEventMs: null,
  waitedPerEventMs: { product: 0.01, postgres: 0, bench: 0.03 },
  coreShare: { product: 0.4, postgres: 0.02, bench: 0.5, total: 0.92, other: 0 },
});

describe('meanCpuUse (the two halves of the ceiling as one)', () => {
  it('averages every figure, nested ones too', () => {
    const m = meanCpuUse([use(0.1, 0.02, { connections: 0.01 }), use(0.3, 0, { connections: 0.03 })]);
    expect(m.perEventMs.product).toBeCloseTo(0.2);
    expect(m.perEventMs.postgres).toBeCloseTo(0.01);
    expect(m.perEventMs.bench).toBeCloseTo(0.2);
    expect(m.postgresPerEventMs.connections).toBeCloseTo(0.02);
    expect(m.coreShare.total).toBeCloseTo(0.92);
  });

  it('is null where a half has no figure', () => {
    const m = meanCpuUse([use(null, 0.02, {}), use(0.3, 0, {})]);
    expect(m.perEventMs.product).toBeNull();
    expect(m.connectionsKernelPerEventMs).toBeNull();
    expect(m.postgresPerEventMs).toEqual({});
  });
});
