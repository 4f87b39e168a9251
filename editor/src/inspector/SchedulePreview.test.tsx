import { render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../api/client';
import { formatTick, SchedulePreview } from './SchedulePreview';

const workspace = { id: '0190a3c2-7c4e-7d1a-9f00-5b2d8e1c4a10', name: 'Loja da Ana', timeZone: 'America/Sao_Paulo' };

afterEach(() => vi.restoreAllMocks());

describe('SchedulePreview', () => {
  it('shows the next three runs in the workspace’s time zone, asked once the user stops typing', async () => {
    vi.spyOn(api.settings, 'workspace').mockResolvedValue(workspace);
    const preview = vi.spyOn(api, 'schedulePreview').mockResolvedValue({ next: ['2026-12-02T08:00:00.000Z', '2026-12-03T08:00:00.000Z', '2026-12-04T08:00:00.000Z'] });
    const { rerender } = render(<SchedulePreview cron="0 9 * * 1" timezone="Europe/Berlin" />);
    rerender(<SchedulePreview cron="0 9 * * 1-" timezone="Europe/Berlin" />);
    rerender(<SchedulePreview cron="0 9 * * 1-5" timezone="Europe/Berlin" />);
    await waitFor(() => expect(screen.getByTestId('schedule-preview-ticks')).toBeTruthy());
    expect(preview).toHaveBeenCalledTimes(1);
    expect(preview).toHaveBeenCalledWith({ cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' });
    expect(screen.getByTestId('schedule-preview').textContent).toContain('Next runs (America/Sao_Paulo)');
    // 08:00 UTC is 05:00 in São Paulo.
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['Wed, 2 Dec 2026, 05:00', 'Thu, 3 Dec 2026, 05:00', 'Fri, 4 Dec 2026, 05:00']);
  });

  it('shows why a cron cannot run, unless the field already shows its problem', async () => {
    vi.spyOn(api.settings, 'workspace').mockResolvedValue(workspace);
    vi.spyOn(api, 'schedulePreview').mockRejectedValue(
      new ApiError(422, 'invalid_schedule', 'This schedule cannot run: Constraint error, got value 25 expected range 0-23.', {
        issues: [{ field: 'cron', message: 'Constraint error, got value 25 expected range 0-23' }],
      }),
    );
    const { rerender } = render(<SchedulePreview cron="0 25 * * *" timezone="UTC" />);
    await waitFor(() => expect(screen.getByTestId('schedule-preview').textContent).toBe('Cron: Constraint error, got value 25 expected range 0-23'));
    rerender(<SchedulePreview cron="0 25 * * *" timezone="UTC" invalid />);
    expect(screen.queryByTestId('schedule-preview')).toBeNull();
  });

  it('shows nothing for an empty cron', () => {
    const preview = vi.spyOn(api, 'schedulePreview');
    render(<SchedulePreview cron="" timezone="UTC" />);
    expect(screen.queryByTestId('schedule-preview')).toBeNull();
    expect(preview).not.toHaveBeenCalled();
  });

  it('formats a tick in a zone', () => {
    expect(formatTick('2026-12-02T08:00:00.000Z', 'Asia/Jakarta')).toBe('Wed, 2 Dec 2026, 15:00');
  });
});
