// Message statuses only move forward: a late "sent" callback never overwrites "delivered".
export const statusOrder = [
  'receiving', 'received', 'accepted', 'scheduled', 'queued', 'sending', 'sent',
  'failed', 'undelivered', 'partially_delivered', 'delivered', 'read', 'deleted', 'canceled',
];

/** SQL expression ranking a status column or parameter (unknown statuses rank lowest). */
export function statusRankSql(expr: string): string {
  return `coalesce(array_position(array[${statusOrder.map((s) => `'${s}'`).join(',')}]::text[], ${expr}), 0)`;
}
