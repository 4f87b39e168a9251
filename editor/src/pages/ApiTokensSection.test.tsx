// The API tokens section: the list (last use, expiry), creating a token whose value is shown once with a copy
// button, revoking after a confirmation, the empty state and the errors.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../api/client';
import type { ApiToken, Role } from '../api/types';
import { ConfirmProvider } from '../components/confirm';
import { ToastProvider } from '../components/toast';
import { SessionProvider } from '../lib/session';
import { ApiTokensSection } from './ApiTokensSection';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const daysFromNow = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

const setupToken: ApiToken = { id: '0190a3c2-0000-7000-8000-000000000001', name: 'setup', prefix: 'bnd_q3Zx', createdAt: minutesAgo(60 * 24 * 40), lastUsedAt: minutesAgo(5), expiresAt: null, scope: 'admin', userEmail: 'owner@example.com' };
const zapier: ApiToken = { id: '0190a3c2-0000-7000-8000-000000000002', name: 'Zapier', prefix: 'bnd_7Hk2', createdAt: minutesAgo(60 * 24 * 3), lastUsedAt: null, expiresAt: daysFromNow(87), scope: 'write', userEmail: 'ana@example.com' };
const oldScript: ApiToken = { id: '0190a3c2-0000-7000-8000-000000000003', name: 'old backup script', prefix: null, createdAt: minutesAgo(60 * 24 * 400), lastUsedAt: minutesAgo(60 * 24 * 35), expiresAt: minutesAgo(60 * 24 * 30), scope: 'read', userEmail: 'owner@example.com' };

const renderSection = () =>
  render(
    <ToastProvider>
      <ConfirmProvider>
        <ApiTokensSection />
      </ConfirmProvider>
    </ToastProvider>,
  );
const renderAs = (role: Role) =>
  render(
    <SessionProvider value={{ me: { user: { id: 'u1', email: 'ana@example.com', name: null }, workspace: { id: 'w1', name: 'Loja' }, role }, onWorkspaceRenamed: () => {} }}>
      <ToastProvider>
        <ConfirmProvider>
          <ApiTokensSection />
        </ConfirmProvider>
      </ToastProvider>
    </SessionProvider>,
  );
const rowOf = (name: string) => screen.getAllByTestId('token-row').find((r) => r.dataset.tokenName === name)!;

afterEach(() => vi.restoreAllMocks());

describe('ApiTokensSection', () => {
  it('lists the tokens with their prefix, last use (never, or how long ago) and expiry, never a value', async () => {
    vi.spyOn(api.tokens, 'list').mockResolvedValue([zapier, setupToken, oldScript]);
    renderSection();
    await screen.findByTestId('token-table');
    expect(screen.getAllByTestId('token-row').map((r) => r.dataset.tokenName)).toEqual(['Zapier', 'setup', 'old backup script']);
    expect(rowOf('Zapier').textContent).toContain('bnd_7Hk2…');
    expect(within(rowOf('Zapier')).getByTestId('token-last-used').textContent).toBe('Never');
    expect(within(rowOf('setup')).getByTestId('token-last-used').textContent).toBe('5m ago');
    expect(within(rowOf('setup')).getByTestId('token-expires').textContent).toBe('Never');
    expect(within(rowOf('Zapier')).getByTestId('token-expires').textContent).toBe(new Date(zapier.expiresAt!).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }));
    expect(within(rowOf('old backup script')).getByTestId('token-expires').textContent).toMatch(/^expired /);
    expect(screen.getByRole('button', { name: 'Revoke Zapier' })).toBeTruthy();
  });

  it('shows the empty state when there is no token', async () => {
    vi.spyOn(api.tokens, 'list').mockResolvedValue([]);
    renderSection();
    expect((await screen.findByText('No API tokens yet')).tagName).toBe('H3');
    expect(screen.queryByTestId('token-table')).toBeNull();
  });

  it('creates a token with the life chosen and shows its value once, to copy, with a warning', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.tokens, 'list').mockResolvedValue([setupToken]);
    const value = 'bnd_7Hk2vXw9pQ0rS1tU2vW3xY4zA5bC6dE7';
    const create = vi.spyOn(api.tokens, 'create').mockResolvedValue({ ...zapier, expiresAt: daysFromNow(30), token: value });
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    renderSection();
    await screen.findByTestId('token-table');

    await user.type(screen.getByLabelText('Token name'), ' Zapier ');
    await user.selectOptions(screen.getByLabelText('Expires'), '30 days');
    await user.click(screen.getByRole('button', { name: 'Create token' }));

    expect(create).toHaveBeenCalledWith({ name: 'Zapier', scope: 'admin', expiresInDays: 30 });
    const box = await screen.findByTestId('new-token');
    expect(box.textContent).toMatch(/Token “Zapier” created\..*not shown again/);
    expect((screen.getByTestId('new-token-value') as HTMLInputElement).value).toBe(value);
    expect(screen.getAllByTestId('token-row').map((r) => r.dataset.tokenName)).toEqual(['Zapier', 'setup']);
    expect(screen.getByTestId('token-table').textContent).not.toContain(value);
    expect((screen.getByLabelText('Token name') as HTMLInputElement).value).toBe('');

    await user.click(screen.getByTestId('new-token-copy'));
    expect(writeText).toHaveBeenCalledWith(value);
    expect(screen.getByTestId('new-token-copy').textContent).toBe('Copied');
    await user.click(screen.getByTestId('new-token-done'));
    expect(screen.queryByTestId('new-token')).toBeNull();
    expect(document.body.textContent).not.toContain(value);
  });

  it('sends no token without a name, a never-expiring one by default, and shows a refused name on its field', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.tokens, 'list').mockResolvedValue([]);
    const create = vi
      .spyOn(api.tokens, 'create')
      .mockRejectedValue(new ApiError(400, 'invalid_request', 'Invalid request: body.name Too big', { issues: [{ field: 'body.name', message: 'Too big: expected string to have <=100 characters' }] }));
    renderSection();
    await screen.findByText('No API tokens yet');
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    expect(screen.getByTestId('token-name-error').textContent).toMatch(/Name the token after who uses it/);
    expect(create).not.toHaveBeenCalled();

    await user.type(screen.getByLabelText('Token name'), 'backup');
    expect(screen.queryByTestId('token-name-error')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    expect(create).toHaveBeenCalledWith({ name: 'backup', scope: 'admin' });
    expect((await screen.findByTestId('token-name-error')).textContent).toBe('Too big: expected string to have <=100 characters');
    expect(screen.queryByTestId('new-token')).toBeNull();
  });

  it('revokes a token only once confirmed, and drops it from the list', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.tokens, 'list').mockResolvedValue([zapier, setupToken]);
    const revoke = vi.spyOn(api.tokens, 'revoke').mockResolvedValue(undefined);
    renderSection();
    await user.click(await screen.findByRole('button', { name: 'Revoke Zapier' }));
    const dialog = screen.getByTestId('confirm-dialog');
    expect(dialog.textContent).toMatch(/Revoke “Zapier”\?.*refused from the next request on/);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(revoke).not.toHaveBeenCalled();
    expect(screen.getAllByTestId('token-row')).toHaveLength(2);

    await user.click(screen.getByRole('button', { name: 'Revoke Zapier' }));
    await user.click(screen.getByTestId('confirm-ok'));
    expect(revoke).toHaveBeenCalledWith(zapier.id);
    await waitFor(() => expect(screen.getAllByTestId('token-row').map((r) => r.dataset.tokenName)).toEqual(['setup']));
    expect(await screen.findByText('Token “Zapier” revoked')).toBeTruthy();
  });

  it('keeps the token listed and says why when revoking fails', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.tokens, 'list').mockResolvedValue([zapier]);
    vi.spyOn(api.tokens, 'revoke').mockRejectedValue(new ApiError(503, 'unavailable', 'The database does not answer right now; try again in a few seconds.'));
    renderSection();
    await user.click(await screen.findByRole('button', { name: 'Revoke Zapier' }));
    await user.click(screen.getByTestId('confirm-ok'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/The database does not answer right now.*Wait a few seconds and try again\./);
    expect(screen.getAllByTestId('token-row')).toHaveLength(1);
  });

  it('shows an error with a retry when the list does not load', async () => {
    const user = userEvent.setup();
    const list = vi.spyOn(api.tokens, 'list').mockRejectedValueOnce(new ApiError(0, 'network_error', 'Cannot reach the Bundles server.')).mockResolvedValue([setupToken]);
    renderSection();
    expect((await screen.findByRole('alert')).textContent).toMatch(/Cannot load the API tokens.*Cannot reach the Bundles server/);
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByTestId('token-table');
    expect(list).toHaveBeenCalledTimes(2);
  });

  it('shows an admin each token’s scope and user; makes a token of the scope chosen', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.tokens, 'list').mockResolvedValue([zapier, setupToken]);
    const create = vi.spyOn(api.tokens, 'create').mockResolvedValue({ ...zapier, id: 'new', name: 'Reader', scope: 'read', token: 'bnd_reader' });
    renderAs('admin');
    await screen.findByTestId('token-table');
    expect(within(rowOf('Zapier')).getByTestId('token-scope-cell').textContent).toBe('write');
    expect(within(rowOf('Zapier')).getByTestId('token-user').textContent).toBe('ana@example.com');
    expect(within(rowOf('setup')).getByTestId('token-user').textContent).toBe('owner@example.com');
    expect((screen.getByLabelText('Scope') as HTMLSelectElement).value).toBe('admin');

    await user.type(screen.getByLabelText('Token name'), 'Reader');
    await user.selectOptions(screen.getByLabelText('Scope'), 'read');
    await user.click(screen.getByRole('button', { name: 'Create token' }));
    expect(create).toHaveBeenCalledWith({ name: 'Reader', scope: 'read' });
    expect(within(await waitFor(() => rowOf('Reader'))).getByTestId('token-scope-cell').textContent).toBe('read');
  });

  it('offers an editor write at most (admin disabled, with why), and lists no user column: their own tokens only', async () => {
    vi.spyOn(api.tokens, 'list').mockResolvedValue([zapier]);
    renderAs('editor');
    await screen.findByTestId('token-table');
    const select = screen.getByLabelText('Scope') as HTMLSelectElement;
    expect(select.value).toBe('write');
    const admin = Array.from(select.options).find((o) => o.value === 'admin')!;
    expect(admin.disabled).toBe(true);
    expect(admin.textContent).toMatch(/needs the admin role/);
    expect(screen.queryByTestId('token-user')).toBeNull();
    expect(screen.getByTestId('api-tokens').textContent).toContain('You see your own tokens here.');
  });

  it('gives a viewer read tokens only', async () => {
    vi.spyOn(api.tokens, 'list').mockResolvedValue([]);
    renderAs('viewer');
    await screen.findByText('No API tokens yet');
    const select = screen.getByLabelText('Scope') as HTMLSelectElement;
    expect(select.value).toBe('read');
    expect(Array.from(select.options).filter((o) => !o.disabled).map((o) => o.value)).toEqual(['read']);
  });
});
