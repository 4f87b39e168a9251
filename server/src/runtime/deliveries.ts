// The delivery log of one connection in short: when its last verified delivery came, its last refused one.
import type pg from 'pg';
import type { DeliverySummary } from '@bundles/nodes';

const summarySql = `
select
  -- A delivery that stored events is logged by them; the others that passed have rows.
  greatest(
    (select received_at from events where connection_id = $1 order by received_at desc limit 1),
    (select received_at from webhook_deliveries where connection_id = $1 and outcome <> 'rejected' order by received_at desc limit 1)
  ) as accepted_at,
  r.received_at as rejected_at, r.reason
from (select 1) one
left join lateral (select received_at, reason from webhook_deliveries where connection_id = $1 and outcome = 'rejected' order by received_at desc limit 1) r on true`;

export async function deliverySummary(pool: pg.Pool, connectionId: string): Promise<DeliverySummary> {
  const { rows } = await pool.query<{ accepted_at: Date | null; rejected_at: Date | null; reason: string | null }>(summarySql, [connectionId]);
  const row = rows[0]!;
  return {
    lastAccepted: row.accepted_at ? { at: row.accepted_at } : null,
    lastRejected: row.rejected_at ? { at: row.rejected_at, reason: row.reason } : null,
  };
}
