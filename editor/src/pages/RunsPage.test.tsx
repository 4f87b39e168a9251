// The Runs page: every bundle's runs with true durations, a search by an order id sent to the API, older
// pages by cursor, and the empty state of a search that finds nothing.
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/client';
import type { Flow, Run } from '../api/types';
import { RunsPage } from './RunsPage';

const at = (ms: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, 0, ms)).toISOString();
const run = (id: string, extra: Partial<Run> = {}): Run => ({ id, flowId: 'f1', versionId: 'v1', eventId: 'e1', status: 'succeeded', error: null, createdAt: at(0), startedAt: at(0), finishedAt: at(137), ...extra });
const flow = { id: 'f1', name: 'Pedido pago → SMS' } as Flow;

beforeEach(() => {
  vi.spyOn(api.flows, 'list').mockResolvedValue([flow]);
  vi.spyOn(api.connections, 'list').mockResolvedValue([]);
});
afterEach(() => vi.restoreAllMocks());

describe('RunsPage', () => {
  it('lists runs with their bundle and duration, searches by order id, and loads older pages', async () => {
    const user = userEvent.setup();
    const list = vi.spyOn(api.runs, 'list').mockImplementation(async (p) => {
      if (p.q === '5001') return { items: [run('r-5001')], nextCursor: null };
      if (p.q) return { items: [], nextCursor: null };
      if (p.cursor === 'r2') return { items: [run('r3', { status: 'failed', error: { message: 'HTTP 404' } })], nextCursor: null };
      return { items: [run('r1'), run('r2', { startedAt: null, finishedAt: null, status: 'queued' })], nextCursor: 'r2' };
    });
    render(<RunsPage />);
    await waitFor(() => expect(screen.getAllByTestId('runs-row')).toHaveLength(2));
    const [first, second] = screen.getAllByTestId('runs-row');
    expect(first!.textContent).toMatch(/Pedido pago → SMS.*137 ms/);
    expect(second!.textContent).toMatch(/not started/);
    await user.click(screen.getByTestId('runs-more'));
    await waitFor(() => expect(screen.getAllByTestId('runs-row')).toHaveLength(3));
    expect(screen.getAllByTestId('runs-row')[2]!.textContent).toMatch(/HTTP 404/);
    expect(screen.queryByTestId('runs-more')).toBeNull();

    await user.type(screen.getByTestId('runs-search'), '5001');
    await waitFor(() => expect(list).toHaveBeenCalledWith(expect.objectContaining({ q: '5001' })));
    await waitFor(() => expect(screen.getAllByTestId('runs-row')).toHaveLength(1));
    await user.type(screen.getByTestId('runs-search'), '9');
    expect(await screen.findByText('No run matches')).toBeTruthy();
  });
});
