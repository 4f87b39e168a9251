import { describe, expect, it } from 'vitest';
import { guruSubscriptionActive, guruSubscriptionCanceled } from './fixtures/subscription.js';
import { guruTransactionApproved, guruTransactionRefunded, guruTransactionWaitingPix } from './fixtures/transaction.js';
import { guruSubscriptionPayload, guruTransactionPayload } from './events.js';
import { guruSubscriptionOutput, guruTransactionOutput } from './schemas.js';

describe('guru transaction fixtures → trigger output', () => {
  it('the approved card sale', () => {
    const payload = guruTransactionPayload(guruTransactionApproved);
    expect(payload).toEqual({
      id: '9c3f4e2a-6b1d-4f7e-9a52-3d8e1f0b7c41',
      status: 'approved',
      contact: {
        id: '9c3f4e1b-2a7d-4c10-8e4f-6b5a3c2d1e0f',
        name: 'Ana Beatriz Souza',
        firstName: 'Ana',
        email: 'ana.souza@example.com.br',
        phone: '+5511987654321',
        doc: '39053344705',
      },
      product: {
        id: '1712345678',
        internalId: '9c1a7b3e-5d2f-4a8c-b6e1-0f9d8c7b6a54',
        marketplaceId: '1712345678',
        name: 'Curso Fotografia Essencial',
        offer: { id: '9c1a7c0d-3e4f-4b5a-8c6d-7e8f9a0b1c2d', name: 'Oferta de lançamento (6x sem juros)' },
        type: 'product',
        qty: 1,
        unitValue: 497,
        totalValue: 497,
      },
      payment: { method: 'credit_card', currency: 'BRL', total: 497, net: 451.27, installments: 6, refuseReason: null, refundReason: null },
      checkoutUrl: 'https://clkdmg.site/pay/curso-fotografia-essencial',
      subscriptionCode: null,
      source: { source: 'instagram', checkoutSource: 'bio-link', utmSource: 'instagram', utmMedium: 'stories', utmCampaign: 'lancamento-maio', utmContent: 'depoimento-ana', utmTerm: null },
      dates: {
        orderedAt: '2025-05-14T12:31:07Z',
        confirmedAt: '2025-05-14T12:31:19Z',
        canceledAt: null,
        createdAt: '2025-05-14T12:31:07Z',
        updatedAt: '2025-05-14T12:31:19Z',
        expiresAt: null,
        warrantyUntil: '2025-05-21T12:31:19Z',
      },
    });
    expect(guruTransactionOutput.parse(payload)).toEqual(payload);
  });

  it('the refund of it', () => {
    const payload = guruTransactionPayload(guruTransactionRefunded);
    expect(payload).toMatchObject({ id: guruTransactionApproved.id, status: 'refunded', payment: { refundReason: 'Desistência dentro da garantia' }, dates: { canceledAt: '2025-05-20T09:02:44Z' } });
    expect(guruTransactionOutput.safeParse(payload).success).toBe(true);
  });

  it('a Pix sale from Portugal, with Unix-second dates and an empty source', () => {
    const payload = guruTransactionPayload(guruTransactionWaitingPix);
    expect(payload.contact).toEqual({ id: null, name: 'João Pedro Almeida', firstName: 'João', email: 'jp.almeida@example.pt', phone: '+351912345678', doc: null });
    expect(payload.product.offer).toEqual({ id: '9c40a9f1-7b2c-4d3e-9f10-a1b2c3d4e5f6', name: 'Pix à vista' });
    expect(payload.product.internalId).toBeNull();
    expect(payload.dates).toMatchObject({ orderedAt: '2025-05-17T13:00:00.000Z', confirmedAt: null, expiresAt: '2025-05-18T13:00:00.000Z' });
    expect(Object.values(payload.source).every((v) => v === null)).toBe(true);
    expect(guruTransactionOutput.safeParse(payload).success).toBe(true);
  });

  it('reads numbers sent as text and refuses values of other types', () => {
    const payload = guruTransactionPayload({
      ...guruTransactionApproved,
      contact: { name: { first: 'Ana' }, email: ['a@b.c'], phone_number: { toString: 1 } },
      payment: { total: '497.00', net: 'NaN', currency: 986, method: null, installments: [] },
      product: { id: 1712345678, offer: 'none', qty: JSON.parse('1e400') },
      checkout_url: '   ',
    });
    expect(payload.contact).toEqual({ id: null, name: null, firstName: null, email: null, phone: null, doc: null });
    expect(payload.payment).toMatchObject({ total: 497, net: null, currency: '986', method: null, installments: null });
    expect(payload.product).toMatchObject({ id: '1712345678', offer: null, qty: null });
    expect(payload.checkoutUrl).toBeNull();
    expect(guruTransactionOutput.safeParse(payload).success).toBe(true);
  });
});

describe('guru subscription fixtures → trigger output', () => {
  it('the canceled yearly subscription', () => {
    const payload = guruSubscriptionPayload(guruSubscriptionCanceled);
    expect(payload).toEqual({
      subscriptionCode: 'sub_K2m9Qx7Lw4Rt8Vz1',
      id: 'sub_K2m9Qx7Lw4Rt8Vz1',
      name: 'Clube do Fotógrafo',
      status: 'canceled',
      subscriber: { id: '9c52cf71-4a3b-4c2d-9e1f-0a9b8c7d6e5f', name: 'Marcos Lima', firstName: 'Marcos', email: 'marcos.lima@example.com.br', phone: '+5562981886368', doc: '52998224725' },
      product: {
        id: '9e6c7a03-acdf-45af-abc5-0e0ba41d54eb',
        internalId: null,
        marketplaceId: '1741887379',
        name: 'Clube do Fotógrafo',
        offer: { id: '9e942d92-da6b-40b2-ba26-d58829850a5d', name: 'Anual (12x sem juros)' },
      },
      lastTransaction: { id: '9c52d0f8-6e5d-4c3b-a2f1-0e9d8c7b6a5f', status: null, url: 'https://digitalmanager.guru/admin/transactions/pagarme2/ch_nO4AWrOU9U7yq1Z9' },
      cancelReason: 'Encontrei outra alternativa',
      dates: {
        startedAt: '2025-06-15T12:54:28Z',
        lastStatusAt: '2025-06-17T00:49:08Z',
        canceledAt: '2025-06-17T00:49:08Z',
        cycleStartDate: '2025-06-15',
        cycleEndDate: '2026-06-15',
        nextCycleAt: null,
      },
    });
    expect(guruSubscriptionOutput.parse(payload)).toEqual(payload);
  });

  it('an active one: a phone without country code is Brazilian, last_transaction [] is none', () => {
    const payload = guruSubscriptionPayload(guruSubscriptionActive);
    expect(payload.subscriber).toMatchObject({ name: 'Carla Menezes', firstName: 'Carla', phone: '+5521998765432', doc: null });
    expect(payload.lastTransaction).toBeNull();
    expect(payload.dates.startedAt).toBe('2025-06-15T12:54:28.000Z');
    expect(guruSubscriptionOutput.safeParse(payload).success).toBe(true);
  });

  it('fills the subscriber from a full last transaction’s contact, and the product from it', () => {
    const payload = guruSubscriptionPayload({
      ...guruSubscriptionActive,
      subscriber: { email: 'carla.menezes@example.com.br' },
      product: undefined,
      last_transaction: { id: 't1', status: 'approved', contact: { name: 'Carla Menezes', phone_local_code: '55', phone_number: '21998765432' }, product: { id: 'p1', name: 'Clube' } },
    });
    expect(payload.subscriber).toMatchObject({ name: 'Carla Menezes', email: 'carla.menezes@example.com.br', phone: '+5521998765432' });
    expect(payload.product).toMatchObject({ id: 'p1', name: 'Clube', offer: null });
    expect(payload.lastTransaction).toEqual({ id: 't1', status: 'approved', url: null });
  });
});
