// Daily send caps: sends through a capped connection are counted per (connection, day of the workspace's
// time zone) in PostgreSQL, so every process shares one count. Uncapped connections never come here.
import type pg from 'pg';

/** The counted day of a send: given back with it when the send surely did not happen. */
export interface CountedSend {
  connectionId: string;
  day: string;
}

export type TakeResult = { taken: true; send: CountedSend } | { taken: false; day: string; count: number; nextDay: Date; timeZone: string };

// One statement: the workspace's time zone (its setting, else UTC), today and the next local midnight there,
// and the count raised by one only while under the cap (the row lock of ON CONFLICT serialises concurrent sends).
const takeSql = `
with z as (
  select coalesce((select settings->>'timeZone' from workspaces where id = $2), 'UTC') as tz
), d as (
  select z.tz, (now() at time zone z.tz)::date as day,
    (date_trunc('day', now() at time zone z.tz) + interval '1 day') at time zone z.tz as next_day
  from z
), up as (
  insert into send_counts as c (connection_id, day, count)
  select $1, d.day, 1 from d where $3::int >= 1
  on conflict (connection_id, day) do update set count = c.count + 1 where c.count < $3::int
  returning c.count
)
select d.tz, d.day::text as day, d.next_day, (select count from up) as taken,
  (select count from send_counts where connection_id = $1 and day = d.day) as count
from d`;

/** Counts one send through a capped connection, unless the day's count has reached the cap. */
export async function takeSend(pool: pg.Pool, connectionId: string, workspaceId: string, cap: number): Promise<TakeResult> {
  const { rows } = await pool.query({ name: 'send_cap_take', text: takeSql, values: [connectionId, workspaceId, cap] });
  const row = rows[0] as { tz: string; day: string; next_day: Date; taken: number | null; count: number | null };
  if (row.taken !== null) return { taken: true, send: { connectionId, day: row.day } };
  // Refused means the count was at the cap when the row was locked; the statement's snapshot may be older.
  return { taken: false, day: row.day, count: Math.max(row.count ?? cap, cap), nextDay: new Date(row.next_day), timeZone: row.tz };
}

/** Gives a counted send back: it surely never reached the provider's network (see execute.ts). */
export async function giveSendBack(pool: pg.Pool, send: CountedSend): Promise<void> {
  await pool.query({ name: 'send_cap_give_back', text: 'update send_counts set count = count - 1 where connection_id = $1 and day = $2 and count > 0', values: [send.connectionId, send.day] });
}

/** Today's count of a connection in its workspace's time zone (0 without a row). */
export async function sendsToday(pool: pg.Pool, connectionId: string, workspaceId: string): Promise<{ today: number; day: string }> {
  const { rows } = await pool.query(
    `with z as (select coalesce((select settings->>'timeZone' from workspaces where id = $2), 'UTC') as tz),
       d as (select (now() at time zone z.tz)::date as day from z)
     select d.day::text as day, coalesce((select count from send_counts where connection_id = $1 and day = d.day), 0) as today from d`,
    [connectionId, workspaceId],
  );
  const row = rows[0] as { day: string; today: number };
  return { today: Number(row.today), day: row.day };
}
