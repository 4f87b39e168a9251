// The ceiling (phase e): the bare Node.js pipeline, driven by the same client as the product. It is measured
// in two halves that bracket phase a, one just before it and one just after its backlog drained, and the
// efficiency divides by their mean. Measured once, half a minute after phase a, a slow or fast spell of the
// machine (CPU ms per SMS of the same bench client moved by up to a quarter between phases) that took only one
// of the two made the ratio move by as much; the two halves meet the machine as phase a did, before and after.
import { closedLoop, type IdSource, type PhaseResult, type Target } from './load.js';
import { cpuSnapshot, cpuUse, type CpuUse } from './cpu.js';
import { deliveredRate, type SentEvent } from './stats.js';

export interface CeilingHalf {
  phase: PhaseResult;
  delivered: number;
  perSec: number;
  cpu: CpuUse;
}

export interface CeilingHalfOptions {
  target: Target;
  ids: IdSource;
  concurrency: number;
  durationMs: number;
  maxEvents: number;
  /** The bare server's pid and PostgreSQL's postmaster (whose CPU shows whether it kept working meanwhile). */
  pid: number;
  postmaster: number | null;
  cores: number;
  /** Waits until the half's SMS reached the fake (or gave up). */
  drain(events: readonly SentEvent[]): Promise<unknown>;
  firstReceivedAt: ReadonlyMap<string, number>;
}

export async function ceilingHalf(o: CeilingHalfOptions): Promise<CeilingHalf> {
  const before = cpuSnapshot([o.pid], o.postmaster);
  const phase = await closedLoop({ target: o.target, ids: o.ids, concurrency: o.concurrency, durationMs: o.durationMs, maxEvents: o.maxEvents });
  await o.drain(phase.events);
  const { delivered, perSec } = deliveredRate(phase.events, o.firstReceivedAt);
  return { phase, delivered, perSec, cpu: cpuUse(before, cpuSnapshot([o.pid], o.postmaster), delivered, o.cores) };
}

type Tree = number | null | { [key: string]: Tree };

/** Field by field mean of trees of one shape; null where any of them has null (or lacks the field). */
function meanTree(trees: readonly Tree[]): Tree {
  const first = trees[0];
  if (first === null || first === undefined) return null;
  if (typeof first === 'number') return trees.every((t) => typeof t === 'number') ? (trees as number[]).reduce((a, b) => a + b, 0) / trees.length : null;
  const out: Record<string, Tree> = {};
  for (const key of Object.keys(first)) out[key] = meanTree(trees.map((t) => (t !== null && typeof t === 'object' ? (t[key] ?? null) : null)));
  return out;
}

/** The two halves' CPU use as one: the mean of each figure (the halves last as long and deliver about as much). */
export function meanCpuUse(uses: readonly CpuUse[]): CpuUse {
  return meanTree(uses as unknown as Tree[]) as unknown as CpuUse;
}
