// One short-lived PostgreSQL client for the bench's own queries (setup, statistics, the PG limit).
import pg from 'pg';

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
