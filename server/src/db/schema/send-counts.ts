// Messages sent through a connection with a daily send cap, per day of the workspace's time zone
// (see runtime/send-cap.ts). Only capped connections have rows: an uncapped send writes nothing here.
import { date, integer, pgTable, primaryKey, uuid } from 'drizzle-orm/pg-core';

export const sendCounts = pgTable(
  'send_counts',
  {
    // No key: a check would lock the connection's row on every capped send; removed with it (ConnectionService.remove).
    connectionId: uuid('connection_id').notNull(),
    /** The day in the workspace's time zone when the sends were counted. */
    day: date('day', { mode: 'string' }).notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.connectionId, t.day] })],
);
