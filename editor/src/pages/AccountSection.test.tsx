// The account section (every role): changing the password (the current one refused on its field, a short new
// one caught before sending) and signing out the other sessions after a confirmation.
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Me } from '@bundles/shared';
import { api, ApiError } from '../api/client';
import { ConfirmProvider } from '../components/confirm';
import { ToastProvider } from '../components/toast';
import { SessionProvider } from '../lib/session';
import { AccountSection } from './AccountSection';

const me: Me = { user: { id: 'u-1', email: 'bia@example.com', name: 'Bia' }, workspace: { id: 'w-1', name: 'Loja' }, role: 'viewer' };
const renderSection = () =>
  render(
    <ToastProvider>
      <ConfirmProvider>
        <SessionProvider value={{ me, onWorkspaceRenamed: () => {} }}>
          <AccountSection />
        </SessionProvider>
      </ConfirmProvider>
    </ToastProvider>,
  );

afterEach(() => vi.restoreAllMocks());

describe('AccountSection', () => {
  it('changes the password, and shows a wrong current password on its field', async () => {
    const user = userEvent.setup();
    const change = vi.spyOn(api.account, 'changePassword').mockRejectedValueOnce(new ApiError(403, 'wrong_password', 'The current password is not right.')).mockResolvedValueOnce(undefined);
    renderSection();
    expect(screen.getByTestId('account').textContent).toContain('bia@example.com');
    await user.type(screen.getByLabelText('Current password'), 'old one');
    await user.type(screen.getByLabelText('New password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByTestId('new-password-error').textContent).toMatch(/at least 8 characters/);
    expect(change).not.toHaveBeenCalled();

    await user.type(screen.getByLabelText('New password'), ' but longer');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(change).toHaveBeenCalledWith({ currentPassword: 'old one', newPassword: 'short but longer' });
    expect((await screen.findByTestId('current-password-error')).textContent).toBe('This is not your current password.');

    await user.clear(screen.getByLabelText('Current password'));
    await user.type(screen.getByLabelText('Current password'), 'old one!');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('Password changed; your other sessions are signed out')).toBeTruthy();
    expect((screen.getByLabelText('New password') as HTMLInputElement).value).toBe('');
    expect(screen.queryByTestId('current-password-error')).toBeNull();
  });

  it('signs out the other sessions once confirmed, and says how many', async () => {
    const user = userEvent.setup();
    const signOut = vi.spyOn(api.account, 'signOutOthers').mockResolvedValue({ signedOut: 2 });
    renderSection();
    await user.click(screen.getByRole('button', { name: 'Sign out other sessions' }));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(signOut).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Sign out other sessions' }));
    await user.click(screen.getByTestId('confirm-ok'));
    expect(await screen.findByText('2 other sessions signed out')).toBeTruthy();
  });
});
