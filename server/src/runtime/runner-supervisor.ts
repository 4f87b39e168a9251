// graphile-worker's runner stops for good when the database goes away (a fetch or a completion that
// fails its retries shuts its pool down). The supervisor starts it again with backoff, reports its
// state for /healthz, and gives up (so that the process exits non-zero) only after `giveUpMs` of failing.
import type { Runner } from 'graphile-worker';
import type { Logger } from '@bundles/nodes';

export interface SupervisorOptions {
  start(): Promise<Runner>;
  log: Logger;
  /** How long the runner may stay down before the supervisor gives up; Infinity = never. */
  giveUpMs: number;
  onGiveUp(err: Error): void;
  /** First restart delay; it doubles up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface RunnerSupervisor {
  /** 'ok', or what is wrong. */
  health(): string;
  /** The runner now running (null while it restarts). */
  current(): Runner | null;
  /** Milliseconds since the current runner started (0 while none runs). */
  upFor(): number;
  /** Stops the current runner (forcefully if it does not stop within a few seconds) and starts a new one. */
  restart(reason: string): Promise<void>;
  stop(): Promise<void>;
}

const stopWithinMs = 5_000;

/** Stops a runner gracefully, or kills it when that takes longer than a few seconds (a stuck pool). */
async function stopRunner(r: Runner): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([
    r.stop().then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), stopWithinMs))),
  ]);
  clearTimeout(timer);
  if (!stopped) await r.kill().catch(() => {});
}

export async function superviseRunner(opts: SupervisorOptions): Promise<RunnerSupervisor> {
  const minDelay = opts.minDelayMs ?? 500;
  const maxDelay = opts.maxDelayMs ?? 30_000;
  let runner: Runner | null = null;
  let startedAt = 0;
  let stopping = false;
  let attempts = 0;
  let downSince: number | null = null;
  let lastError: Error | null = null;
  let timer: NodeJS.Timeout | null = null;

  const watch = (r: Runner) => {
    r.promise.then(
      () => runner === r && down(new Error('the job runner stopped')),
      (err: unknown) => runner === r && down(err instanceof Error ? err : new Error(String(err))),
    );
  };

  const down = (err: Error) => {
    if (stopping) return;
    runner = null;
    lastError = err;
    downSince ??= Date.now();
    if (Date.now() - downSince >= opts.giveUpMs) {
      opts.log.error({ err: err.message, downForMs: Date.now() - downSince }, 'the job runner cannot be started again: giving up');
      opts.onGiveUp(err);
      return;
    }
    const delay = Math.min(maxDelay, minDelay * 2 ** Math.min(attempts, 16));
    attempts++;
    opts.log.warn({ err: err.message, attempt: attempts, delayMs: delay }, 'the job runner stopped; starting it again');
    timer = setTimeout(() => void launch(), delay);
  };

  const launch = async () => {
    timer = null;
    if (stopping) return;
    try {
      const r = await opts.start();
      if (stopping) {
        await r.stop().catch(() => {});
        return;
      }
      runner = r;
      startedAt = Date.now();
      if (attempts > 0) opts.log.warn({ attempts }, 'the job runner is running again');
      attempts = 0;
      downSince = null;
      lastError = null;
      watch(r);
    } catch (err) {
      down(err instanceof Error ? err : new Error(String(err)));
    }
  };

  // The first start fails loudly to the caller (a process that cannot start its worker does not start).
  runner = await opts.start();
  startedAt = Date.now();
  watch(runner);

  return {
    health: () => (runner ? 'ok' : `restarting (attempt ${attempts}): ${lastError?.message ?? 'not running'}`),
    current: () => runner,
    upFor: () => (runner ? Date.now() - startedAt : 0),
    async restart(reason) {
      const r = runner;
      if (!r || stopping) return;
      opts.log.warn({ reason }, 'starting the job runner again');
      runner = null;
      lastError = new Error(reason);
      await stopRunner(r);
      await launch();
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      const r = runner;
      runner = null;
      if (r) await stopRunner(r);
    },
  };
}
