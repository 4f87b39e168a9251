// The connection form of a messaging provider edits its daily send cap: set, and taken off again.
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/client';
import type { Connection } from '../api/types';
import { fixtureProviders } from '../test-fixtures';
import { ConnectionForm } from './ConnectionForm';

const twilio = fixtureProviders.find((p) => p.id === 'twilio')!;
const stored: Connection = {
  id: '0190e0a0-0000-7000-8000-000000000001',
  provider: 'twilio',
  name: 'Twilio SMS',
  config: { accountSid: 'AC' + 'a'.repeat(32), dailyCap: 500, atCap: 'fail' },
  secretsSet: ['authToken'],
  webhookUrl: null,
  setup: null,
  status: 'ok',
  lastTest: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
};

afterEach(() => vi.restoreAllMocks());

describe('ConnectionForm and the daily send cap', () => {
  it('shows the cap fields of a messaging provider and sends a changed cap', async () => {
    const user = userEvent.setup();
    const update = vi.spyOn(api.connections, 'update').mockImplementation(async (_id, body) => ({ ...stored, config: body.config ?? {} }));
    render(<ConnectionForm provider={twilio} connection={stored} onSaved={() => undefined} />);
    const cap = screen.getByTestId('field-dailyCap') as HTMLInputElement;
    expect(cap.value).toBe('500');
    expect((screen.getByTestId('field-atCap') as HTMLSelectElement).selectedOptions[0]?.textContent).toBe('fail');
    await user.clear(cap);
    await user.type(cap, '37');
    await user.click(screen.getByTestId('connection-save'));
    expect(update).toHaveBeenCalledWith(stored.id, { name: 'Twilio SMS', config: { accountSid: stored.config.accountSid, dailyCap: 37, atCap: 'fail' } });
  });

  it('takes the cap off when its field is emptied (null clears it on the server)', async () => {
    const user = userEvent.setup();
    const update = vi.spyOn(api.connections, 'update').mockImplementation(async () => stored);
    render(<ConnectionForm provider={twilio} connection={stored} onSaved={() => undefined} />);
    await user.clear(screen.getByTestId('field-dailyCap'));
    await user.click(screen.getByTestId('connection-save'));
    expect(update.mock.calls[0]![1].config).toEqual({ accountSid: stored.config.accountSid, atCap: 'fail', dailyCap: null });
  });
});
