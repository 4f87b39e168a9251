// Dedupe means the same delivery, not the same content: a key derived from content (RetailCRM's trigger
// body) is a duplicate only within a short window and only while no other event of its order came in
// between, so paid → cancelled → paid runs twice. A trigger condition that throws gives a failed run with
// the error; a delivery that carries no event is still in the delivery log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getNodeType } from '@bundles/nodes';
import type { TestBundles } from '@bundles/server/testing';
import { whatsappWebhook } from '../fakes/whatsapp.js';
import {
  createConnection,
  deliveries,
  events,
  postHook,
  startChainFlow,
  startProviderBundles,
  waitForFinishedRuns,
  whatsappAppSecret,
  type ApiConnection,
} from '../support/providers.js';

let b: TestBundles;

beforeAll(async () => {
  b = await startProviderBundles();
});
afterAll(async () => {
  await b?.close();
});

const order = (id: number, status: string) => `type=order&status=${status}&id=${id}&event=status`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function retailcrmFlow(name: string, statuses: string[]): Promise<{ conn: ApiConnection; flowId: string }> {
  const conn = await createConnection(b, 'retailcrm', name, { domain: 'myshop.retailcrm.ru', apiKey: 'rcrm-key-0001' });
  const flowId = await startChainFlow(b, name, [
    { id: 'trigger', type: 'retailcrm.order_changed', connectionId: conn.id, config: { events: ['status'], statuses } },
    { id: 'note', type: 'core.set', config: { fields: { order: '{{ trigger.id }}' } } },
  ]);
  return { conn, flowId };
}

describe('content keys', () => {
  it('paid → cancelled → paid runs twice; a repeat of paid right after paid is a duplicate', async () => {
    const { conn, flowId } = await retailcrmFlow('Shop orders', ['paid']);
    const send = async (status: string) => expect((await postHook(conn.webhookUrl!, form, order(5001, status))).status).toBe(200);
    await send('paid');
    await send('paid'); // RetailCRM repeating a request it thought failed
    await send('cancel-other');
    await send('paid');
    const runs = await waitForFinishedRuns(b, flowId, 2);
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    const received = await events(b, conn.id);
    expect(received.map((e) => `${e.dedupeKey}×${e.duplicates}`).sort()).toEqual([
      'order:5001:status:cancel-other×0',
      'order:5001:status:paid×0',
      'order:5001:status:paid×1',
    ]);
    expect((await deliveries(b, conn.id)).map((d) => d.outcome).sort()).toEqual(['accepted', 'accepted', 'accepted', 'duplicate']);
  });

  it('the same content after the window is a new event', async () => {
    const { conn, flowId } = await retailcrmFlow('Shop orders later', ['paid']);
    expect((await postHook(conn.webhookUrl!, form, order(5002, 'paid'))).status).toBe(200);
    await waitForFinishedRuns(b, flowId, 1);
    // Ten minutes pass.
    await b.database.pool.query(`update event_keys set expires_at = now() - interval '1 second' where connection_id = $1`, [conn.id]);
    expect((await postHook(conn.webhookUrl!, form, order(5002, 'paid'))).status).toBe(200);
    expect((await waitForFinishedRuns(b, flowId, 2)).map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('a provider’s own event id stays a duplicate when other events came in between', async () => {
    const conn = await createConnection(b, 'webhook', 'Idempotent sender', {});
    const flowId = await startChainFlow(b, 'Idempotent sender', [
      { id: 'trigger', type: 'core.webhook', connectionId: conn.id, config: {} },
      { id: 'note', type: 'core.set', config: { fields: { seen: true } } },
    ]);
    const post = (key: string) => postHook(conn.webhookUrl!, { 'content-type': 'application/json', 'idempotency-key': key }, '{"order":1}');
    for (const key of ['evt_1', 'evt_2', 'evt_1']) expect((await post(key)).status).toBe(200);
    expect(await waitForFinishedRuns(b, flowId, 2)).toHaveLength(2);
    expect((await events(b, conn.id)).map((e) => `${e.dedupeKey}×${e.duplicates}`).sort()).toEqual(['idem:evt_1×1', 'idem:evt_2×0']);
  });
});

describe('a trigger condition that throws', () => {
  it('gives a failed run with the error instead of no run at all', async () => {
    const { conn, flowId } = await retailcrmFlow('Shop orders, broken condition', ['paid']);
    const def = getNodeType('retailcrm.order_changed');
    if (def?.kind !== 'trigger') throw new Error('a trigger');
    const match = def.match;
    def.match = () => {
      throw new Error('statuses is not iterable');
    };
    try {
      expect((await postHook(conn.webhookUrl!, form, order(5003, 'paid'))).status).toBe(200);
    } finally {
      def.match = match;
    }
    const [run] = await waitForFinishedRuns(b, flowId, 1);
    expect(run).toMatchObject({ status: 'failed', error: { code: 'trigger_condition_failed', message: expect.stringContaining('statuses is not iterable') } });
    expect(run!.steps).toEqual([]);
    expect((await deliveries(b, conn.id)).map((d) => d.outcome)).toEqual(['accepted']);
  });
});

describe('a delivery without events', () => {
  it('is answered as the provider expects and still logged', async () => {
    const conn = await createConnection(b, 'whatsapp', 'Shop WhatsApp', { accessToken: 'EAAGtoken', appSecret: whatsappAppSecret, verifyToken: 'v', phoneNumberId: '106540352242922' });
    // A change WhatsApp sends about the account, not a message.
    const hook = whatsappWebhook(whatsappAppSecret, { object: 'whatsapp_business_account', entry: [{ id: '102290129340398', changes: [{ field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } }] }] });
    expect((await postHook(conn.webhookUrl!, hook.headers, hook.body)).status).toBe(200);
    const log = await deliveries(b, conn.id);
    expect(log).toEqual([expect.objectContaining({ outcome: 'accepted', reason: 'the delivery carried no event', eventIds: [] })]);
    expect(await events(b, conn.id)).toEqual([]);
  });
});
