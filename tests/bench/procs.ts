// Child processes of the bench (the product's roles, the ceiling server): output to a log file,
// graceful stop with a bounded wait, then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface Child {
  name: string;
  proc: ChildProcess;
  logFile: string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  isRunning(): boolean;
  /** SIGTERM, wait up to `graceMs`, then SIGKILL. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines of its log, for error messages. */
  tail(lines?: number): string;
}

/** Runs `node [nodeArgs] --import tsx script args` from `cwd`. */
export function spawnTs(opts: { name: string; script: string; args?: string[]; cwd: string; env: NodeJS.ProcessEnv; logFile: string; nodeArgs?: string[]; onStdout?: (line: string) => void }): Child {
  const log = fs.openSync(opts.logFile, 'w');
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', opts.script, ...(opts.args ?? [])], {
    cwd: opts.cwd,
    env: opts.env,
    stdio: ['ignore', opts.onStdout ? 'pipe' : log, log],
  });
  if (opts.onStdout && proc.stdout) {
    let buf = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      fs.writeSync(log, chunk);
      buf += chunk.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        opts.onStdout!(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
  }
  let running = true;
  const exited = new Promise<number | string>((resolve) => {
    proc.on('exit', (code, signal) => {
      running = false;
      resolve(code ?? signal ?? 'unknown');
    });
    proc.on('error', () => {
      running = false;
      resolve('spawn error');
    });
  });
  void exited.then(() => fs.closeSync(log));
  return {
    name: opts.name,
    proc,
    logFile: opts.logFile,
    exited,
    isRunning: () => running,
    async stop(graceMs = 15_000) {
      if (!running) return;
      proc.kill('SIGTERM');
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
      if ((await Promise.race([exited, timer])) === 'timeout' && running) {
        proc.kill('SIGKILL');
        await exited;
      }
    },
    tail(lines = 20) {
      try {
        return fs.readFileSync(opts.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
  };
}

export { freePort } from '../support/net.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it returns a value other than null/undefined/false, or `timeoutMs` passed. */
export async function poll<T>(what: string, timeoutMs: number, check: () => Promise<T | null | undefined | false>, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== null && v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}
