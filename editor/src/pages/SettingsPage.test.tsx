// The Settings page: loads the retention, saves only what changed, shows the server's 422 on its field.
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../api/client';
import type { RetentionSettings } from '../api/types';
import { ToastProvider } from '../components/toast';
import { SettingsPage } from './SettingsPage';

const defaults = { runsDays: 30, messagesDays: 180, deliveriesDays: 14 };
const stored: RetentionSettings = { runsDays: 60, messagesDays: 180, deliveriesDays: 14, defaults };

const renderPage = () =>
  render(
    <ToastProvider>
      <SettingsPage />
    </ToastProvider>,
  );
const input = (key: string) => screen.getByTestId(`retention-${key}`) as HTMLInputElement;
const save = () => screen.getByTestId('retention-save') as HTMLButtonElement;

beforeEach(() => {
  vi.spyOn(api.settings, 'timeZone').mockResolvedValue({ timeZone: 'UTC' });
});
afterEach(() => vi.restoreAllMocks());

describe('SettingsPage', () => {
  it('shows the stored days with their defaults, and saves only the field changed', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.settings, 'retention').mockResolvedValue(stored);
    const saveRetention = vi.spyOn(api.settings, 'saveRetention').mockImplementation(async (body) => ({ ...stored, ...body }));
    renderPage();

    expect(screen.getByRole('status').textContent).toMatch(/Loading settings/);
    expect((await screen.findByTestId('retention-runsDays') as HTMLInputElement).value).toBe('60');
    expect(input('messagesDays').value).toBe('180');
    expect(input('deliveriesDays').value).toBe('14');
    expect(screen.getByLabelText('Runs, events and steps — days')).toBe(input('runsDays'));
    expect(screen.getByText(/Default: 30 days/)).toBeTruthy();
    expect(screen.getByText(/Default: 180 days/)).toBeTruthy();
    expect(screen.getByText(/Default: 14 days/)).toBeTruthy();
    expect(screen.getByTestId('retention-explainer').textContent).toMatch(/removed once a day, counted in whole days.*waiting or uncertain is kept.*until it finishes/);
    expect(save().disabled).toBe(true);

    await user.clear(input('deliveriesDays'));
    await user.type(input('deliveriesDays'), '7');
    expect(save().disabled).toBe(false);
    await user.click(save());

    expect(saveRetention).toHaveBeenCalledWith({ deliveriesDays: 7 });
    expect((await screen.findByText('Settings saved')).className).toMatch(/toast-success/);
    expect(input('deliveriesDays').value).toBe('7');
    expect(save().disabled).toBe(true);
  });

  it('disables Save again when a field is set back to what is stored', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.settings, 'retention').mockResolvedValue(stored);
    renderPage();
    await user.type(await screen.findByTestId('retention-messagesDays'), '0');
    expect(save().disabled).toBe(false);
    await user.type(input('messagesDays'), '{backspace}');
    expect(save().disabled).toBe(true);
  });

  it('shows the server’s 422 message on its field, and nothing saved', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.settings, 'retention').mockResolvedValue(stored);
    const saveRetention = vi.spyOn(api.settings, 'saveRetention').mockRejectedValue(
      new ApiError(422, 'invalid_settings', 'Invalid retention: runsDays must be a whole number of days from 1 to 3650.', {
        issues: [{ field: 'runsDays', message: 'must be a whole number of days from 1 to 3650' }],
      }),
    );
    renderPage();
    await user.clear(await screen.findByTestId('retention-runsDays'));
    await user.type(input('runsDays'), '3651');
    await user.click(save());

    expect(saveRetention).toHaveBeenCalledWith({ runsDays: 3651 });
    expect((await screen.findByTestId('field-error-runsDays')).textContent).toBe('must be a whole number of days from 1 to 3650');
    expect(input('runsDays').getAttribute('aria-invalid')).toBe('true');
    expect(screen.queryByText('Settings saved')).toBeNull();
    expect(screen.queryByTestId('field-error-messagesDays')).toBeNull();
    // Editing the field clears its error.
    await user.type(input('runsDays'), '{backspace}');
    expect(screen.queryByTestId('field-error-runsDays')).toBeNull();
  });

  it('asks for a number rather than sending an empty field', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.settings, 'retention').mockResolvedValue(stored);
    const saveRetention = vi.spyOn(api.settings, 'saveRetention');
    renderPage();
    await user.clear(await screen.findByTestId('retention-runsDays'));
    await user.click(save());
    expect(screen.getByTestId('field-error-runsDays').textContent).toBe('Enter a number of days (the default is 30).');
    expect(saveRetention).not.toHaveBeenCalled();
  });

  it('shows an error with a retry when the settings do not load', async () => {
    const user = userEvent.setup();
    const load = vi.spyOn(api.settings, 'retention').mockRejectedValueOnce(new ApiError(0, 'network_error', 'Cannot reach the Bundles server.')).mockResolvedValue(stored);
    renderPage();
    expect((await screen.findByRole('alert')).textContent).toMatch(/Cannot load the settings.*Cannot reach the Bundles server/);
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(input('runsDays').value).toBe('60'));
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('shows the time zone, saves it as the server spells it, and shows a refused name on the field', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.settings, 'retention').mockResolvedValue(stored);
    vi.spyOn(api.settings, 'timeZone').mockResolvedValue({ timeZone: 'UTC' });
    const saveTimeZone = vi
      .spyOn(api.settings, 'saveTimeZone')
      .mockRejectedValueOnce(
        new ApiError(422, 'invalid_settings', 'Invalid time zone.', { issues: [{ field: 'timeZone', message: 'must be an IANA time zone name, e.g. America/Sao_Paulo or UTC' }] }),
      )
      .mockResolvedValueOnce({ timeZone: 'America/Sao_Paulo' });
    renderPage();
    const zone = (await screen.findByTestId('settings-time-zone')) as HTMLInputElement;
    expect(screen.getByLabelText('Time zone', { selector: 'input' })).toBe(zone);
    expect(zone.value).toBe('UTC');
    const saveZone = screen.getByTestId('time-zone-save') as HTMLButtonElement;
    expect(saveZone.disabled).toBe(true);

    await user.clear(zone);
    await user.type(zone, 'Mars/Olympus');
    await user.click(saveZone);
    expect((await screen.findByTestId('time-zone-error')).textContent).toMatch(/must be an IANA time zone name/);
    expect(zone.value).toBe('Mars/Olympus');

    await user.clear(zone);
    await user.type(zone, 'america/sao_paulo');
    await user.click(saveZone);
    expect(saveTimeZone).toHaveBeenLastCalledWith('america/sao_paulo');
    expect(await screen.findByText('Time zone saved')).toBeTruthy();
    expect(zone.value).toBe('America/Sao_Paulo');
    expect(screen.queryByTestId('time-zone-error')).toBeNull();
    expect(saveZone.disabled).toBe(true);
  });
});
