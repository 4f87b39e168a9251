import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/client';
import type { RunDetail } from '../api/types';
import { isRunSettled } from './runStatus';

export const RUN_POLL_MS = 2000;

export interface RunDetailState {
  data: RunDetail | undefined;
  error: unknown;
  /** Loads the run again and polls it until it settles; `fresh` (an answer already at hand) shows at once. */
  refresh: (fresh?: RunDetail) => void;
}

/** One run's detail, polled until it settles; `changeKey` changing (e.g. the newest run's status) loads it again. */
export function useRunDetail(runId: string | null, changeKey?: unknown): RunDetailState {
  const [state, setState] = useState<{ id: string; data?: RunDetail; error?: unknown }>({ id: '' });
  const [nonce, setNonce] = useState(0);

  useEffect(() => {
    if (!runId) return undefined;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const data = await api.runs.get(runId);
        if (!live) return;
        setState({ id: runId, data });
        if (!isRunSettled(data.status)) timer = setTimeout(() => void load(), RUN_POLL_MS);
      } catch (error) {
        if (live) setState({ id: runId, error });
      }
    };
    void load();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [runId, changeKey, nonce]);

  const refresh = useCallback((fresh?: RunDetail) => {
    if (fresh) setState({ id: fresh.id, data: fresh });
    setNonce((n) => n + 1);
  }, []);

  const current = runId !== null && state.id === runId;
  return { data: current ? state.data : undefined, error: current ? state.error : undefined, refresh };
}
