import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/client';
import type { Connection, ConnectionExport, ProviderDescriptor } from '../api/types';
import { ExportPanel } from './ExportPanel';

const conn = (id: string, provider: string, name: string): Connection => ({
  id,
  provider,
  name,
  config: {},
  secretsSet: [],
  webhookUrl: null,
  status: 'ok',
  lastTest: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});
const target = conn('c-sm', 'salesmanago', 'Shop SALESmanago');
const provider: ProviderDescriptor = {
  id: 'salesmanago',
  title: 'SALESmanago',
  authSchema: { type: 'object' },
  setup: '',
  hasWebhook: true,
  messageStatuses: [],
  nameMinLength: 1,
  exports: [{ kind: 'retailcrm', title: 'Export from RetailCRM', sources: ['retailcrm'], optionsSchema: { type: 'object' } }],
};
const exportState = (over: Partial<ConnectionExport>): ConnectionExport => ({
  id: 'x-1',
  connectionId: target.id,
  sourceConnectionId: 'c-crm',
  kind: 'retailcrm',
  status: 'running',
  done: 0,
  total: 0,
  failed: 0,
  errors: [],
  report: null,
  error: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  ...over,
});

afterEach(() => vi.restoreAllMocks());

describe('ExportPanel', () => {
  it('starts an export from the chosen RetailCRM connection and shows its progress, then its report', async () => {
    vi.spyOn(api.connections, 'list').mockResolvedValue([target, conn('c-crm', 'retailcrm', 'Shop CRM'), conn('c-tw', 'twilio', 'SMS')]);
    vi.spyOn(api.connections.exports, 'list').mockResolvedValue([]);
    const start = vi.spyOn(api.connections.exports, 'start').mockResolvedValue({ id: 'x-1' });
    const states = [exportState({ done: 100, total: 650 }), exportState({ status: 'succeeded', done: 650, total: 650, report: '250 contacts upserted, 400 purchases added' })];
    vi.spyOn(api.connections.exports, 'get').mockImplementation(async () => states.length > 1 ? states.shift()! : states[0]!);

    render(<ExportPanel connection={target} provider={provider} />);
    const source = await screen.findByTestId('export-source');
    expect([...(source as HTMLSelectElement).options].map((o) => o.textContent)).toEqual(['Shop CRM']);
    await userEvent.type(screen.getByTestId('export-tags'), 'RETAILCRM,IMPORTED');
    await userEvent.click(screen.getByTestId('export-start'));
    expect(start).toHaveBeenCalledWith('c-sm', { sourceConnectionId: 'c-crm', customers: true, orders: true, tags: 'RETAILCRM,IMPORTED' });
    expect(await screen.findByText(/100 \/ 650 done/)).toBeTruthy();
    expect((await screen.findByTestId('export-report', {}, { timeout: 3000 })).textContent).toMatch(/400 purchases added/);
    await waitFor(() => expect(screen.getByTestId('export-progress').getAttribute('data-status')).toBe('succeeded'));
  });

  it('says what is missing when there is no source connection, and refuses an export of nothing', async () => {
    vi.spyOn(api.connections, 'list').mockResolvedValue([target]);
    vi.spyOn(api.connections.exports, 'list').mockResolvedValue([]);
    render(<ExportPanel connection={target} provider={provider} />);
    expect(await screen.findByText(/Add a retailcrm connection first/)).toBeTruthy();
  });

  it('shows nothing for a provider without exports', () => {
    const { container } = render(<ExportPanel connection={target} provider={{ ...provider, exports: [] }} />);
    expect(container.textContent).toBe('');
  });
});
