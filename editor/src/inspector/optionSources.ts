// The option lists of one config form, loaded once per source and shared by the fields that read them
// (a template picker and the variables of the chosen template).
import { createContext, useContext, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import { errorMessage } from '../api/client';
import type { OptionItem } from '../api/types';

export interface OptionSourceState {
  options: OptionItem[] | null;
  error: string | null;
  loading: boolean;
}

const idle: OptionSourceState = { options: null, error: null, loading: false };

export class OptionStore {
  private states = new Map<string, OptionSourceState>();
  private generation = new Map<string, number>();
  private listeners = new Set<() => void>();
  constructor(private readonly load: (source: string) => Promise<OptionItem[]>) {}

  subscribe = (fn: () => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  get(source: string): OptionSourceState {
    return this.states.get(source) ?? idle;
  }

  /** Loads `source` unless it is loaded or loading. */
  ensure(source: string): void {
    if (!this.states.has(source)) this.reload(source);
  }

  reload(source: string): void {
    const gen = (this.generation.get(source) ?? 0) + 1;
    this.generation.set(source, gen);
    this.set(source, { ...this.get(source), loading: true, error: null });
    this.load(source).then(
      (options) => this.generation.get(source) === gen && this.set(source, { options, error: null, loading: false }),
      (err: unknown) => this.generation.get(source) === gen && this.set(source, { options: null, error: errorMessage(err), loading: false }),
    );
  }

  private set(source: string, state: OptionSourceState): void {
    this.states.set(source, state);
    for (const fn of this.listeners) fn();
  }
}

export const OptionStoreContext = createContext<OptionStore | null>(null);

/** One store per loader and `key` (the loader's identity changes every render; `key` says when its answers would). */
export function useOptionStore(loadOptions: ((source: string) => Promise<OptionItem[]>) | null | undefined, key: string | undefined): OptionStore | null {
  const loaderRef = useRef(loadOptions);
  loaderRef.current = loadOptions;
  const hasLoader = Boolean(loadOptions);
  return useMemo(() => (hasLoader ? new OptionStore((source) => loaderRef.current!(source)) : null), [hasLoader, key]);
}

const noop = () => () => undefined;

/** The state of one source, loaded on first use. */
export function useOptionSource(source: string | undefined): OptionSourceState & { reload: () => void } {
  const store = useContext(OptionStoreContext);
  useEffect(() => {
    if (store && source) store.ensure(source);
  }, [store, source]);
  const state = useSyncExternalStore(store?.subscribe ?? noop, () => (store && source ? store.get(source) : idle));
  return { ...state, reload: () => store && source && store.reload(source) };
}

/** The option that stands for the current value: same value and every field it sets as in `values`. */
export function chosenOption(options: OptionItem[] | null, value: unknown, values: Record<string, unknown>): OptionItem | undefined {
  if (!options || value === undefined || value === null || value === '') return undefined;
  const same = options.filter((o) => o.value === value);
  return same.find((o) => Object.entries(o.sets ?? {}).every(([k, v]) => values[k] === v)) ?? same[0];
}
