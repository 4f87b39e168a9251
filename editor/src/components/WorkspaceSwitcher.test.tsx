// The header's workspace menu: the user's workspaces with their role, switching (the app loads again), a new
// workspace named, made and switched to, and a refused name shown on its field.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../api/client';
import type { Me, WorkspaceSummary } from '../api/types';
import { ToastProvider } from './toast';
import { WorkspaceSwitcher } from './WorkspaceSwitcher';

const me: Me = { user: { id: 'u1', email: 'ana@loja.com.br', name: null }, workspace: { id: 'w1', name: 'Loja da Ana' }, role: 'owner' };
const workspaces: WorkspaceSummary[] = [
  { id: 'w1', name: 'Loja da Ana', role: 'owner', current: true },
  { id: 'w2', name: 'Agência', role: 'viewer', current: false },
];

const renderSwitcher = () => {
  const onSwitched = vi.fn();
  render(
    <ToastProvider>
      <WorkspaceSwitcher me={me} onSwitched={onSwitched} />
    </ToastProvider>,
  );
  return onSwitched;
};
const itemOf = (name: string) => screen.getAllByTestId('workspace-item').find((i) => i.dataset.workspaceName === name)!;

afterEach(() => {
  vi.restoreAllMocks();
  window.history.replaceState(null, '', '/');
});

describe('WorkspaceSwitcher', () => {
  it('shows the current workspace and role, and lists the user’s workspaces with their role on opening', async () => {
    const user = userEvent.setup();
    const list = vi.spyOn(api.workspaces, 'list').mockResolvedValue(workspaces);
    renderSwitcher();
    expect(screen.getByTestId('topbar-workspace').textContent).toBe('Loja da Ana');
    expect(screen.getByTestId('workspace-menu').textContent).toContain('owner');
    expect(list).not.toHaveBeenCalled();
    await user.click(screen.getByTestId('workspace-menu'));
    await waitFor(() => expect(screen.getAllByTestId('workspace-item')).toHaveLength(2));
    expect(itemOf('Agência').textContent).toContain('viewer');
    expect(within(itemOf('Loja da Ana')).queryByRole('menuitem', { name: /Switch/ })).toBeNull();
    expect(itemOf('Loja da Ana').textContent).toContain('current');
    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('workspace-list')).toBeNull();
  });

  it('switches to another workspace, goes to its bundles and loads the app again', async () => {
    const user = userEvent.setup();
    window.history.replaceState(null, '', '/bundles/0190a3c2-0000-7000-8000-000000000001');
    vi.spyOn(api.workspaces, 'list').mockResolvedValue(workspaces);
    const switchTo = vi.spyOn(api.workspaces, 'switchTo').mockResolvedValue({ ...workspaces[1]!, current: true });
    const onSwitched = renderSwitcher();
    await user.click(screen.getByTestId('workspace-menu'));
    await user.click(await screen.findByRole('menuitem', { name: 'Switch to Agência' }));
    expect(switchTo).toHaveBeenCalledWith('w2');
    await waitFor(() => expect(onSwitched).toHaveBeenCalledTimes(1));
    expect(window.location.pathname).toBe('/bundles');
    expect(screen.queryByTestId('workspace-list')).toBeNull();
  });

  it('makes a new workspace from a name and switches to it; an empty name is refused before sending', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.workspaces, 'list').mockResolvedValue(workspaces);
    const create = vi.spyOn(api.workspaces, 'create').mockResolvedValue({ id: 'w3', name: 'Second shop', role: 'owner', current: false });
    const switchTo = vi.spyOn(api.workspaces, 'switchTo').mockResolvedValue({ id: 'w3', name: 'Second shop', role: 'owner', current: true });
    const onSwitched = renderSwitcher();
    await user.click(screen.getByTestId('workspace-menu'));
    await user.click(await screen.findByTestId('workspace-new'));
    await user.click(screen.getByTestId('workspace-create'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Name the workspace/);
    expect(create).not.toHaveBeenCalled();

    await user.type(screen.getByLabelText('New workspace name'), '  Second shop ');
    await user.click(screen.getByTestId('workspace-create'));
    expect(create).toHaveBeenCalledWith('Second shop');
    await waitFor(() => expect(switchTo).toHaveBeenCalledWith('w3'));
    await waitFor(() => expect(onSwitched).toHaveBeenCalledTimes(1));
  });

  it('shows a name the server refuses on the field, and a failed switch as a toast without reloading', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.workspaces, 'list').mockResolvedValue(workspaces);
    vi.spyOn(api.workspaces, 'create').mockRejectedValue(new ApiError(400, 'invalid_request', 'Invalid request', { issues: [{ field: 'body.name', message: 'Too big: expected string to have <=100 characters' }] }));
    vi.spyOn(api.workspaces, 'switchTo').mockRejectedValue(new ApiError(404, 'not_found', 'Workspace not found.'));
    const onSwitched = renderSwitcher();
    await user.click(screen.getByTestId('workspace-menu'));
    await user.click(await screen.findByTestId('workspace-new'));
    await user.type(screen.getByLabelText('New workspace name'), 'x');
    await user.click(screen.getByTestId('workspace-create'));
    expect((await screen.findByRole('alert')).textContent).toBe('Too big: expected string to have <=100 characters');

    await user.click(screen.getByRole('menuitem', { name: 'Switch to Agência' }));
    await waitFor(() => expect(document.body.textContent).toContain('Workspace not found.'));
    expect(onSwitched).not.toHaveBeenCalled();
  });
});
