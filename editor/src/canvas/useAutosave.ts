// Autosave of the draft: a moment after the last edit the canvas is saved; one save at a time, the latest edit last.
import { useCallback, useEffect, useRef, useState } from 'react';

export type AutosaveState = 'saved' | 'pending' | 'saving' | 'error';

export interface Autosave {
  state: AutosaveState;
  /** The last save's error, shown until a save succeeds. */
  error: unknown;
  /** Saves now what is not saved yet (Ctrl+S, Start, leaving); true once everything is saved. */
  flush(): Promise<boolean>;
  /** What the server now holds (a restore, for example), without saving it again. */
  markSaved(json: string): void;
}

/**
 * `json`: what would be saved now; `save(json)` stores it (throws when refused). Edits during a save are
 * saved after it; a failed save is not repeated by itself until the next edit or flush (no loop on a 4xx).
 */
export function useAutosave(json: string, initialSaved: string, save: (json: string) => Promise<void>, delayMs = 800): Autosave {
  const [saved, setSaved] = useState(initialSaved);
  const [state, setState] = useState<AutosaveState>('saved');
  const [error, setError] = useState<unknown>(undefined);
  const latest = useRef(json);
  latest.current = json;
  const savedRef = useRef(saved);
  const inFlight = useRef<Promise<boolean> | null>(null);
  const saveRef = useRef(save);
  saveRef.current = save;

  const run = useCallback(async (): Promise<boolean> => {
    while (inFlight.current) await inFlight.current;
    if (latest.current === savedRef.current) {
      setState('saved');
      return true;
    }
    const sending = latest.current;
    setState('saving');
    const attempt = (async () => {
      try {
        await saveRef.current(sending);
        savedRef.current = sending;
        setSaved(sending);
        setError(undefined);
        return true;
      } catch (err) {
        setError(err);
        setState('error');
        return false;
      }
    })();
    inFlight.current = attempt;
    const ok = await attempt;
    inFlight.current = null;
    if (!ok) return false;
    // Edited while saving: that edit is saved too, before anyone is told all is saved.
    if (latest.current !== savedRef.current) return run();
    setState('saved');
    return true;
  }, []);

  useEffect(() => {
    if (json === savedRef.current) {
      if (!inFlight.current) setState((s) => (s === 'pending' || s === 'error' ? 'saved' : s));
      return undefined;
    }
    setState((s) => (s === 'saving' ? s : 'pending'));
    const timer = setTimeout(() => void run(), delayMs);
    return () => clearTimeout(timer);
  }, [json, delayMs, run]);

  const markSaved = useCallback((value: string) => {
    savedRef.current = value;
    setSaved(value);
  }, []);

  return { state: saved === json && state !== 'saving' ? 'saved' : state, error, flush: run, markSaved };
}
