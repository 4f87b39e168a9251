// The secret key is checked at start against the check value stored with the data: a process started
// with another key refuses to start (saying what to do) instead of failing every connection later.
import type pg from 'pg';
import { safeEqual } from '@bundles/nodes';
import type { Keyring } from './keyring.js';

export class SecretKeyMismatch extends Error {
  constructor(where: string) {
    super(
      `The secret key (${where}) is not the key this database's connection secrets were encrypted with. ` +
        'Start again with the original key: BUNDLES_SECRET_KEY as it was set before, or the secret.key file of the data folder ' +
        'this database was first used with. If the original key is lost, start once with --forget-secrets: the secrets of every ' +
        'connection are cleared, and each connection asks for them again.',
    );
    this.name = 'SecretKeyMismatch';
  }
}

async function forgetSecrets(pool: pg.Pool, check: string): Promise<void> {
  const lastTest = JSON.stringify({ ok: false, message: 'The secret key changed and the secrets of this connection were cleared: enter them again.', at: new Date().toISOString() });
  await pool.query(`update connections set secrets = null, status = 'broken', last_test = $1::jsonb where secrets is not null`, [lastTest]);
  await pool.query(`insert into instance (id, key_check) values (1, $1) on conflict (id) do update set key_check = excluded.key_check`, [check]);
}

/** Whether stored secrets open with this key (a database from before the check value was kept). */
async function opensStoredSecrets(pool: pg.Pool, keyring: Keyring): Promise<boolean> {
  const { rows } = await pool.query(`select secrets from connections where secrets is not null limit 20`);
  return rows.every((r) => {
    try {
      keyring.decrypt(r.secrets as string);
      return true;
    } catch {
      return false;
    }
  });
}

export async function checkSecretKey(pool: pg.Pool, keyring: Keyring, opts: { where: string; forget: boolean }): Promise<'ok' | 'recorded' | 'forgotten'> {
  const stored = async () => (await pool.query(`select key_check from instance where id = 1`)).rows[0]?.key_check as string | undefined;
  let check = await stored();
  if (check === undefined) {
    if (!(await opensStoredSecrets(pool, keyring))) {
      if (!opts.forget) throw new SecretKeyMismatch(opts.where);
      await forgetSecrets(pool, keyring.check);
      return 'forgotten';
    }
    await pool.query(`insert into instance (id, key_check) values (1, $1) on conflict (id) do nothing`, [keyring.check]);
    // Another process may have recorded its key first.
    check = await stored();
    if (check !== undefined && safeEqual(check, keyring.check)) return 'recorded';
  }
  if (check !== undefined && safeEqual(check, keyring.check)) return 'ok';
  if (!opts.forget) throw new SecretKeyMismatch(opts.where);
  await forgetSecrets(pool, keyring.check);
  return 'forgotten';
}
