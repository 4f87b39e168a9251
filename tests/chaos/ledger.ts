// The chaos accounting: which side effects each acknowledged event owes, and how they came out.
// Pure functions, checked by ledger.test.ts; run.ts measures, this counts.
import { isAcknowledged, type ProviderEvent } from './provider.js';

/** The side effects a paid event owes, per bundle: the node ids of its write steps. */
export const effectsOf: Readonly<Record<string, readonly string[]>> = {
  w1: ['sms'],
  fanout: ['sms', 'wa'],
};

/** One side effect: bundle, write step and order id (what the fakes count deliveries under). */
export const effectKey = (bundle: string, node: string, orderId: string): string => `${bundle}/${node}/${orderId}`;

export interface RoundCounts {
  /** Events offered (paid and not). */
  events: number;
  /** Events answered 2xx. */
  acknowledged: number;
  /** Events the provider gave up on (never answered 2xx). */
  gaveUp: number;
  /** Side effects owed by the acknowledged paid events. */
  expected: number;
  /** Owed side effects that reached a fake at least once. */
  delivered: number;
  /** Owed side effects that never reached a fake and whose step is not uncertain. */
  lost: number;
  /** Side effects (of any event of the round) that reached a fake more than once. */
  doubled: number;
  /** Of the doubled, those whose step is uncertain (never resent by itself: must be 0). */
  doubledUncertain: number;
  /** Steps in status `uncertain`. */
  uncertain: number;
  /** Uncertain steps whose message did reach the fake (the call went out, its answer was lost). */
  uncertainDelivered: number;
  /** Uncertain steps whose message never reached the fake (reported, not lost). */
  uncertainNotDelivered: number;
  /** Side effects delivered for events that were not paid (the trigger's filter let them through). */
  unexpected: number;
  /** Side effects delivered for paid events never acknowledged (stored, but the answer was lost). */
  deliveredUnacknowledged: number;
  lostKeys: string[];
  doubledKeys: string[];
}

/** One fault a round injected, and whether it hit what it should and the product recovered. */
export interface Fault {
  what: string;
  /** Seconds after the round's load started. */
  atS: number;
  ok: boolean;
  detail: string;
  /** The process SIGKILLed and how it ended. */
  killed?: { name: string; exit: number | string };
  /** Seconds until the product answered again (a new process running, /healthz 200). */
  recoveredS?: number;
  /** Jobs the killed worker held, released to the other. */
  orphanedJobs?: number;
}

/** One round as chaos.json holds it. */
export interface RoundResult extends RoundCounts {
  name: string;
  processes: string;
  faults: Fault[];
  seconds: number;
  loadSeconds: number;
  settleSeconds: number;
  /** Acknowledged paid events whose runs had not all settled when the wait ended. */
  unsettled: number;
  /** The round's runs by final status. */
  runsByStatus: Record<string, number>;
  answers: Record<string, number>;
  /** Uncertain steps by bundle/node, and the first of them. */
  uncertainByStep: Record<string, number>;
  uncertainKeys: string[];
  problems: string[];
  /** What the database says about the events behind each problem (first ones). */
  evidence: unknown[];
}

/**
 * `deliveries`: effect key → times it reached a fake. `uncertainSteps`: the effect key of every step
 * row in status `uncertain` (one per row, so a key can appear twice if an event ran twice).
 */
export function countRound(events: readonly ProviderEvent[], deliveries: ReadonlyMap<string, number>, uncertainSteps: readonly string[]): RoundCounts {
  const uncertainKeys = new Set(uncertainSteps);
  const c: RoundCounts = {
    events: events.length,
    acknowledged: 0,
    gaveUp: 0,
    expected: 0,
    delivered: 0,
    lost: 0,
    doubled: 0,
    doubledUncertain: 0,
    uncertain: uncertainSteps.length,
    uncertainDelivered: 0,
    uncertainNotDelivered: 0,
    unexpected: 0,
    deliveredUnacknowledged: 0,
    lostKeys: [],
    doubledKeys: [],
  };
  const seen = new Set<string>();
  for (const e of events) {
    const acked = isAcknowledged(e);
    if (acked) c.acknowledged++;
    else c.gaveUp++;
    for (const node of effectsOf[e.bundle] ?? []) {
      const key = effectKey(e.bundle, node, e.id);
      // An order id offered twice is one side effect.
      if (seen.has(key)) continue;
      seen.add(key);
      const n = deliveries.get(key) ?? 0;
      const uncertain = uncertainKeys.has(key);
      if (n > 1) {
        c.doubled++;
        c.doubledKeys.push(key);
        if (uncertain) c.doubledUncertain++;
      }
      if (uncertain) {
        if (n > 0) c.uncertainDelivered++;
        else c.uncertainNotDelivered++;
      }
      if (!e.paid) {
        if (n > 0) c.unexpected++;
        continue;
      }
      if (!acked) {
        if (n > 0) c.deliveredUnacknowledged++;
        continue;
      }
      c.expected++;
      if (n > 0) c.delivered++;
      else if (!uncertain) {
        c.lost++;
        c.lostKeys.push(key);
      }
    }
  }
  return c;
}

/** The acknowledged paid events whose runs are not all settled; `runs`: `bundle/orderId` → run statuses. */
export function unsettled(events: readonly ProviderEvent[], runs: ReadonlyMap<string, readonly string[]>, settled: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const e of events) {
    if (!e.paid || !isAcknowledged(e)) continue;
    const key = `${e.bundle}/${e.id}`;
    const statuses = runs.get(key) ?? [];
    if (statuses.length === 0 || statuses.some((s) => !settled.has(s))) out.push(key);
  }
  return out;
}
