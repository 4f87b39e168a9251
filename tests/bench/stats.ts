// The bench's arithmetic: percentiles, rates, and the lost / doubled accounting of W1.
// Pure functions, checked by stats.test.ts; the bench itself (run.ts) only measures and prints.

/** Nearest-rank percentile of ascending `sorted` values; `p` in [0, 100]. NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside [0, 100]`);
  if (p === 0) return sorted[0]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** p50 / p99 / max / mean of latencies in any order (the input is not modified). */
export function summarize(values: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const arr = Array.from(sorted);
  let sum = 0;
  for (const v of arr) sum += v;
  return {
    count: arr.length,
    p50: percentile(arr, 50),
    p99: percentile(arr, 99),
    max: arr.length ? arr[arr.length - 1]! : Number.NaN,
    mean: arr.length ? sum / arr.length : Number.NaN,
  };
}

/** Events per second over [startMs, endMs]; 0 when the span is empty or negative. */
export function ratePerSec(count: number, startMs: number, endMs: number): number {
  const span = endMs - startMs;
  if (!(span > 0)) return 0;
  return (count * 1000) / span;
}

/** One webhook the load client sent. Times are performance.now() of the bench process. */
export interface SentEvent {
  id: string;
  /** status=paid (a run and an SMS are expected), else status=new (nothing is sent). */
  paid: boolean;
  sentAt: number;
  /** When the answer was complete; undefined when there was none (network error or timeout). */
  ackAt?: number;
  /** HTTP status of the answer; 0 for a network error or timeout. */
  status: number;
}

export const acked = (e: SentEvent): boolean => e.status >= 200 && e.status < 300;

export interface DeliveryOutcome {
  /** Events sent. */
  sent: number;
  /** Events answered 2xx. */
  acked: number;
  /** Events not answered 2xx (error status, network error, timeout). */
  failed: number;
  /** Paid events answered 2xx: each must reach the fake exactly once. */
  expected: number;
  /** Expected events delivered at least once. */
  delivered: number;
  /** Expected events never delivered. */
  lost: number;
  /** Events (of any kind) delivered more than once. */
  doubled: number;
  /** Non-paid events that were delivered (the filter let them through). */
  unexpected: number;
}

/** Counts lost / doubled for `events` against the fake's per-id delivery counts. */
export function deliveryOutcome(events: Iterable<SentEvent>, deliveries: ReadonlyMap<string, number>): DeliveryOutcome {
  const out: DeliveryOutcome = { sent: 0, acked: 0, failed: 0, expected: 0, delivered: 0, lost: 0, doubled: 0, unexpected: 0 };
  for (const e of events) {
    out.sent++;
    const ok = acked(e);
    if (ok) out.acked++;
    else out.failed++;
    const n = deliveries.get(e.id) ?? 0;
    if (n > 1) out.doubled++;
    if (!e.paid) {
      if (n > 0) out.unexpected++;
      continue;
    }
    if (!ok) continue;
    out.expected++;
    if (n > 0) out.delivered++;
    else out.lost++;
  }
  return out;
}

/**
 * End-to-end latencies (first receive at the fake − client send) of the paid events that were
 * delivered; `firstReceivedAt` maps an order id to its first receive time (same clock as sentAt).
 */
export function endToEnd(events: Iterable<SentEvent>, firstReceivedAt: ReadonlyMap<string, number>): number[] {
  const out: number[] = [];
  for (const e of events) {
    if (!e.paid) continue;
    const at = firstReceivedAt.get(e.id);
    if (at !== undefined) out.push(at - e.sentAt);
  }
  return out;
}

/**
 * When the slowest events (end to end at least `thresholdMs`) were sent: their count in each `windowMs` window
 * from the first send, the fullest first. Clustered, they are a stall (a checkpoint, an ANALYZE, a pause); spread,
 * a cost of every event.
 */
export function slowWindows(events: readonly SentEvent[], firstReceivedAt: ReadonlyMap<string, number>, thresholdMs: number, windowMs: number): Array<{ atMs: number; count: number }> {
  if (events.length === 0) return [];
  const start = Math.min(...events.map((e) => e.sentAt));
  const counts = new Map<number, number>();
  for (const e of events) {
    const at = e.paid ? firstReceivedAt.get(e.id) : undefined;
    if (at === undefined || at - e.sentAt < thresholdMs) continue;
    const w = Math.floor((e.sentAt - start) / windowMs) * windowMs;
    counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return [...counts].map(([atMs, count]) => ({ atMs, count })).sort((a, b) => b.count - a.count || a.atMs - b.atMs);
}

/** Answer latencies of the events answered 2xx. */
export function ackLatencies(events: Iterable<SentEvent>): number[] {
  const out: number[] = [];
  for (const e of events) if (acked(e) && e.ackAt !== undefined) out.push(e.ackAt - e.sentAt);
  return out;
}

/**
 * Paid events delivered per second, from the first send to the last delivery of the phase
 * (the backlog drained). 0 when nothing was delivered.
 */
export function deliveredRate(events: readonly SentEvent[], firstReceivedAt: ReadonlyMap<string, number>): { delivered: number; perSec: number; firstSentAt: number; lastDeliveredAt: number } {
  let firstSentAt = Number.POSITIVE_INFINITY;
  let lastDeliveredAt = Number.NEGATIVE_INFINITY;
  let delivered = 0;
  for (const e of events) {
    if (e.sentAt < firstSentAt) firstSentAt = e.sentAt;
    if (!e.paid) continue;
    const at = firstReceivedAt.get(e.id);
    if (at === undefined) continue;
    delivered++;
    if (at > lastDeliveredAt) lastDeliveredAt = at;
  }
  if (delivered === 0) return { delivered: 0, perSec: 0, firstSentAt: Number.isFinite(firstSentAt) ? firstSentAt : 0, lastDeliveredAt: 0 };
  return { delivered, perSec: ratePerSec(delivered, firstSentAt, lastDeliveredAt), firstSentAt, lastDeliveredAt };
}

/** A ratio, or null when the denominator is 0 or not a number. */
export function ratio(numerator: number, denominator: number): number | null {
  if (!(denominator > 0) || !Number.isFinite(numerator)) return null;
  return numerator / denominator;
}

/** Rounds to `digits` decimals; keeps NaN / null as null (JSON has no NaN). */
export function round(value: number | null | undefined, digits = 1): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
