// Message statuses only move forward: a late "sent" callback never overwrites "delivered".
// The order comes from the providers' definitions (messageStatuses), merged once at start.
import { messageStatusOrder, providers } from '@bundles/nodes';

export const statusOrder = messageStatusOrder(providers);

/** SQL expression ranking a status column or parameter (unknown statuses rank lowest). */
export function statusRankSql(expr: string): string {
  return `coalesce(array_position(array[${statusOrder.map((s) => `'${s.replace(/'/g, "''")}'`).join(',')}]::text[], ${expr}), 0)`;
}
