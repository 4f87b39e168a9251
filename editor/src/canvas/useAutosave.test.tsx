import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useAutosave } from './useAutosave';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

async function advance(ms: number) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

function setup(save: (json: string) => Promise<void>) {
  return renderHook(({ json }) => useAutosave(json, 'a', save, 800), { initialProps: { json: 'a' } });
}

describe('useAutosave', () => {
  it('saves a moment after the last edit, once for a burst of edits', async () => {
    const save = vi.fn(async () => undefined);
    const h = setup(save);
    expect(h.result.current.state).toBe('saved');
    h.rerender({ json: 'b' });
    expect(h.result.current.state).toBe('pending');
    await advance(500);
    h.rerender({ json: 'c' });
    await advance(500);
    expect(save).not.toHaveBeenCalled();
    await advance(400);
    expect(save.mock.calls).toEqual([['c']]);
    expect(h.result.current.state).toBe('saved');
  });

  it('saves an edit made during a save after it, and says saved only then', async () => {
    let release: () => void = () => undefined;
    const save = vi.fn((json: string) => (json === 'b' ? new Promise<void>((r) => (release = r)) : Promise.resolve()));
    const h = setup(save);
    h.rerender({ json: 'b' });
    await advance(800);
    expect(h.result.current.state).toBe('saving');
    h.rerender({ json: 'c' });
    let flushed: boolean | undefined;
    void act(() => {
      void h.result.current.flush().then((ok) => (flushed = ok));
    });
    await act(async () => {
      release();
      await vi.advanceTimersByTimeAsync(0);
    });
    await advance(0);
    expect(save.mock.calls.map((c) => c[0])).toEqual(['b', 'c']);
    expect(flushed).toBe(true);
    expect(h.result.current.state).toBe('saved');
  });

  it('reports a refused save, does not repeat it by itself, and saves on flush', async () => {
    let fail = true;
    const save = vi.fn(async () => {
      if (fail) throw new Error('offline');
    });
    const h = setup(save);
    h.rerender({ json: 'b' });
    await advance(800);
    expect(h.result.current.state).toBe('error');
    expect((h.result.current.error as Error).message).toBe('offline');
    await advance(10_000);
    expect(save).toHaveBeenCalledTimes(1);
    fail = false;
    let ok: boolean | undefined;
    await act(async () => {
      ok = await h.result.current.flush();
    });
    expect(ok).toBe(true);
    expect(save).toHaveBeenCalledTimes(2);
    expect(h.result.current.state).toBe('saved');
  });

  it('flush answers true at once when nothing is pending; markSaved takes what the server holds', async () => {
    const save = vi.fn(async () => undefined);
    const h = setup(save);
    await act(async () => {
      expect(await h.result.current.flush()).toBe(true);
    });
    act(() => h.result.current.markSaved('r'));
    h.rerender({ json: 'r' });
    await advance(1000);
    expect(save).not.toHaveBeenCalled();
    expect(h.result.current.state).toBe('saved');
  });
});
