// The embedded PostgreSQL against a real cluster in a temp data folder: its generated password, its socket-only listening.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { sharedBuffersMb, startEmbeddedPostgres } from '@bundles/server';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A fresh data folder, removed after the test. */
function dataFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundles-pg-'));
  fs.chmodSync(dir, 0o755); // as root, PostgreSQL runs as its own user, which must enter folders made inside it
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts the embedded PostgreSQL; stopped after the test unless the test stops it first. */
async function startIn(dataDir: string, options: Parameters<typeof startEmbeddedPostgres>[2] = {}) {
  const db = await startEmbeddedPostgres(dataDir, quiet, options);
  let stopped = false;
  const stop = async () => {
    if (!stopped) await db.stop();
    stopped = true;
  };
  cleanups.push(stop);
  return { ...db, stop };
}

async function query(connectionString: string, sql: string) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** The same URL with another password. */
function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

const passwordFile = (dataDir: string) => path.join(dataDir, 'pg-password');
const savedPassword = (dataDir: string) => fs.readFileSync(passwordFile(dataDir), 'utf8').trim();
const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

/** Simulates a cluster initialised before pg-password existed: the role has the old default password. */
async function makeLegacy(dataDir: string): Promise<void> {
  const db = await startEmbeddedPostgres(dataDir, quiet);
  await query(db.url, `alter role bundles password 'bundles'`);
  await db.stop();
  fs.rmSync(passwordFile(dataDir));
}

describe('sharedBuffersMb', () => {
  const gb = 2 ** 30;
  it('takes a quarter of the memory, the cgroup limit when lower, between 128 MB and 2 GB', () => {
    expect(sharedBuffersMb(4 * gb, 0)).toBe(1024);
    expect(sharedBuffersMb(64 * gb, 0)).toBe(2048);
    expect(sharedBuffersMb(64 * gb, 2 * gb)).toBe(512);
    expect(sharedBuffersMb(64 * gb, 128 * gb)).toBe(2048);
    expect(sharedBuffersMb(gb / 4, 0)).toBe(128);
  });
});

describe('the embedded PostgreSQL', () => {
  it('is initialised with a generated password kept in pg-password (0600); the old default is refused', async () => {
    const dataDir = dataFolder();
    const db = await startIn(dataDir, { tcp: true });
    expect(modeOf(passwordFile(dataDir))).toBe(0o600);
    const password = savedPassword(dataDir);
    expect(password).not.toBe('bundles');
    expect(Buffer.from(password, 'base64url').length).toBeGreaterThanOrEqual(24);
    expect(decodeURIComponent(new URL(db.url).password)).toBe(password);

    expect(await query(db.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    expect(await query(db.tcpUrl!, 'select 1 as one')).toEqual([{ one: 1 }]);
    await expect(query(withPassword(db.url, 'bundles'), 'select 1')).rejects.toMatchObject({ code: '28P01' });
    await expect(query(withPassword(db.tcpUrl!, 'bundles'), 'select 1')).rejects.toMatchObject({ code: '28P01' });
  });

  it('replaces the old default password of a cluster initialised by an older version', async () => {
    const dataDir = dataFolder();
    await makeLegacy(dataDir);

    const db = await startIn(dataDir);
    expect(modeOf(passwordFile(dataDir))).toBe(0o600);
    expect(fs.existsSync(path.join(dataDir, 'pg-password.new'))).toBe(false);
    const password = savedPassword(dataDir);
    expect(password).not.toBe('bundles');
    expect(await query(db.url, 'select current_user as u')).toEqual([{ u: 'bundles' }]);
    await expect(query(withPassword(db.url, 'bundles'), 'select 1')).rejects.toMatchObject({ code: '28P01' });
    await db.stop();

    // The next start reads the file: same password, still accepted.
    const again = await startIn(dataDir);
    expect(savedPassword(dataDir)).toBe(password);
    expect(await query(again.url, 'select 1 as one')).toEqual([{ one: 1 }]);
  }, 120_000);

  it('finishes a replacement interrupted before or after ALTER ROLE, with the password in pg-password.new', async () => {
    const dataDir = dataFolder();
    await makeLegacy(dataDir);
    const pending = path.join(dataDir, 'pg-password.new');
    const next = 'pending-password-from-a-crashed-start';

    // Crashed before ALTER ROLE: the role still has the default password.
    fs.writeFileSync(pending, `${next}\n`, { mode: 0o600 });
    const db = await startIn(dataDir);
    expect(savedPassword(dataDir)).toBe(next);
    expect(fs.existsSync(pending)).toBe(false);
    expect(await query(db.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    await expect(query(withPassword(db.url, 'bundles'), 'select 1')).rejects.toMatchObject({ code: '28P01' });

    // Crashed after ALTER ROLE: the role already has the pending password.
    fs.renameSync(passwordFile(dataDir), pending);
    await db.stop();
    const again = await startIn(dataDir);
    expect(savedPassword(dataDir)).toBe(next);
    expect(fs.existsSync(pending)).toBe(false);
    expect(await query(again.url, 'select 1 as one')).toEqual([{ one: 1 }]);
  }, 120_000);

  it('without the tcp option listens only on its socket, in a folder only its user may enter', async () => {
    const dataDir = dataFolder();
    const db = await startIn(dataDir);
    expect(db.tcpUrl).toBeNull();
    const url = new URL(db.url);
    const socketDir = url.searchParams.get('host')!;
    const port = Number(url.port);
    expect(socketDir).toBe(path.join(dataDir, 'pg'));
    expect(fs.existsSync(path.join(socketDir, `.s.PGSQL.${port}`))).toBe(true);
    expect(modeOf(socketDir)).toBe(0o700);
    const postgresUid = process.getuid!() === 0 ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })) : process.getuid!();
    expect(fs.statSync(socketDir).uid).toBe(postgresUid);

    expect(await query(db.url, 'show listen_addresses')).toEqual([{ listen_addresses: '' }]);
    // Its buffers are sized to this machine, not a fixed 256 MB.
    const mb = sharedBuffersMb();
    expect(await query(db.url, 'show shared_buffers')).toEqual([{ shared_buffers: mb % 1024 === 0 ? `${mb / 1024}GB` : `${mb}MB` }]);
    const refused = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve('connected');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? String(err)));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('falls back to TCP on 127.0.0.1 when the data folder is too deep for a socket path', async () => {
    const dataDir = path.join(dataFolder(), 'a-folder-name-long-enough'.repeat(4));
    const db = await startIn(dataDir);
    expect(db.tcpUrl).not.toBeNull();
    expect(db.url).toBe(db.tcpUrl);
    expect(new URL(db.url).hostname).toBe('127.0.0.1');
    expect(await query(db.url, 'show unix_socket_directories')).toEqual([{ unix_socket_directories: '' }]);
  });
});
