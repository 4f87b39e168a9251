// Runs core.code's JavaScript in QuickJS (WebAssembly) in worker threads (sandbox-worker.mjs): the script has
// no I/O, its own memory and a deadline, and a runaway one never blocks this event loop. Workers start on
// first use and never keep the process alive; one that does not answer in time is terminated and replaced.
import { Worker } from 'node:worker_threads';

export interface SandboxCall {
  /** A function body over `input`; its `return` value is the result. */
  code: string;
  /** JSON-like values, passed in as `input`. */
  input: unknown;
  timeoutMs: number;
  memoryMb: number;
}

export type SandboxErrorCode = 'code_error' | 'code_timeout' | 'code_memory' | 'code_output';

export type SandboxAnswer =
  | { ok: true; result: unknown; logs: string[] }
  | { ok: false; code: SandboxErrorCode; message: string; logs: string[] };

export interface SandboxOptions {
  /** The worker script (default sandbox-worker.mjs; tests give one that hangs). */
  workerUrl?: URL;
  /** Workers at most: calls beyond them wait their turn (a call's time limit counts from its start, not its wait). */
  maxWorkers?: number;
  /** How much longer than its limit a call may take before its worker is presumed stuck (the engine checks the deadline itself). */
  graceMs?: number;
  /** A worker that has not loaded the engine by then is given up (the calls waiting for it fail). */
  startupMs?: number;
}

interface Task {
  call: SandboxCall;
  resolve(answer: SandboxAnswer): void;
  reject(err: Error): void;
}

/** What sandbox-worker.mjs posts: that it is ready, or a call's answer (the result as JSON text). */
interface WorkerMessage {
  ready?: true;
  id?: number;
  ok?: boolean;
  result?: string;
  code?: SandboxErrorCode;
  message?: string;
  logs?: string[];
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task: { id: number; task: Task; timer: NodeJS.Timeout } | null;
  startTimer: NodeJS.Timeout | null;
}

const timeoutMessage = (ms: number) => `The code was stopped after ${ms} ms, its time limit: look for a loop that never ends, or raise the time limit`;

/** A few sandbox workers, started on first use, and the calls waiting for one. */
export class SandboxPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private readonly workerUrl: URL;
  private readonly maxWorkers: number;
  private readonly graceMs: number;
  private readonly startupMs: number;

  constructor(opts: SandboxOptions = {}) {
    this.workerUrl = opts.workerUrl ?? new URL('./sandbox-worker.mjs', import.meta.url);
    this.maxWorkers = opts.maxWorkers ?? 2;
    this.graceMs = opts.graceMs ?? 2000;
    this.startupMs = opts.startupMs ?? 30_000;
  }

  /** Runs `code` over `input` in a fresh QuickJS runtime; never throws for what the code does, only if no sandbox can start. */
  run(call: SandboxCall): Promise<SandboxAnswer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ call, resolve, reject });
      this.dispatch();
    });
  }

  /** How many workers are alive (started or starting). */
  get workers(): number {
    return this.slots.length;
  }

  /** Ends every worker; calls still running or waiting fail. */
  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    for (const t of this.queue.splice(0)) t.reject(new Error('The code sandbox was closed'));
    await Promise.all(
      slots.map((slot) => {
        this.clearTimers(slot);
        slot.task?.task.reject(new Error('The code sandbox was closed'));
        return slot.worker.terminate();
      }),
    );
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const idle = this.slots.find((s) => s.ready && !s.task);
      if (idle) {
        this.send(idle, this.queue.shift()!);
        continue;
      }
      if (this.slots.length < this.maxWorkers && !this.slots.some((s) => !s.ready)) this.slots.push(this.start());
      return;
    }
  }

  private send(slot: Slot, task: Task): void {
    const id = this.nextId++;
    const { call } = task;
    const timer = setTimeout(() => {
      // The engine missed its own deadline (stuck inside one native operation): the worker goes, and a new one comes.
      this.drop(slot);
      void slot.worker.terminate();
      task.resolve({ ok: false, code: 'code_timeout', message: timeoutMessage(call.timeoutMs), logs: [] });
      this.dispatch();
    }, call.timeoutMs + this.graceMs);
    slot.task = { id, task, timer };
    // Only a worker with a call keeps the process alive.
    slot.worker.ref();
    slot.worker.postMessage({ id, code: call.code, input: JSON.stringify(call.input ?? {}), timeoutMs: call.timeoutMs, memoryMb: call.memoryMb });
  }

  private clearTimers(slot: Slot): void {
    if (slot.task) clearTimeout(slot.task.timer);
    if (slot.startTimer) clearTimeout(slot.startTimer);
    slot.startTimer = null;
  }

  private drop(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    this.clearTimers(slot);
  }

  private start(): Slot {
    const worker = new Worker(this.workerUrl);
    const slot: Slot = { worker, ready: false, task: null, startTimer: null };
    const fail = (err: Error) => {
      if (!this.slots.includes(slot)) return;
      const running = slot.task;
      this.drop(slot);
      slot.task = null;
      running?.task.resolve({ ok: false, code: 'code_error', message: `The sandbox stopped while running the code (${err.message}): try again; if it happens every time, the code is what stops it`, logs: [] });
      // A worker that never started would fail the same way again: the calls waiting for one fail now.
      if (!slot.ready && !this.slots.some((s) => s.ready)) for (const t of this.queue.splice(0)) t.reject(new Error(`The code sandbox could not start: ${err.message}`));
      this.dispatch();
    };
    slot.startTimer = setTimeout(() => {
      fail(new Error(`it did not start within ${this.startupMs / 1000} s`));
      void worker.terminate();
    }, this.startupMs);
    worker.on('message', (msg: WorkerMessage) => {
      if (msg.ready) {
        slot.ready = true;
        this.clearTimers(slot);
        worker.unref();
        this.dispatch();
        return;
      }
      const running = slot.task;
      if (!running || running.id !== msg.id) return;
      clearTimeout(running.timer);
      slot.task = null;
      worker.unref();
      const logs = msg.logs ?? [];
      if (msg.ok) running.task.resolve({ ok: true, result: JSON.parse(msg.result ?? 'null') as unknown, logs });
      else running.task.resolve({ ok: false, code: msg.code ?? 'code_error', message: msg.message ?? 'The code failed', logs });
      this.dispatch();
    });
    worker.on('error', (err) => fail(err));
    worker.on('exit', (code) => fail(new Error(`the sandbox exited with code ${code}`)));
    return slot;
  }
}

let shared: SandboxPool | null = null;

/** Runs a call in the process's sandbox pool (started on first use). */
export function runInSandbox(call: SandboxCall): Promise<SandboxAnswer> {
  shared ??= new SandboxPool();
  return shared.run(call);
}
