// Sign-in throttling, shared by every process: failed sign-ins are counted per account and per client
// address in a fixed window; past the limit a sign-in is refused (429, Retry-After) before any password
// is checked. A success clears the account's count.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/index.js';
import { AppError } from './errors.js';

export const THROTTLE_WINDOW_SECONDS = 15 * 60;
/** Failed sign-ins one account may take in a window (whoever tries). */
export const ACCOUNT_LIMIT = 10;
/** Failed sign-ins one client address may make in a window (over any accounts). */
export const ADDRESS_LIMIT = 30;

/**
 * The throttle's keys. `prefix` keeps another kind of attempt apart from sign-ins (`invite:` for invitation
 * acceptance: its account is the invitation), each with the same limits.
 */
const keysOf = (email: string, address: string, prefix = '') => ({
  account: `${prefix}account:${email.trim().toLowerCase()}`,
  address: `${prefix}address:${address}`,
});

/** Refuses with 429 when the account or the address is over its limit in the current window. */
export async function checkLoginAllowed(db: Db, email: string, address: string, prefix = ''): Promise<void> {
  const keys = keysOf(email, address, prefix);
  const { rows } = await db.execute(sql`
    select key, failures, ceil(extract(epoch from (window_start + make_interval(secs => ${THROTTLE_WINDOW_SECONDS}) - now())))::int as retry_after
    from login_throttle
    where key in (${keys.account}, ${keys.address}) and window_start > now() - make_interval(secs => ${THROTTLE_WINDOW_SECONDS})`);
  for (const r of rows as Array<{ key: string; failures: number; retry_after: number }>) {
    const limit = r.key === keys.account ? ACCOUNT_LIMIT : ADDRESS_LIMIT;
    if (r.failures >= limit) {
      const retryAfter = Math.max(1, r.retry_after);
      const who = r.key === keys.account ? 'this account' : 'this address';
      throw new AppError(429, 'too_many_attempts', `Too many failed sign-ins for ${who}: try again in ${Math.ceil(retryAfter / 60)} minutes.`, { retryAfter });
    }
  }
}

/** Counts a failed sign-in against the account and the address (a window that ended starts again). */
export async function recordLoginFailure(db: Db, email: string, address: string, prefix = ''): Promise<void> {
  const keys = keysOf(email, address, prefix);
  await db.execute(sql`
    insert into login_throttle as t (key, window_start, failures)
    values (${keys.account}, now(), 1), (${keys.address}, now(), 1)
    on conflict (key) do update set
      failures = case when t.window_start <= now() - make_interval(secs => ${THROTTLE_WINDOW_SECONDS}) then 1 else t.failures + 1 end,
      window_start = case when t.window_start <= now() - make_interval(secs => ${THROTTLE_WINDOW_SECONDS}) then now() else t.window_start end`);
}

export async function clearLoginFailures(db: Db, email: string, prefix = ''): Promise<void> {
  await db.execute(sql`delete from login_throttle where key = ${keysOf(email, '', prefix).account}`);
}
