// Ids are UUIDs: anything else is no id of ours, answered as not found before it reaches PostgreSQL
// (which would refuse it with an error, not an empty answer). New ids are UUIDv7, as the database's
// defaults (see db/schema/common.ts).
import { v7 } from 'uuid';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (id: string): boolean => uuid.test(id);

/** A new time-ordered id (UUIDv7). */
export const newId = (): string => v7();
