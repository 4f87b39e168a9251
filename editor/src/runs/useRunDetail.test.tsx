import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/client';
import type { RunDetail } from '../api/types';
import { RUN_POLL_MS, useRunDetail } from './useRunDetail';

const detail = (status: RunDetail['status']): RunDetail => ({
  id: 'run1',
  flowId: 'f1',
  versionId: 'v1',
  eventId: null,
  status,
  error: null,
  createdAt: '2025-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  trigger: null,
  steps: [],
});

/** Lets the pending promise of a load settle, then moves the clock one poll on. */
async function tick(ms = RUN_POLL_MS) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('useRunDetail', () => {
  it('polls a running run and stops once it is uncertain (a person settles it, maybe days later)', async () => {
    const get = vi.spyOn(api.runs, 'get').mockResolvedValueOnce(detail('running')).mockResolvedValue(detail('uncertain'));
    const { result } = renderHook(() => useRunDetail('run1'));
    await tick(0);
    expect(result.current.data?.status).toBe('running');
    await tick();
    expect(result.current.data?.status).toBe('uncertain');
    const calls = get.mock.calls.length;
    await tick(RUN_POLL_MS * 5);
    expect(get.mock.calls.length).toBe(calls);
  });

  it('refresh shows the answer at hand and polls again until the run settles', async () => {
    const get = vi.spyOn(api.runs, 'get').mockResolvedValueOnce(detail('uncertain'));
    const { result } = renderHook(() => useRunDetail('run1'));
    await tick(0);
    expect(result.current.data?.status).toBe('uncertain');

    get.mockResolvedValueOnce(detail('running')).mockResolvedValue(detail('succeeded'));
    act(() => result.current.refresh(detail('queued')));
    expect(result.current.data?.status).toBe('queued');
    await tick(0);
    expect(result.current.data?.status).toBe('running');
    await tick();
    expect(result.current.data?.status).toBe('succeeded');
    const calls = get.mock.calls.length;
    await tick(RUN_POLL_MS * 5);
    expect(get.mock.calls.length).toBe(calls);
  });

  it('answers nothing for another run than the one asked', async () => {
    vi.spyOn(api.runs, 'get').mockResolvedValue(detail('succeeded'));
    const { result, rerender } = renderHook(({ id }: { id: string | null }) => useRunDetail(id), { initialProps: { id: 'run1' as string | null } });
    await tick(0);
    expect(result.current.data?.id).toBe('run1');
    rerender({ id: null });
    expect(result.current.data).toBeUndefined();
  });
});
