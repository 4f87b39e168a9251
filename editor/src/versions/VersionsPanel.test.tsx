// The versions panel: the list with author and live mark, the diff against the draft and between versions,
// restore and roll back after a confirmation.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/client';
import type { Flow, Graph } from '../api/types';
import { ConfirmProvider } from '../components/confirm';
import { ToastProvider } from '../components/toast';
import { fixtureManifests } from '../test-fixtures';
import { VersionsPanel } from './VersionsPanel';

const at = '2026-12-01T10:00:00.000Z';
const graphWith = (body: string): Graph => ({
  nodes: [
    { id: 'trigger', type: 'guru.transaction_status_changed', connectionId: 'c1', config: { statuses: ['approved'] }, position: { x: 0, y: 0 } },
    { id: 'sms', type: 'twilio.send_sms', connectionId: 't1', config: { from: '+1555', to: '{{ trigger.contact.phone }}', body }, position: { x: 200, y: 0 } },
  ],
  edges: [{ source: 'trigger', target: 'sms' }],
});
const flow = { id: 'f1', name: 'Sale → SMS', status: 'running', graph: graphWith('Three'), activeVersion: { id: 'v2', number: 2, createdAt: at }, hasDraftChanges: true, lastRun: null, createdAt: at, updatedAt: at } as Flow;
const versions = [
  { version: 2, id: 'v2', createdAt: at, createdBy: { id: 'u1', email: 'ana@shop.example' }, live: true },
  { version: 1, id: 'v1', createdAt: at, createdBy: null, live: false },
];

afterEach(() => vi.restoreAllMocks());

function renderPanel(onRestored = vi.fn(), onStarted = vi.fn()) {
  vi.spyOn(api.flows, 'versions').mockResolvedValue(versions);
  vi.spyOn(api.flows, 'version').mockImplementation(async (_id, n) => ({ ...versions.find((v) => v.version === n)!, graph: graphWith(n === 2 ? 'Two' : 'One') }));
  render(
    <ToastProvider>
      <ConfirmProvider>
        <VersionsPanel flow={flow} draft={graphWith('Three')} dirty={false} manifests={fixtureManifests} onRestored={onRestored} onStarted={onStarted} />
      </ConfirmProvider>
    </ToastProvider>,
  );
  return { onRestored, onStarted };
}

describe('VersionsPanel', () => {
  it('lists the versions and shows what the draft changed since the live one, or between two versions', async () => {
    const user = userEvent.setup();
    renderPanel();
    const live = await screen.findByTestId('version-2');
    expect(live.textContent).toMatch(/v2\s*live.*ana@shop\.example/);
    const diff = await screen.findByTestId('version-diff');
    expect(diff.textContent).toMatch(/from version 2 to the draft/);
    expect(diff.textContent).toMatch(/Send SMS \(sms\).*body: Two → Three/);
    await user.selectOptions(screen.getByLabelText('Compare with'), '1');
    await waitFor(() => expect(screen.getByTestId('version-diff').textContent).toMatch(/from version 1 to version 2.*body: One → Two/));
    // The live version is not offered to start again; an older one is.
    expect(screen.queryByTestId('version-start')).toBeNull();
  });

  it('rolls back to an older version, and restores one as the draft, each after a confirmation', async () => {
    const user = userEvent.setup();
    const started = { ...flow, activeVersion: { id: 'v1', number: 1, createdAt: at } };
    const start = vi.spyOn(api.flows, 'start').mockResolvedValue(started);
    const restore = vi.spyOn(api.flows, 'restoreVersion').mockResolvedValue({ ...flow, graph: graphWith('One') });
    const { onRestored, onStarted } = renderPanel();
    await user.click(await screen.findByTestId('version-1'));
    await user.click(await screen.findByTestId('version-start'));
    const dialog = await screen.findByRole('dialog', { name: 'Run version 1 again?' });
    await user.click(within(dialog).getByRole('button', { name: 'Start version 1' }));
    await waitFor(() => expect(start).toHaveBeenCalledWith('f1', 1));
    expect(onStarted).toHaveBeenCalledWith(started);
    await user.click(screen.getByTestId('version-restore'));
    await user.click(within(await screen.findByRole('dialog', { name: 'Restore version 1 as the draft?' })).getByRole('button', { name: 'Restore' }));
    await waitFor(() => expect(restore).toHaveBeenCalledWith('f1', 1));
    expect(onRestored).toHaveBeenCalledWith(expect.objectContaining({ graph: graphWith('One') }));
    expect(await screen.findByText('Version 1 is the draft now')).toBeTruthy();
  });
});
