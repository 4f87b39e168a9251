// The shell: the header shows the workspace's name, and a rename on the Settings page (a page loaded on first
// visit) reaches the header without a reload.
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { api } from './api/client';

const workspace = { id: '0190a3c2-7c4e-7d1a-9f00-5b2d8e1c4a10', name: 'Loja da Ana', timeZone: 'America/Sao_Paulo' };

afterEach(() => {
  vi.restoreAllMocks();
  window.history.replaceState(null, '', '/');
});

describe('App', () => {
  it('shows the new workspace name in the header as soon as it is saved', async () => {
    const user = userEvent.setup();
    vi.spyOn(api, 'setupStatus').mockResolvedValue({ required: false });
    vi.spyOn(api, 'me').mockResolvedValue({ user: { id: 'u1', email: 'ana@loja.com.br', name: null }, workspace: { id: workspace.id, name: workspace.name }, role: 'owner' });
    vi.spyOn(api, 'nodeTypes').mockResolvedValue([]);
    vi.spyOn(api, 'providers').mockResolvedValue([]);
    vi.spyOn(api.settings, 'retention').mockResolvedValue({ runsDays: 30, messagesDays: 180, deliveriesDays: 14, auditDays: 365, defaults: { runsDays: 30, messagesDays: 180, deliveriesDays: 14, auditDays: 365 } });
    vi.spyOn(api.settings, 'workspace').mockResolvedValue(workspace);
    const save = vi.spyOn(api.settings, 'saveWorkspace').mockImplementation(async (body) => ({ ...workspace, ...body }));
    vi.spyOn(api.tokens, 'list').mockResolvedValue([]);
    window.history.replaceState(null, '', '/settings');

    render(<App />);
    expect((await screen.findByTestId('topbar-workspace')).textContent).toBe('Loja da Ana');
    const name = (await screen.findByTestId('workspace-name')) as HTMLInputElement;
    await user.clear(name);
    await user.type(name, 'Loja da Bia');
    await user.click(screen.getByTestId('workspace-save'));

    expect(save).toHaveBeenCalledWith({ name: 'Loja da Bia' });
    await waitFor(() => expect(screen.getByTestId('topbar-workspace').textContent).toBe('Loja da Bia'));
    expect(api.me).toHaveBeenCalledTimes(1);
  });
});
