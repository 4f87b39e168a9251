// The "New bundle" gallery: start cards and templates, a template used with a connection per role (one created
// in place), the server's 422 on its role, empty and error states, and "From a source to a target".
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BundleTemplate } from '@bundles/shared';
import { api, ApiError } from '../../api/client';
import { CatalogProvider } from '../../api/catalog';
import type { Connection, Flow } from '../../api/types';
import { ToastProvider } from '../../components/toast';
import { fixtureNodeTypes, fixtureProviders } from '../../test-fixtures';
import { NewBundlePage } from './NewBundlePage';

const lead: BundleTemplate = {
  id: 'tokopedia-chat-retailcrm-lead',
  title: 'Tokopedia chat → RetailCRM lead and a reply',
  description: 'Every Tokopedia chat message becomes a lead in RetailCRM.',
  category: 'Leads',
  providers: ['tokopedia', 'retailcrm'],
  roles: [
    { role: 'tokopedia', provider: 'tokopedia', title: 'Your Tokopedia shop' },
    { role: 'crm', provider: 'retailcrm', title: 'Your RetailCRM account' },
  ],
  inputs: [],
  graph: { nodes: [{ id: 'trigger', type: 'tokopedia.chat_message_received', connection: { role: 'tokopedia' }, config: {}, position: { x: 0, y: 0 } }], edges: [] },
};
const chat: BundleTemplate = {
  ...lead,
  id: 'whatsapp-message-retailcrm-order',
  title: 'WhatsApp message → RetailCRM order',
  providers: ['whatsapp', 'retailcrm'],
  roles: [{ role: 'crm', provider: 'retailcrm', title: 'Your RetailCRM account' }],
  inputs: [{ key: 'chat_id', title: 'RetailCRM chat id', placeholder: '42' }],
};

const conn = (id: string, provider: string, name: string): Connection => ({
  id, provider, name, config: {}, secretsSet: [], webhookUrl: null, status: 'ok', lastTest: null, createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z',
});
const flow = (id: string): Flow => ({
  id, name: 'x', status: 'draft', graph: { nodes: [], edges: [] }, activeVersion: null, hasDraftChanges: false, lastRun: null, createdAt: '', updatedAt: '',
});

const renderPage = () =>
  render(
    <ToastProvider>
      <CatalogProvider>
        <NewBundlePage />
      </CatalogProvider>
    </ToastProvider>,
  );

beforeEach(() => {
  window.history.replaceState(null, '', '/bundles/new');
  vi.spyOn(api, 'nodeTypes').mockResolvedValue(fixtureNodeTypes);
  vi.spyOn(api, 'providers').mockResolvedValue(fixtureProviders);
});
afterEach(() => vi.restoreAllMocks());

describe('NewBundlePage', () => {
  it('shows a blank canvas, "From a source to a target" and the templates with their provider badges', async () => {
    vi.spyOn(api.templates, 'list').mockResolvedValue([lead, chat]);
    vi.spyOn(api.connections, 'list').mockResolvedValue([]);
    renderPage();
    const card = await screen.findByTestId('template-tokopedia-chat-retailcrm-lead');
    expect(card.textContent).toContain('Tokopedia chat → RetailCRM lead and a reply');
    expect(card.textContent).toContain('Every Tokopedia chat message becomes a lead');
    expect(within(card).getByTitle('Tokopedia')).toBeTruthy();
    expect(within(card).getByTitle('RetailCRM')).toBeTruthy();
    expect(screen.getByTestId('gallery-blank').textContent).toMatch(/Blank canvas/);
    expect(screen.getByTestId('gallery-source-target').textContent).toMatch(/From a source to a target/);
  });

  it('says so when the server has no templates, and shows a loading error with a retry', async () => {
    vi.spyOn(api.connections, 'list').mockResolvedValue([]);
    const list = vi.spyOn(api.templates, 'list').mockRejectedValueOnce(new ApiError(0, 'network_error', 'Cannot reach the Bundles server.')).mockResolvedValueOnce([]);
    const user = userEvent.setup();
    renderPage();
    expect((await screen.findByText('Could not load the ready bundles')).closest('[role="alert"]')!.textContent).toContain('Cannot reach the Bundles server.');
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('No ready bundles on this server')).toBeTruthy();
    expect(list).toHaveBeenCalledTimes(2);
  });

  it('asks only for the template’s connections (of each role’s provider), then opens the canvas', async () => {
    vi.spyOn(api.templates, 'list').mockResolvedValue([lead]);
    vi.spyOn(api.connections, 'list').mockResolvedValue([conn('t1', 'tokopedia', 'Toko Budi'), conn('r1', 'retailcrm', 'Shop A'), conn('r2', 'retailcrm', 'Shop B'), conn('w1', 'twilio', 'SMS')]);
    const use = vi.spyOn(api.templates, 'use').mockResolvedValue(flow('f-1'));
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByTestId('template-tokopedia-chat-retailcrm-lead'));
    const dialog = screen.getByTestId('template-dialog');
    const crm = within(dialog).getByLabelText(/Your RetailCRM account/) as HTMLSelectElement;
    const toko = within(dialog).getByLabelText(/Your Tokopedia shop/) as HTMLSelectElement;
    // The only Tokopedia connection is chosen; RetailCRM has two to choose from; Twilio is not offered.
    expect(toko.value).toBe('t1');
    expect([...crm.options].map((o) => o.textContent)).toEqual(['Choose a RetailCRM connection…', 'Shop A', 'Shop B', '+ New RetailCRM connection…']);
    expect(within(dialog).queryByText('SMS')).toBeNull();

    await user.click(within(dialog).getByTestId('template-use'));
    expect(within(dialog).getByRole('alert').textContent).toBe('Choose a RetailCRM connection.');
    expect(use).not.toHaveBeenCalled();

    await user.selectOptions(crm, 'r2');
    await user.clear(within(dialog).getByTestId('template-name'));
    await user.type(within(dialog).getByTestId('template-name'), 'Leads');
    await user.click(within(dialog).getByTestId('template-use'));
    expect(use).toHaveBeenCalledWith('tokopedia-chat-retailcrm-lead', { name: 'Leads', connections: { tokopedia: 't1', crm: 'r2' }, inputs: {} });
    await waitFor(() => expect(window.location.pathname).toBe('/bundles/f-1'));
  });

  it('creates a missing connection in place with the connection form, and asks for the inputs', async () => {
    vi.spyOn(api.templates, 'list').mockResolvedValue([chat]);
    vi.spyOn(api.connections, 'list').mockResolvedValue([]);
    const created = conn('r9', 'retailcrm', 'My RetailCRM');
    const createConnection = vi.spyOn(api.connections, 'create').mockResolvedValue(created);
    const use = vi.spyOn(api.templates, 'use').mockResolvedValue(flow('f-2'));
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByTestId('template-whatsapp-message-retailcrm-order'));
    const select = screen.getByTestId('role-crm') as HTMLSelectElement;
    expect(select.options[0]!.textContent).toBe('No RetailCRM connection yet');
    await user.selectOptions(select, '__new');
    const modal = screen.getByTestId('connection-modal');
    await user.clear(within(modal).getByTestId('connection-name'));
    await user.type(within(modal).getByTestId('connection-name'), 'My RetailCRM');
    await user.type(within(modal).getByLabelText(/Account domain|Domain/i), 'myshop.retailcrm.ru');
    await user.type(within(modal).getByLabelText(/API key/i), 'key-1');
    await user.click(within(modal).getByTestId('connection-save'));
    await waitFor(() => expect(screen.queryByTestId('connection-modal')).toBeNull());
    expect(createConnection).toHaveBeenCalledWith(expect.objectContaining({ provider: 'retailcrm', name: 'My RetailCRM', config: expect.objectContaining({ apiKey: 'key-1' }) }));
    expect((screen.getByTestId('role-crm') as HTMLSelectElement).value).toBe('r9');
    // Saving the connection did not submit the template's own form.
    expect(use).not.toHaveBeenCalled();

    await user.click(screen.getByTestId('template-use'));
    expect(screen.getByText('RetailCRM chat id is required.')).toBeTruthy();
    await user.type(screen.getByTestId('input-chat_id'), '42');
    await user.click(screen.getByTestId('template-use'));
    expect(use).toHaveBeenCalledWith('whatsapp-message-retailcrm-order', expect.objectContaining({ connections: { crm: 'r9' }, inputs: { chat_id: '42' } }));
  });

  it('shows the server’s 422 on the role it names', async () => {
    vi.spyOn(api.templates, 'list').mockResolvedValue([lead]);
    vi.spyOn(api.connections, 'list').mockResolvedValue([conn('t1', 'tokopedia', 'Toko Budi'), conn('r1', 'retailcrm', 'Shop A')]);
    vi.spyOn(api.templates, 'use').mockRejectedValue(
      new ApiError(422, 'invalid_template_use', 'The bundle cannot be made: connections.crm: connection r1 does not exist in this workspace', {
        issues: [{ field: 'connections.crm', message: 'connection r1 does not exist in this workspace' }],
      }),
    );
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByTestId('template-tokopedia-chat-retailcrm-lead'));
    await user.click(screen.getByTestId('template-use'));
    expect(await screen.findByText('connection r1 does not exist in this workspace')).toBeTruthy();
    expect(screen.getByText(/^The bundle cannot be made/)).toBeTruthy();
    expect(window.location.pathname).toBe('/bundles/new');
  });

  it('From a source to a target: provider → connection → event, provider → connection → action, wired and mapped', async () => {
    vi.spyOn(api.templates, 'list').mockResolvedValue([]);
    vi.spyOn(api.connections, 'list').mockResolvedValue([conn('wa1', 'whatsapp', 'Shop WhatsApp'), conn('tw1', 'twilio', 'Twilio SMS')]);
    vi.spyOn(api.connections, 'options').mockResolvedValue([{ value: '+15550002222', label: '+15550002222' }]);
    const create = vi.spyOn(api.flows, 'create').mockResolvedValue(flow('f-3'));
    const user = userEvent.setup();
    renderPage();
    await user.click(await screen.findByTestId('gallery-source-target'));
    await user.selectOptions(screen.getByTestId('st-source-provider'), 'whatsapp');
    expect((screen.getByTestId('st-source-connection') as HTMLSelectElement).value).toBe('');
    expect(screen.queryByTestId('st-source-type')).toBeNull();
    await user.selectOptions(screen.getByTestId('st-source-connection'), 'wa1');
    await user.selectOptions(screen.getByTestId('st-source-type'), 'whatsapp.message_received');
    await user.selectOptions(screen.getByTestId('st-target-provider'), 'twilio');
    await user.selectOptions(screen.getByTestId('st-target-connection'), 'tw1');
    await user.selectOptions(screen.getByTestId('st-target-type'), 'twilio.send_sms');

    const preview = screen.getByTestId('st-preview');
    expect(preview.textContent).toContain('{{ trigger.from }}');
    expect(preview.textContent).toContain('{{ trigger.text }}');
    // "From" is not mappable: it is picked from the Twilio connection's numbers.
    await waitFor(() => expect((screen.getByTestId('st-field-from') as HTMLSelectElement).value).toBe('+15550002222'));
    expect(api.connections.options).toHaveBeenCalledWith('tw1', 'senders');
    await user.click(screen.getByTestId('st-create'));
    const [body] = create.mock.calls[0]!;
    expect(body.graph!.nodes.map((n) => [n.id, n.type, n.connectionId])).toEqual([
      ['trigger', 'whatsapp.message_received', 'wa1'],
      ['send_sms', 'twilio.send_sms', 'tw1'],
    ]);
    expect(body.graph!.nodes[1]!.config).toEqual({ to: '{{ trigger.from }}', body: '{{ trigger.text }}', from: '+15550002222' });
    expect(body.graph!.edges).toEqual([expect.objectContaining({ source: 'trigger', target: 'send_sms' })]);
    expect(body.name).toMatch(/^WhatsApp.*→ Send SMS$/);
    await waitFor(() => expect(window.location.pathname).toBe('/bundles/f-3'));
  });
});
