// Group commit for the hot path: items that arrive while a statement is in flight wait and go in
// the next one, so under load many webhooks (or run writes) share one statement and one commit,
// and an idle system still sends each item at once (no timer, no added latency).
import type pg from 'pg';

/** A turn on what a statement runs on (a pooled connection); `done` gives it back, with the statement's error if any. */
export interface Turn<C> {
  on: C;
  done(err?: unknown): void;
}

export interface BatcherOptions<T, C> {
  /** Statements in flight at once; more items wait for the next free slot. */
  maxInFlight: number;
  /** Items per statement at most. */
  maxBatch: number;
  /** Whether `item` may join a batch that already holds `batch` (e.g. no two items with one key). */
  fits?(batch: readonly T[], item: T): boolean;
  /**
   * Waits for a turn on what the statement runs on before the batch is formed: writers that share a
   * connection take turns, and the items that arrive while one waits for its turn join its batch.
   */
  turn?(): Promise<Turn<C>>;
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

const noTurn: Turn<undefined> = { on: undefined, done: () => {} };

/**
 * `runBatch` answers each item of a batch, in order. If it throws for a batch of several items,
 * each item is sent again alone, so one bad item fails only its own caller.
 */
export function createBatcher<T, R, C = undefined>(runBatch: (items: T[], on: C) => Promise<R[]>, opts: BatcherOptions<T, C>): Batcher<T, R> {
  let queue: Array<Waiting<T, R>> = [];
  let inFlight = 0;
  let idle: Array<() => void> = [];
  const takeTurn = () => (opts.turn ? opts.turn() : Promise.resolve(noTurn as Turn<C>));

  const settle = (batch: Array<Waiting<T, R>>, results: R[]) => batch.forEach((w, i) => w.resolve(results[i]!));

  /** Runs `items` on a turn already taken and gives the turn back, with the statement's error if it failed. */
  async function runOnTurn(turn: Turn<C>, items: T[]): Promise<R[]> {
    try {
      const results = await runBatch(items, turn.on);
      turn.done();
      return results;
    } catch (err) {
      turn.done(err);
      throw err;
    }
  }

  async function send(): Promise<void> {
    let turn = noTurn as Turn<C>;
    // Without a turn to wait for, the batch is formed at once (synchronously, as the slot opens).
    if (opts.turn)
      try {
        turn = await opts.turn();
      } catch (err) {
        // No turn (the database refuses connections): the items waiting now hear why.
        for (const w of take()) w.reject(err);
        return;
      }
    const batch = take();
    if (batch.length === 0) return turn.done();
    try {
      settle(batch, await runOnTurn(turn, batch.map((w) => w.item)));
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err);
      // One after another, inside this batch's slot, each on a turn of its own: a failed batch does not become a
      // burst of statements.
      else
        for (const w of batch) {
          try {
            w.resolve((await runOnTurn(await takeTurn(), [w.item]))[0]!);
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
      inFlight++;
      void send().finally(() => {
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

/** Turns on a pool's connections: a connection taken when one is free, given back (dropped after an error, as pool.query does). */
export function poolTurns(pool: pg.Pool): () => Promise<Turn<pg.PoolClient>> {
  return async () => {
    const client = await pool.connect();
    return { on: client, done: (err) => client.release(err ? (err instanceof Error ? err : true) : undefined) };
  };
}
