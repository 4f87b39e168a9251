// A connection's webhook delivery log. A delivery that stored events is logged by them (events.delivery_id),
// not by a row of its own; the rows in webhook_deliveries are the others: refused, repeats, and accepted
// ones that carried no event (or were stored before events named their delivery).
import { and, desc, eq, gt, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Delivery } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { events, webhookDeliveries } from '../db/schema/index.js';
import { retentionOf } from './settings.js';

type Carried = Delivery['events'][number];

/** The newest `limit` deliveries of a connection, newest first, within the workspace's delivery-log retention. */
export async function listDeliveries(db: Db, workspaceId: string, connectionId: string, limit: number): Promise<Delivery[]> {
  const days = (await retentionOf(db, workspaceId)).deliveriesDays;
  const since = sql`now() - make_interval(days => ${days})`;
  const [rows, stored] = await Promise.all([
    db.select().from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.connectionId, connectionId), gt(webhookDeliveries.receivedAt, since)))
      .orderBy(desc(webhookDeliveries.receivedAt))
      .limit(limit),
    // The newest events name at most `limit` deliveries: enough for a page.
    db.select({ id: events.id, type: events.type, payload: events.payload, deliveryId: events.deliveryId, receivedAt: events.receivedAt }).from(events)
      .where(and(eq(events.connectionId, connectionId), isNotNull(events.deliveryId), gt(events.receivedAt, since)))
      .orderBy(desc(events.receivedAt), events.id)
      .limit(limit),
  ]);
  const byDelivery = new Map<string, { receivedAt: Date; events: Carried[] }>();
  for (const e of stored) {
    const entry = byDelivery.get(e.deliveryId!) ?? { receivedAt: e.receivedAt, events: [] };
    entry.events.push({ id: e.id, type: e.type, payload: e.payload });
    byDelivery.set(e.deliveryId!, entry);
  }
  // Rows stored before events named their delivery list their events by id: all of a page in one query.
  const ids = [...new Set(rows.flatMap((r) => (r.outcome === 'accepted' ? r.eventIds : [])))];
  const older = ids.length ? await db.select({ id: events.id, type: events.type, payload: events.payload }).from(events).where(inArray(events.id, ids)) : [];
  const byId = new Map(older.map((e) => [e.id, e]));
  const logged: Array<Delivery & { at: number }> = rows.map((r) => ({
    at: r.receivedAt.getTime(),
    id: r.id,
    receivedAt: r.receivedAt.toISOString(),
    outcome: r.outcome,
    reason: r.reason,
    eventIds: r.eventIds,
    events: r.outcome === 'accepted' ? r.eventIds.flatMap((e) => byId.get(e) ?? []) : [],
    body: r.outcome === 'accepted' ? (r.body ?? null) : null,
  }));
  const accepted: Array<Delivery & { at: number }> = [...byDelivery].map(([id, d]) => ({
    at: d.receivedAt.getTime(),
    id,
    receivedAt: d.receivedAt.toISOString(),
    outcome: 'accepted',
    reason: null,
    eventIds: d.events.map((e) => e.id),
    events: d.events,
    body: null,
  }));
  return [...logged, ...accepted]
    .sort((a, b) => b.at - a.at)
    .slice(0, limit)
    .map(({ at: _at, ...d }) => d);
}
