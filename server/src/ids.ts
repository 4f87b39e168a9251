// Ids are UUIDs: anything else is no id of ours, answered as not found before it reaches PostgreSQL
// (which would refuse it with an error, not an empty answer).
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (id: string): boolean => uuid.test(id);
