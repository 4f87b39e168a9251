// A rate limiter shared by all processes: one counter row per key and second in PostgreSQL.
import type pg from 'pg';
import type { RateLimiter } from '@bundles/nodes';

export function createPgRateLimiter(pool: pg.Pool): RateLimiter {
  return {
    async acquire(key, perSecond) {
      for (;;) {
        const { rows } = await pool.query({
          name: 'rate_limit_take',
          text: `insert into rate_limit_windows as w (key, "window", count)
                 values ($1, floor(extract(epoch from clock_timestamp()))::bigint, 1)
                 on conflict (key, "window") do update set count = w.count + 1
                 returning count, (extract(epoch from clock_timestamp()) * 1000)::bigint % 1000 as ms`,
          values: [key],
        });
        const row = rows[0] as { count: number; ms: number };
        if (row.count <= perSecond) return;
        await new Promise((r) => setTimeout(r, 1000 - row.ms + 5));
      }
    },
  };
}
