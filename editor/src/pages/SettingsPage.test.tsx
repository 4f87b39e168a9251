// The Settings page: the workspace's name and time zone, and the retention: loads them, saves only what changed,
// shows the server's 422 on its field (the API tokens section: ApiTokensSection.test.tsx).
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../api/client';
import type { RetentionSettings } from '../api/types';
import { ToastProvider } from '../components/toast';
import { SessionProvider } from '../lib/session';
import { SettingsPage } from './SettingsPage';

const defaults = { runsDays: 30, messagesDays: 180, deliveriesDays: 14, auditDays: 365 };
const stored: RetentionSettings = { runsDays: 60, messagesDays: 180, deliveriesDays: 14, auditDays: 365, defaults };

const renderPage = () =>
  render(
    <ToastProvider>
      <SettingsPage />
    </ToastProvider>,
  );
const input = (key: string) => screen.getByTestId(`retention-${key}`) as HTMLInputElement;
const save = () => screen.getByTestId('retention-save') as HTMLButtonElement;

const workspace = { id: '0190a3c2-7c4e-7d1a-9f00-5b2d8e1c4a10', name: 'Loja da Ana', timeZone: 'UTC' };

beforeEach(() => {
  vi.spyOn(api.settings, 'workspace').mockResolvedValue(workspace);
  vi.spyOn(api.tokens, 'list').mockResolvedValue([]);
});
afterEach(() => vi.restoreAllMocks());

describe('SettingsPage', () => {
  it('shows the stored days with their defaults, and saves only the field changed', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.settings, 'retention').mockResolvedValue(stored);
    const saveRetention = vi.spyOn(api.settings, 'saveRetention').mockImplementation(async (body) => ({ ...stored, ...body }));
    renderPage();

    expect(screen.getAllByRole('status').map((s) => s.textContent)).toContain('Loading settings…');
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

  it('saves the name and the time zone from one form, sending only what changed, and tells the header the new name', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.settings, 'retention').mockResolvedValue(stored);
    const saveWorkspace = vi.spyOn(api.settings, 'saveWorkspace').mockImplementation(async (body) => ({ ...workspace, ...body, timeZone: body.timeZone === 'america/sao_paulo' ? 'America/Sao_Paulo' : workspace.timeZone }));
    const onWorkspaceRenamed = vi.fn();
    render(
      <ToastProvider>
        <SessionProvider value={{ me: null, onWorkspaceRenamed }}>
          <SettingsPage />
        </SessionProvider>
      </ToastProvider>,
    );
    const name = (await screen.findByTestId('workspace-name')) as HTMLInputElement;
    const zone = screen.getByLabelText('Time zone', { selector: 'input' }) as HTMLInputElement;
    expect(name.value).toBe('Loja da Ana');
    expect(zone.value).toBe('UTC');
    const saveButton = screen.getByTestId('workspace-save') as HTMLButtonElement;
    expect(saveButton.disabled).toBe(true);

    await user.clear(name);
    await user.type(name, '  Loja da Bia ');
    await user.click(saveButton);
    expect(saveWorkspace).toHaveBeenLastCalledWith({ name: 'Loja da Bia' });
    expect(await screen.findByText('Workspace saved')).toBeTruthy();
    expect(onWorkspaceRenamed).toHaveBeenLastCalledWith('Loja da Bia');
    expect(name.value).toBe('Loja da Bia');

    await user.clear(zone);
    await user.type(zone, 'america/sao_paulo');
    await user.click(saveButton);
    expect(saveWorkspace).toHaveBeenLastCalledWith({ timeZone: 'america/sao_paulo' });
    await waitFor(() => expect(zone.value).toBe('America/Sao_Paulo'));
    expect(saveButton.disabled).toBe(true);
  });

  it('asks for a name rather than sending an empty one, and shows the server’s 422 on its field', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.settings, 'retention').mockResolvedValue(stored);
    const saveWorkspace = vi
      .spyOn(api.settings, 'saveWorkspace')
      .mockRejectedValue(
        new ApiError(422, 'invalid_settings', 'Invalid time zone: timeZone must be an IANA time zone name, e.g. America/Sao_Paulo or UTC.', {
          issues: [{ field: 'timeZone', message: 'must be an IANA time zone name, e.g. America/Sao_Paulo or UTC' }],
        }),
      );
    renderPage();
    const name = (await screen.findByTestId('workspace-name')) as HTMLInputElement;
    await user.clear(name);
    await user.click(screen.getByTestId('workspace-save'));
    expect(screen.getByTestId('workspace-name-error').textContent).toBe('Enter a name for the workspace.');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(saveWorkspace).not.toHaveBeenCalled();

    await user.type(name, 'Loja da Ana');
    expect(screen.queryByTestId('workspace-name-error')).toBeNull();
    const zone = screen.getByTestId('settings-time-zone') as HTMLInputElement;
    await user.clear(zone);
    await user.type(zone, 'Mars/Olympus');
    await user.click(screen.getByTestId('workspace-save'));
    expect((await screen.findByTestId('settings-time-zone-error')).textContent).toMatch(/must be an IANA time zone name/);
    expect(saveWorkspace).toHaveBeenCalledWith({ timeZone: 'Mars/Olympus' });
    expect(zone.value).toBe('Mars/Olympus');
    expect(screen.queryByText('Workspace saved')).toBeNull();
  });
});
