// Turn-taking between the two runs of `--history`: each run's stages happen in one agreed order, one run at a time,
// so that neither loads the machine while the other measures, and phase b can alternate between them.

/** A stage of a run that waits for its turn. */
export type Stage = 'setup' | 'load' | 'rate' | 'rest';

export interface Turn {
  side: string;
  stage: Stage;
}

/**
 * The turns in order. A side holds the machine from the moment its `at()` returns until its next `at()` (or
 * `done()`); the next turn starts only then. `fail()` wakes every waiter with the error, so a run that throws does
 * not leave the other one waiting forever.
 */
export class Turns {
  private index = 0;
  private holder: string | null = null;
  private failure: Error | null = null;
  private waiters: Array<() => void> = [];
  private order: Turn[];

  constructor(order: readonly Turn[]) {
    this.order = [...order];
  }

  /** Ends `side`'s current turn (if it holds one) and waits for its turn at `stage`. */
  async at(side: string, stage: Stage): Promise<void> {
    this.release(side);
    for (;;) {
      if (this.failure) throw this.failure;
      // Looked up again after every wake-up: a side that is done takes its turns out of the order.
      const mine = this.order.findIndex((t, k) => k >= this.index && t.side === side);
      const want = this.order[mine];
      if (!want || want.stage !== stage) throw new Error(`turns: ${side} asked for ${stage}, but its next turn is ${want ? want.stage : 'none'}`);
      if (mine === this.index && this.holder === null) break;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.holder = side;
  }

  /** `side` is finished: its turn (if it holds one) ends, and so do all its turns still to come. */
  done(side: string): void {
    this.release(side);
    const rest = this.order.slice(this.index).filter((t) => t.side !== side);
    this.order = [...this.order.slice(0, this.index), ...rest];
    this.wake();
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  private release(side: string): void {
    if (this.holder !== side) return;
    this.holder = null;
    this.index++;
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}

/**
 * The order of `--history`: the run with history writes it first; the empty run sets up and does phases a and c,
 * then the run with history does them; phase b alternates, `rounds` times each, the empty run first; then each does
 * the rest (the timed queries, the PostgreSQL limit and the ceiling), the empty run first.
 */
export function historyTurns(empty: string, filled: string, rounds: number): Turn[] {
  const rate: Turn[] = [];
  for (let k = 0; k < rounds; k++) rate.push({ side: empty, stage: 'rate' }, { side: filled, stage: 'rate' });
  return [
    { side: filled, stage: 'setup' },
    { side: empty, stage: 'setup' },
    { side: empty, stage: 'load' },
    { side: filled, stage: 'load' },
    ...rate,
    { side: empty, stage: 'rest' },
    { side: filled, stage: 'rest' },
  ];
}
