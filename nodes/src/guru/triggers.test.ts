import { describe, expect, it } from 'vitest';
import { nodeManifest } from '../manifest.js';
import { guruSubscriptionBody, guruTransactionBody } from '../../../tests/fakes/guru.js';
import { guruSubscriptionPayload, guruTransactionPayload } from './events.js';
import { GURU_SALE_STATUSES, GURU_SUBSCRIPTION_STATUSES } from './schemas.js';
import { guruSubscriptionStatusChanged } from './subscription-status-changed.js';
import { guruTransactionStatusChanged } from './transaction-status-changed.js';

const sale = (overrides: Record<string, unknown> = {}) => guruTransactionPayload(guruTransactionBody(overrides));
const matchSale = (payload: Record<string, unknown>, config: unknown) =>
  guruTransactionStatusChanged.match!(payload, guruTransactionStatusChanged.config.parse(config));

describe('guru.transaction_status_changed', () => {
  it('config: { statuses, productIds }, both empty by default, statuses from Guru’s list', () => {
    const schema = nodeManifest(guruTransactionStatusChanged).configSchema as { properties: Record<string, { items?: { enum?: string[] }; 'x-widget'?: string }> };
    expect(Object.keys(schema.properties).sort()).toEqual(['productIds', 'statuses']);
    expect(schema.properties.statuses!.items!.enum).toEqual([...GURU_SALE_STATUSES]);
    expect(schema.properties.statuses!['x-widget']).toBe('multiselect');
    expect(guruTransactionStatusChanged.config.parse({})).toEqual({ statuses: [], productIds: [] });
    expect(guruTransactionStatusChanged.config.safeParse({ statuses: ['paid'] }).success).toBe(false);
  });

  it('matches any sale without filters', () => {
    expect(matchSale(sale(), {})).toBe(true);
    expect(matchSale(sale({ status: 'refunded' }), {})).toBe(true);
  });

  it('filters on the status', () => {
    const config = { statuses: ['approved', 'completed'] };
    expect(matchSale(sale(), config)).toBe(true);
    expect(matchSale(sale({ status: 'completed' }), config)).toBe(true);
    expect(matchSale(sale({ status: 'refunded' }), config)).toBe(false);
    expect(matchSale(sale({ status: 'waiting_payment' }), config)).toBe(false);
  });

  it('filters on the product, by its id, internal id or marketplace id', () => {
    expect(matchSale(sale(), { productIds: ['1712345678'] })).toBe(true);
    expect(matchSale(sale(), { productIds: ['9c1a7b3e-5d2f-4a8c-b6e1-0f9d8c7b6a54'] })).toBe(true);
    expect(matchSale(sale({ product: { marketplace_id: 'MKT-1', id: 'other', internal_id: null } }), { productIds: ['MKT-1'] })).toBe(true);
    expect(matchSale(sale(), { productIds: ['1700000000', 'another'] })).toBe(false);
    expect(matchSale(sale({ product: [] }), { productIds: ['1712345678'] })).toBe(false);
    expect(matchSale(sale(), { statuses: ['approved'], productIds: ['1712345678'] })).toBe(true);
    expect(matchSale(sale({ status: 'refunded' }), { statuses: ['approved'], productIds: ['1712345678'] })).toBe(false);
  });

  it('never throws on a payload stored in another shape', () => {
    expect(matchSale({}, { statuses: ['approved'], productIds: ['1'] })).toBe(false);
    expect(matchSale({ status: { toString: 1 } as unknown, product: 'x' }, {})).toBe(true);
    expect(guruTransactionStatusChanged.match!({ status: 'approved' }, {} as never)).toBe(true);
  });
});

describe('guru.subscription_status_changed', () => {
  const sub = (overrides: Record<string, unknown> = {}) => guruSubscriptionPayload(guruSubscriptionBody(overrides));
  const match = (payload: Record<string, unknown>, config: unknown) => guruSubscriptionStatusChanged.match!(payload, guruSubscriptionStatusChanged.config.parse(config));

  it('config: { statuses } over last_status', () => {
    const schema = nodeManifest(guruSubscriptionStatusChanged).configSchema as { properties: Record<string, { items?: { enum?: string[] } }> };
    expect(Object.keys(schema.properties)).toEqual(['statuses']);
    expect(schema.properties.statuses!.items!.enum).toEqual([...GURU_SUBSCRIPTION_STATUSES]);
    expect(guruSubscriptionStatusChanged.config.parse({})).toEqual({ statuses: [] });
  });

  it('filters on last_status', () => {
    expect(match(sub(), {})).toBe(true);
    expect(match(sub(), { statuses: ['canceled', 'expired'] })).toBe(true);
    expect(match(sub({ last_status: 'active' }), { statuses: ['canceled', 'expired'] })).toBe(false);
    expect(match(sub({ last_status: 'pastdue' }), { statuses: ['pastdue'] })).toBe(true);
  });
});

describe('guru trigger outputs', () => {
  it('keep the contract’s fields', () => {
    const out = nodeManifest(guruTransactionStatusChanged).outputSchema as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(out.properties)).toEqual(expect.arrayContaining(['id', 'status', 'contact', 'product', 'payment', 'checkoutUrl', 'dates']));
    expect(Object.keys(out.properties.contact!.properties!)).toEqual(expect.arrayContaining(['name', 'email', 'phone', 'doc', 'firstName']));
    expect(Object.keys(out.properties.product!.properties!)).toEqual(expect.arrayContaining(['id', 'name', 'offer']));
    expect(Object.keys(out.properties.payment!.properties!)).toEqual(expect.arrayContaining(['method', 'currency', 'total']));
    const subOut = nodeManifest(guruSubscriptionStatusChanged).outputSchema as { properties: Record<string, { properties?: Record<string, unknown> }> };
    expect(Object.keys(subOut.properties)).toEqual(expect.arrayContaining(['subscriptionCode', 'status', 'subscriber', 'product', 'lastTransaction']));
    expect(Object.keys(subOut.properties.subscriber!.properties!)).toEqual(expect.arrayContaining(['name', 'email', 'phone']));
  });

  it('have fixtures that parse against them', () => {
    for (const t of [guruTransactionStatusChanged, guruSubscriptionStatusChanged]) {
      expect(t.fixtures!.length).toBeGreaterThan(1);
      for (const f of t.fixtures!) expect(t.output.safeParse(f).success).toBe(true);
    }
    expect(guruTransactionStatusChanged.output.safeParse({ ...guruTransactionStatusChanged.fixtures![0], contact: {} }).success).toBe(false);
  });
});
