// ConnectionLedger kept in PostgreSQL: one row per (connection, key), claimed before a call and completed after.
import type pg from 'pg';
import type { ConnectionLedger } from '@bundles/nodes';

const claimSql = `
with ins as (
  insert into connection_ledger (connection_id, key, owner) values ($1, $2, $3)
  on conflict (connection_id, key) do nothing
  returning 1
)
select exists (select 1 from ins) as inserted, l.owner, l.done, l.value
from (select 1) one left join connection_ledger l on l.connection_id = $1 and l.key = $2`;

const completeSql = `
insert into connection_ledger (connection_id, key, owner, done, value, completed_at) values ($1, $2, $3, true, $4, now())
on conflict (connection_id, key) do update set done = true, value = excluded.value, completed_at = now()`;

const releaseSql = `delete from connection_ledger where connection_id = $1 and key = $2 and owner = $3 and not done`;
const getSql = `select value from connection_ledger where connection_id = $1 and key = $2 and done`;

/** Keys are the provider's own (e.g. `purchase:<externalId>`); bounded so a hostile value cannot bloat the index. */
function checkKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > 500) throw new Error('a ledger key is 1 to 500 characters');
  return key;
}

/** The ledger of one connection, for one owner (a step's `runId:nodeId`, or an export). */
export function connectionLedger(pool: pg.Pool, connectionId: string | null, defaultOwner: string): ConnectionLedger {
  return new PgLedger(pool, connectionId, defaultOwner);
}

/** A class: a step's ledger is made for every step, and its methods are shared, not closures made per step. */
class PgLedger implements ConnectionLedger {
  constructor(
    private readonly pool: pg.Pool,
    private readonly connectionId: string | null,
    private readonly defaultOwner: string,
  ) {}

  private connection(): string {
    if (!this.connectionId) throw new Error('this step has no connection, so it has no ledger');
    return this.connectionId;
  }

  async claim(key: string, owner = this.defaultOwner): ReturnType<ConnectionLedger['claim']> {
    const id = this.connection();
    // A claim that raced another one's insert sees no row in its own snapshot: the next statement does.
    for (let i = 0; i < 3; i++) {
      const { rows } = await this.pool.query<{ inserted: boolean; owner: string | null; done: boolean | null; value: unknown }>(claimSql, [id, checkKey(key), owner]);
      const row = rows[0]!;
      if (row.inserted) return { state: 'claimed' };
      if (row.owner === null) continue;
      if (row.done) return { state: 'done', value: row.value };
      return row.owner === owner ? { state: 'claimed' } : { state: 'held', owner: row.owner };
    }
    throw new Error(`the ledger key ${key} could not be claimed`);
  }

  async complete(key: string, value: unknown): Promise<void> {
    await this.pool.query(completeSql, [this.connection(), checkKey(key), this.defaultOwner, JSON.stringify(value ?? null)]);
  }

  async release(key: string, owner = this.defaultOwner): Promise<void> {
    await this.pool.query(releaseSql, [this.connection(), checkKey(key), owner]);
  }

  async get(key: string): Promise<{ value: unknown } | null> {
    const { rows } = await this.pool.query<{ value: unknown }>(getSql, [this.connection(), checkKey(key)]);
    return rows[0] ? { value: rows[0].value } : null;
  }
}
