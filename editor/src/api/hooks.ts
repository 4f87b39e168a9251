import { useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
  setData: (updater: T | ((prev: T | undefined) => T)) => void;
}

/**
 * Loads `fn()` when `deps` change; `pollMs` reloads it silently on an interval.
 * Late answers of a superseded call are dropped.
 */
export function useAsync<T>(fn: () => Promise<T>, deps: readonly unknown[], pollMs?: number): AsyncState<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const callId = useRef(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;

  const load = useCallback(async (silent: boolean) => {
    const id = ++callId.current;
    if (!silent) setLoading(true);
    try {
      const value = await fnRef.current();
      if (id !== callId.current) return;
      setDataState(value);
      setError(undefined);
    } catch (err) {
      if (id !== callId.current) return;
      setError(err);
    } finally {
      if (id === callId.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    void load(false);
    if (!pollMs) return undefined;
    const timer = setInterval(() => void load(true), pollMs);
    return () => clearInterval(timer);
  }, [...deps, pollMs]);

  const reload = useCallback(() => load(true), [load]);
  const setData = useCallback((updater: T | ((prev: T | undefined) => T)) => {
    setDataState((prev) => (typeof updater === 'function' ? (updater as (p: T | undefined) => T)(prev) : updater));
  }, []);

  return { data, error, loading, reload, setData };
}
