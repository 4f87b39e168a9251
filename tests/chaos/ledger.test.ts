import { describe, expect, it } from 'vitest';
import { countRound, effectKey, unsettled } from './ledger.js';
import type { ProviderEvent } from './provider.js';

const event = (bundle: string, id: string, o: { paid?: boolean; acked?: boolean } = {}): ProviderEvent => ({
  bundle,
  id,
  paid: o.paid ?? true,
  firstSentAt: 0,
  answers: o.acked === false ? [503, 0] : [200],
  ...(o.acked === false ? {} : { ackAt: 1 }),
});

describe('countRound', () => {
  it('owes one side effect per write step of an acknowledged paid event', () => {
    const events = [event('w1', '1'), event('fanout', '2'), event('w1', '3', { paid: false }), event('fanout', '4', { acked: false })];
    const deliveries = new Map([
      [effectKey('w1', 'sms', '1'), 1],
      [effectKey('fanout', 'sms', '2'), 1],
      [effectKey('fanout', 'wa', '2'), 1],
    ]);
    expect(countRound(events, deliveries, [])).toMatchObject({ events: 4, acknowledged: 3, gaveUp: 1, expected: 3, delivered: 3, lost: 0, doubled: 0, uncertain: 0, unexpected: 0 });
  });

  it('counts lost, doubled and uncertain apart: an undelivered uncertain step is not lost', () => {
    const events = [event('w1', '1'), event('fanout', '2'), event('fanout', '3')];
    const deliveries = new Map([
      [effectKey('w1', 'sms', '1'), 2],
      [effectKey('fanout', 'sms', '2'), 1],
      [effectKey('fanout', 'sms', '3'), 1],
      [effectKey('fanout', 'wa', '3'), 1],
    ]);
    const c = countRound(events, deliveries, [effectKey('fanout', 'wa', '2'), effectKey('fanout', 'wa', '3')]);
    expect(c).toMatchObject({ expected: 5, delivered: 4, lost: 0, doubled: 1, doubledUncertain: 0, uncertain: 2, uncertainDelivered: 1, uncertainNotDelivered: 1 });
    expect(c.doubledKeys).toEqual(['w1/sms/1']);
    expect(countRound(events, deliveries, []).lostKeys).toEqual(['fanout/wa/2']);
  });

  it('reports deliveries for filtered-out and for unacknowledged events without owing them', () => {
    const events = [event('w1', '1', { paid: false }), event('w1', '2', { acked: false })];
    const deliveries = new Map([
      [effectKey('w1', 'sms', '1'), 1],
      [effectKey('w1', 'sms', '2'), 1],
    ]);
    expect(countRound(events, deliveries, [])).toMatchObject({ expected: 0, lost: 0, unexpected: 1, deliveredUnacknowledged: 1 });
  });
});

describe('unsettled', () => {
  it('lists acknowledged paid events without runs, or with a run still going', () => {
    const events = [event('w1', '1'), event('w1', '2'), event('w1', '3'), event('w1', '4', { paid: false }), event('w1', '5', { acked: false })];
    const runs = new Map([
      ['w1/1', ['succeeded']],
      ['w1/2', ['succeeded', 'running']],
    ]);
    expect(unsettled(events, runs, new Set(['succeeded', 'uncertain']))).toEqual(['w1/2', 'w1/3']);
  });
});
