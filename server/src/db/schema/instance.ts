// Facts about this installation as a whole, one row: the check value of the key that encrypts connection secrets.
import { check, pgTable, smallint, text, timestamp } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

export const instance = pgTable(
  'instance',
  {
    id: smallint('id').primaryKey().default(1),
    /** HMAC of a fixed text under the secret key: a start with another key is refused before it breaks anything. */
    keyCheck: text('key_check').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  () => [check('instance_one_row', sql`id = 1`)],
);
