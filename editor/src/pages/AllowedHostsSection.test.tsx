// The private addresses section: the stored list one a line, the operator's shown apart, saving only what
// changed, and each entry the server refuses named under the box.
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../api/client';
import { ToastProvider } from '../components/toast';
import { AllowedHostsSection } from './AllowedHostsSection';

const renderSection = () =>
  render(
    <ToastProvider>
      <AllowedHostsSection />
    </ToastProvider>,
  );

afterEach(() => vi.restoreAllMocks());

describe('AllowedHostsSection', () => {
  it('shows the list and the operator’s, and saves the lines as entries', async () => {
    vi.spyOn(api.settings, 'allowedHosts').mockResolvedValue({ hosts: ['crm.internal'], operator: ['127.0.0.1'] });
    const save = vi.spyOn(api.settings, 'saveAllowedHosts').mockResolvedValue({ hosts: ['crm.internal', '10.0.0.0/8'], operator: ['127.0.0.1'] });
    renderSection();
    const box = (await screen.findByTestId('allowed-hosts-input')) as HTMLTextAreaElement;
    expect(box.value).toBe('crm.internal');
    expect(screen.getByTestId('allowed-hosts-operator').textContent).toContain('127.0.0.1');
    expect((screen.getByTestId('allowed-hosts-save') as HTMLButtonElement).disabled).toBe(true);
    await userEvent.type(box, '\n  10.0.0.0/8  \n');
    await userEvent.click(screen.getByTestId('allowed-hosts-save'));
    await waitFor(() => expect(save).toHaveBeenCalledWith(['crm.internal', '10.0.0.0/8']));
    await waitFor(() => expect(box.value).toBe('crm.internal\n10.0.0.0/8'));
  });

  it('names each refused entry', async () => {
    vi.spyOn(api.settings, 'allowedHosts').mockResolvedValue({ hosts: [], operator: [] });
    vi.spyOn(api.settings, 'saveAllowedHosts').mockRejectedValue(
      new ApiError(422, 'invalid_settings', 'Invalid allowed addresses', { issues: [{ field: 'hosts[0]', message: '"not a host!" is not a host name, an address or a CIDR range' }] }),
    );
    renderSection();
    await userEvent.type(await screen.findByTestId('allowed-hosts-input'), 'not a host!');
    await userEvent.click(screen.getByTestId('allowed-hosts-save'));
    expect((await screen.findByTestId('allowed-hosts-errors')).textContent).toContain('"not a host!" is not a host name');
    expect(screen.getByTestId('allowed-hosts-operator').textContent).toContain('no private address');
  });
});
