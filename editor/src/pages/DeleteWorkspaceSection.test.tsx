// Deleting the workspace: only owners see it, the button waits for the exact name, and a refusal is shown.
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../api/client';
import type { Me } from '../api/types';
import { SessionProvider } from '../lib/session';
import { DeleteWorkspaceSection } from './DeleteWorkspaceSection';

const me = (role: Me['role']): Me => ({ user: { id: 'u1', email: 'ana@loja.com.br', name: null }, workspace: { id: 'w1', name: 'Loja da Ana' }, role });
const renderAs = (role: Me['role']) =>
  render(
    <SessionProvider value={{ me: me(role), onWorkspaceRenamed: () => {} }}>
      <DeleteWorkspaceSection />
    </SessionProvider>,
  );

afterEach(() => vi.restoreAllMocks());

describe('DeleteWorkspaceSection', () => {
  it('is not there for an admin', () => {
    renderAs('admin');
    expect(screen.queryByTestId('delete-workspace')).toBeNull();
  });

  it('waits for the exact name, then shows the server’s refusal', async () => {
    const remove = vi.spyOn(api.workspaces, 'remove').mockRejectedValue(new ApiError(409, 'last_workspace', 'This is your only workspace: make or join another one first.'));
    renderAs('owner');
    const button = screen.getByTestId('delete-workspace') as HTMLButtonElement;
    await userEvent.type(screen.getByTestId('delete-workspace-name'), 'Loja da');
    expect(button.disabled).toBe(true);
    await userEvent.type(screen.getByTestId('delete-workspace-name'), ' Ana');
    expect(button.disabled).toBe(false);
    await userEvent.click(button);
    expect(remove).toHaveBeenCalledWith('w1', 'Loja da Ana');
    expect((await screen.findByTestId('delete-workspace-error')).textContent).toContain('only workspace');
  });
});
