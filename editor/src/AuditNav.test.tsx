// The Audit log's nav entry: shown to admins and owners (whom GET /api/audit answers), not to editors or viewers.
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { api } from './api/client';
import type { Me } from './api/types';

afterEach(() => {
  vi.restoreAllMocks();
  window.history.replaceState(null, '', '/');
});

async function navAs(role: Me['role']) {
  vi.spyOn(api, 'setupStatus').mockResolvedValue({ required: false });
  vi.spyOn(api, 'me').mockResolvedValue({ user: { id: 'u1', email: 'ana@loja.com.br', name: null }, workspace: { id: 'w1', name: 'Loja' }, role });
  vi.spyOn(api, 'nodeTypes').mockResolvedValue([]);
  vi.spyOn(api, 'providers').mockResolvedValue([]);
  vi.spyOn(api.audit, 'list').mockResolvedValue({ items: [], nextCursor: null });
  window.history.replaceState(null, '', '/audit');
  render(<App />);
  await screen.findByTestId('nav-settings');
}

describe('the Audit log in the nav', () => {
  it.each(['admin', 'owner'] as const)('is there for an %s, and opens the page', async (role) => {
    await navAs(role);
    expect(screen.getByTestId('nav-audit').textContent).toBe('Audit log');
    expect(await screen.findByText('Nothing recorded yet')).toBeTruthy();
  });

  it.each(['editor', 'viewer'] as const)('is not there for an %s', async (role) => {
    await navAs(role);
    expect(screen.queryByTestId('nav-audit')).toBeNull();
  });
});
