// Group commit for the hot path: items that arrive while a statement is in flight wait and go in
// the next one, so under load many webhooks (or run writes) share one statement and one commit,
// and an idle system still sends each item at once (no timer, no added latency).

export interface BatcherOptions<T> {
  /** Statements in flight at once; more items wait for the next free slot. */
  maxInFlight: number;
  /** Items per statement at most. */
  maxBatch: number;
  /** Whether `item` may join a batch that already holds `batch` (e.g. no two items with one key). */
  fits?(batch: readonly T[], item: T): boolean;
}

interface Waiting<T, R> {
  item: T;
  resolve(result: R): void;
  reject(err: unknown): void;
}

export interface Batcher<T, R> {
  submit(item: T): Promise<R>;
  /** Resolves when every submitted item has been answered. */
  drain(): Promise<void>;
}

/**
 * `runBatch` answers each item of a batch, in order. If it throws for a batch of several items,
 * each item is sent again alone, so one bad item fails only its own caller.
 */
export function createBatcher<T, R>(runBatch: (items: T[]) => Promise<R[]>, opts: BatcherOptions<T>): Batcher<T, R> {
  let queue: Array<Waiting<T, R>> = [];
  let inFlight = 0;
  let idle: Array<() => void> = [];

  const settle = (batch: Array<Waiting<T, R>>, results: R[]) => batch.forEach((w, i) => w.resolve(results[i]!));

  async function send(batch: Array<Waiting<T, R>>): Promise<void> {
    try {
      settle(batch, await runBatch(batch.map((w) => w.item)));
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err);
      // One after another, inside this batch's slot: a failed batch does not become a burst of statements.
      else
        for (const w of batch) {
          try {
            w.resolve((await runBatch([w.item]))[0]!);
          } catch (e) {
            w.reject(e);
          }
        }
    }
  }

  function take(): Array<Waiting<T, R>> {
    const batch: Array<Waiting<T, R>> = [];
    const items: T[] = [];
    const rest: Array<Waiting<T, R>> = [];
    for (const w of queue) {
      if (batch.length === 0 || (batch.length < opts.maxBatch && (!opts.fits || opts.fits(items, w.item)))) {
        batch.push(w);
        items.push(w.item);
      } else rest.push(w);
    }
    queue = rest;
    return batch;
  }

  function pump(): void {
    while (inFlight < opts.maxInFlight && queue.length > 0) {
      const batch = take();
      inFlight++;
      void send(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
    if (inFlight === 0 && queue.length === 0 && idle.length > 0) {
      const waiters = idle;
      idle = [];
      for (const w of waiters) w();
    }
  }

  return {
    submit(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        pump();
      });
    },
    drain() {
      if (inFlight === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
