// The invitation page: greets with the workspace and role, asks a new person's name and password (or an
// existing account's password), accepts and hands over; a spent or unknown link says so.
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../api/client';
import { InvitePage } from './InvitePage';

const preview = { workspace: { name: 'Loja da Ana' }, email: 'bia@example.com', role: 'editor' as const, expiresAt: '2026-12-10T10:00:00.000Z', existingAccount: false };

afterEach(() => vi.restoreAllMocks());

describe('InvitePage', () => {
  it('greets, asks a name and a password, accepts and hands over', async () => {
    const user = userEvent.setup();
    const onDone = vi.fn();
    vi.spyOn(api.invitations, 'preview').mockResolvedValue(preview);
    const accept = vi.spyOn(api.invitations, 'accept').mockResolvedValue({ token: 'bnd_x' });
    render(<InvitePage token="tok123" onDone={onDone} />);
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('Join Loja da Ana');
    expect(document.body.textContent).toContain('You are invited as editor, as bia@example.com.');
    await user.type(screen.getByTestId('accept-password'), 'short');
    await user.click(screen.getByTestId('accept-submit'));
    expect(screen.getByTestId('accept-error').textContent).toBe('Enter your name.');
    await user.type(screen.getByTestId('accept-name'), 'Bia');
    await user.click(screen.getByTestId('accept-submit'));
    expect(screen.getByTestId('accept-error').textContent).toMatch(/at least 8 characters/);
    expect(accept).not.toHaveBeenCalled();
    await user.type(screen.getByTestId('accept-password'), ' and more');
    await user.click(screen.getByTestId('accept-submit'));
    expect(accept).toHaveBeenCalledWith({ token: 'tok123', name: 'Bia', password: 'short and more' });
    expect(onDone).toHaveBeenCalledTimes(1);
  });

  it('asks an existing account only its password, and says when it is wrong', async () => {
    const user = userEvent.setup();
    const onDone = vi.fn();
    vi.spyOn(api.invitations, 'preview').mockResolvedValue({ ...preview, existingAccount: true });
    const accept = vi.spyOn(api.invitations, 'accept').mockRejectedValue(new ApiError(403, 'wrong_password', 'This is not the password of the existing account with this e-mail address.'));
    render(<InvitePage token="tok123" onDone={onDone} />);
    expect((await screen.findByTestId('invite-greeting')).textContent).toMatch(/account already/);
    expect(screen.queryByTestId('accept-name')).toBeNull();
    await user.type(screen.getByTestId('accept-password'), 'mine');
    await user.click(screen.getByTestId('accept-submit'));
    expect(accept).toHaveBeenCalledWith({ token: 'tok123', password: 'mine' });
    expect((await screen.findByTestId('accept-error')).textContent).toBe('This is not the password of your account.');
    expect(onDone).not.toHaveBeenCalled();
  });

  it('says so when the link was used already', async () => {
    vi.spyOn(api.invitations, 'preview').mockRejectedValue(new ApiError(410, 'invitation_used', 'This invitation was accepted already: log in instead.'));
    render(<InvitePage token="tok123" onDone={() => {}} />);
    expect((await screen.findByRole('heading', { level: 1 })).textContent).toBe('This invitation was accepted already.');
    expect(document.body.textContent).toContain('Log in with the e-mail address it was sent to.');
    expect(screen.queryByTestId('accept-form')).toBeNull();
  });
});
