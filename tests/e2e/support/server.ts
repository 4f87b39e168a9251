// Starts the real Bundles server as `pnpm start` does, on a free port with a fresh data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './browser.js';

export const editorDist = path.join(repoRoot, 'editor', 'dist');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** The newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** Whether `editor/dist` is missing or older than the sources it is built from (a browser test would test old code). */
function editorStale(): boolean {
  const index = path.join(editorDist, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return ['editor/src', 'shared/src'].some((d) => newest(path.join(repoRoot, d)) > built);
}

const buildLock = path.join(repoRoot, 'editor', '.build-lock');

/**
 * Builds the editor when `editor/dist` is missing or stale (the install step builds it; an edit since would
 * otherwise go untested). Test files run in parallel: one builds under a lock folder, the others wait for it
 * and find the build fresh.
 */
export async function ensureEditorBuilt(): Promise<void> {
  if (!editorStale()) return;
  for (const until = Date.now() + 180_000; ; ) {
    try {
      mkdirSync(buildLock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than any build is left by a killed run.
      if (Date.now() - statSync(buildLock).mtimeMs > 180_000) rmSync(buildLock, { recursive: true, force: true });
      if (Date.now() > until) throw new Error(`the editor build lock ${buildLock} is still held`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (editorStale()) await run('pnpm', ['--filter', '@bundles/editor', 'build']);
  } finally {
    rmSync(buildLock, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

export interface RunningServer {
  url: string;
  dataDir: string;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts `pnpm start` on a fresh data folder, with the test run's PostgreSQL database when given. */
export async function startServer(databaseUrl?: string): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bundles-e2e-'));
  // As root, the embedded PostgreSQL runs as its own user, which must reach the folder mkdtemp made 0700.
  await chmod(dataDir, 0o755);
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn('pnpm', ['start'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', BUNDLES_DATA_DIR: dataDir, BUNDLES_PUBLIC_URL: url, BUNDLES_EDITOR_DIR: editorDist, LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited) throw new Error(`The server exited during start:\n${log.slice(-4000)}`);
    try {
      const res = await fetch(`${url}/api/setup`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`The server did not answer /api/setup within 120 s:\n${log.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }

  return {
    url,
    dataDir,
    output: () => log,
    async stop() {
      if (!exited && child.pid) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        process.kill(-child.pid, 'SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 15_000))]);
        if (!exited) process.kill(-child.pid, 'SIGKILL');
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
