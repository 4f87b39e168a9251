// The members section (admins): the members with their roles (an admin cannot touch an owner nor give more
// than their own role), changing a role, removing after a confirmation; inviting (the link shown once with
// whether it was mailed), pending invitations revoked; and the Settings page shows it to admins only.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Invitation, Me, Member } from '@bundles/shared';
import { api, ApiError } from '../api/client';
import { ConfirmProvider } from '../components/confirm';
import { ToastProvider } from '../components/toast';
import { SessionProvider } from '../lib/session';
import { MembersSection } from './MembersSection';
import { SettingsPage } from './SettingsPage';

const ws = { id: '0190a3c2-7c4e-7d1a-9f00-5b2d8e1c4a10', name: 'Loja da Ana' };
const meAs = (role: Me['role'], id = 'u-admin'): Me => ({ user: { id, email: 'ana@example.com', name: 'Ana' }, workspace: ws, role });
const joined = '2026-11-02T10:00:00.000Z';
const owner: Member = { id: 'u-owner', email: 'owner@example.com', name: null, role: 'owner', joinedAt: joined };
const admin: Member = { id: 'u-admin', email: 'ana@example.com', name: 'Ana', role: 'admin', joinedAt: joined };
const editor: Member = { id: 'u-editor', email: 'bia@example.com', name: 'Bia', role: 'editor', joinedAt: joined };
const pending: Invitation = { id: 'i-1', email: 'caio@example.com', role: 'viewer', invitedBy: 'ana@example.com', createdAt: joined, expiresAt: '2026-11-09T10:00:00.000Z', expired: false };

const renderSection = (me: Me = meAs('admin')) =>
  render(
    <ToastProvider>
      <ConfirmProvider>
        <SessionProvider value={{ me, onWorkspaceRenamed: () => {} }}>
          <MembersSection />
        </SessionProvider>
      </ConfirmProvider>
    </ToastProvider>,
  );
const rowOf = (email: string) => screen.getAllByTestId('member-row').find((r) => r.dataset.memberEmail === email)!;
const roleSelect = (email: string) => within(rowOf(email)).getByTestId('member-role') as HTMLSelectElement;
const enabledOptions = (s: HTMLSelectElement) => [...s.options].filter((o) => !o.disabled).map((o) => o.value);

beforeEach(() => {
  vi.spyOn(api.members, 'list').mockResolvedValue([owner, admin, editor]);
  vi.spyOn(api.invitations, 'list').mockResolvedValue([pending]);
});
afterEach(() => vi.restoreAllMocks());

describe('MembersSection', () => {
  it('lists the members; an admin cannot touch an owner, give owner, or raise themselves', async () => {
    renderSection();
    await screen.findByTestId('member-table');
    expect(screen.getAllByTestId('member-row').map((r) => r.dataset.memberEmail)).toEqual(['owner@example.com', 'ana@example.com', 'bia@example.com']);
    expect(rowOf('ana@example.com').textContent).toContain('(you)');
    expect(roleSelect('owner@example.com').disabled).toBe(true);
    expect((within(rowOf('owner@example.com')).getByTestId('member-remove') as HTMLButtonElement).disabled).toBe(true);
    expect(enabledOptions(roleSelect('bia@example.com'))).toEqual(['viewer', 'editor', 'admin']);
    expect(enabledOptions(roleSelect('ana@example.com'))).toEqual(['viewer', 'editor', 'admin']);
    expect(enabledOptions(screen.getByTestId('invite-role') as HTMLSelectElement)).toEqual(['viewer', 'editor', 'admin']);
  });

  it('lets an owner give and take the owner role', async () => {
    renderSection(meAs('owner', 'u-owner'));
    await screen.findByTestId('member-table');
    expect(enabledOptions(roleSelect('bia@example.com'))).toEqual(['viewer', 'editor', 'admin', 'owner']);
    expect(roleSelect('owner@example.com').disabled).toBe(false);
  });

  it('changes a role, and keeps the old one with the reason when refused', async () => {
    const user = userEvent.setup();
    const setRole = vi.spyOn(api.members, 'setRole').mockResolvedValueOnce({ ...editor, role: 'viewer' });
    renderSection();
    await screen.findByTestId('member-table');
    await user.selectOptions(roleSelect('bia@example.com'), 'viewer');
    expect(setRole).toHaveBeenCalledWith('u-editor', 'viewer');
    await waitFor(() => expect(roleSelect('bia@example.com').value).toBe('viewer'));
    expect(await screen.findByText('Bia is now viewer')).toBeTruthy();

    setRole.mockRejectedValueOnce(new ApiError(409, 'last_owner', 'This is the workspace’s last owner: make another member owner first.'));
    await user.selectOptions(roleSelect('bia@example.com'), 'editor');
    expect((await screen.findByText(/last owner: make another member owner first/)).textContent).toMatch(/Make another member owner first, then change or remove this one\./);
    expect(roleSelect('bia@example.com').value).toBe('viewer');
  });

  it('removes a member only once confirmed', async () => {
    const user = userEvent.setup();
    const remove = vi.spyOn(api.members, 'remove').mockResolvedValue(undefined);
    renderSection();
    await user.click(await screen.findByRole('button', { name: 'Remove bia@example.com' }));
    const dialog = screen.getByTestId('confirm-dialog');
    expect(dialog.textContent).toMatch(/Remove Bia\?.*API tokens here are deleted/);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(remove).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Remove bia@example.com' }));
    await user.click(screen.getByTestId('confirm-ok'));
    expect(remove).toHaveBeenCalledWith('u-editor');
    await waitFor(() => expect(screen.getAllByTestId('member-row')).toHaveLength(2));
  });

  it('invites: shows the link once with whether it was mailed, and lists the invitation', async () => {
    const user = userEvent.setup();
    const url = 'http://localhost:3000/invite/abcDEF123';
    const create = vi.spyOn(api.invitations, 'create').mockResolvedValue({ id: 'i-2', url, expiresAt: '2026-11-09T10:00:00.000Z', mailed: false, mailError: 'No mail server is configured (BUNDLES_SMTP_URL).' });
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderSection();
    await screen.findByTestId('invitation-table');
    await user.click(screen.getByRole('button', { name: 'Invite' }));
    expect(screen.getByTestId('invite-email-error').textContent).toMatch(/Enter the e-mail address/);
    expect(create).not.toHaveBeenCalled();

    vi.mocked(api.invitations.list).mockResolvedValue([{ ...pending, id: 'i-2', email: 'dani@example.com', role: 'editor' }, pending]);
    await user.type(screen.getByLabelText('E-mail address'), 'dani@example.com');
    await user.click(screen.getByRole('button', { name: 'Invite' }));
    expect(create).toHaveBeenCalledWith({ email: 'dani@example.com', role: 'editor' });
    expect((await screen.findByTestId('invitation-mailed')).textContent).toMatch(/dani@example\.com is invited\..*not mailed: No mail server is configured/);
    expect((screen.getByTestId('invitation-url') as HTMLInputElement).value).toBe(url);
    await user.click(screen.getByTestId('invitation-copy'));
    expect(writeText).toHaveBeenCalledWith(url);
    await waitFor(() => expect(screen.getAllByTestId('invitation-row').map((r) => r.dataset.invitationEmail)).toEqual(['dani@example.com', 'caio@example.com']));
    await user.click(screen.getByTestId('invitation-done'));
    expect(document.body.textContent).not.toContain(url);
  });

  it('shows an existing member refused on the e-mail field', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.invitations, 'create').mockRejectedValue(new ApiError(409, 'already_member', 'bia@example.com is a member of this workspace already.'));
    renderSection();
    await user.type(await screen.findByLabelText('E-mail address'), 'bia@example.com');
    await user.click(screen.getByRole('button', { name: 'Invite' }));
    expect((await screen.findByTestId('invite-email-error')).textContent).toBe('bia@example.com is a member of this workspace already.');
    expect(screen.queryByTestId('invitation-link')).toBeNull();
  });

  it('revokes a pending invitation once confirmed', async () => {
    const user = userEvent.setup();
    const revoke = vi.spyOn(api.invitations, 'revoke').mockResolvedValue(undefined);
    renderSection();
    await user.click(await screen.findByRole('button', { name: 'Revoke the invitation of caio@example.com' }));
    await user.click(screen.getByTestId('confirm-ok'));
    expect(revoke).toHaveBeenCalledWith('i-1');
    expect(await screen.findByTestId('no-invitations')).toBeTruthy();
  });
});

describe('SettingsPage and roles', () => {
  const renderPage = (me: Me) =>
    render(
      <ToastProvider>
        <SessionProvider value={{ me, onWorkspaceRenamed: () => {} }}>
          <SettingsPage />
        </SessionProvider>
      </ToastProvider>,
    );
  beforeEach(() => {
    vi.spyOn(api.settings, 'workspace').mockResolvedValue({ ...ws, timeZone: 'UTC' });
    vi.spyOn(api.settings, 'retention').mockResolvedValue({ runsDays: 30, messagesDays: 180, deliveriesDays: 14, auditDays: 365, defaults: { runsDays: 30, messagesDays: 180, deliveriesDays: 14, auditDays: 365 } });
    vi.spyOn(api.tokens, 'list').mockResolvedValue([]);
  });

  it('shows the members to an admin, and only the account to an editor', async () => {
    const { unmount } = renderPage(meAs('admin'));
    expect(await screen.findByTestId('member-table')).toBeTruthy();
    expect(screen.getByTestId('account')).toBeTruthy();
    unmount();
    renderPage(meAs('editor'));
    expect(await screen.findByTestId('account')).toBeTruthy();
    await screen.findByTestId('retention-form');
    expect(screen.queryByTestId('members')).toBeNull();
    expect(api.members.list).toHaveBeenCalledTimes(1);
  });
});
