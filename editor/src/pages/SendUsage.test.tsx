// The connection page's usage of a daily send cap: "today 37 / 500", or that there is no cap.
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/client';
import type { Connection } from '../api/types';
import { SendUsage } from './SendUsage';

const connection = (config: Record<string, unknown>): Connection => ({
  id: '0190e0a0-0000-7000-8000-000000000001',
  provider: 'twilio',
  name: 'Twilio SMS',
  config: { accountSid: 'AC' + 'a'.repeat(32), ...config },
  secretsSet: ['authToken'],
  webhookUrl: 'https://bundles.example.com/hooks/x/y',
  setup: null,
  status: 'ok',
  lastTest: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
});

afterEach(() => vi.restoreAllMocks());

describe('SendUsage', () => {
  it("shows today's sends against the cap, and what happens at the cap", async () => {
    const usage = vi.spyOn(api.connections, 'usage').mockResolvedValue({ today: 37, cap: 500, day: '2026-12-02' });
    render(<SendUsage connection={connection({ dailyCap: 500 })} />);
    expect((await screen.findByTestId('send-usage-figure')).textContent).toBe('today 37 / 500');
    expect(screen.getByTestId('send-usage').textContent).toMatch(/2026-12-02.*sends wait until the next day/);
    expect(usage).toHaveBeenCalledWith('0190e0a0-0000-7000-8000-000000000001');
  });

  it('marks a cap reached, with sends failing when the connection says so', async () => {
    vi.spyOn(api.connections, 'usage').mockResolvedValue({ today: 3, cap: 3, day: '2026-12-02' });
    render(<SendUsage connection={connection({ dailyCap: 3, atCap: 'fail' })} />);
    const figure = await screen.findByTestId('send-usage-figure');
    expect(figure.textContent).toBe('today 3 / 3');
    expect(figure.className).toBe('text-error');
    expect(screen.getByTestId('send-usage').textContent).toMatch(/daily_cap_reached/);
  });

  it('says there is no cap and how to set one', async () => {
    vi.spyOn(api.connections, 'usage').mockResolvedValue({ today: 0, cap: null, day: '2026-12-02' });
    render(<SendUsage connection={connection({})} />);
    expect((await screen.findByTestId('send-usage-none')).textContent).toMatch(/No daily cap.*Edit the connection/);
    expect(screen.queryByTestId('send-usage-figure')).toBeNull();
  });
});
