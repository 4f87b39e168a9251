import { useState } from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../api/client';
import type { Connection } from '../api/types';
import { fixtureProviders, manifestOf } from '../test-fixtures';
import { ConnectionPicker } from './ConnectionPicker';

const providerTitles = new Map(fixtureProviders.map((p) => [p.id, p.title]));
const providerById = new Map(fixtureProviders.map((p) => [p.id, p]));

const conn = (id: string, provider: string, name: string): Connection => ({
  id,
  provider,
  name,
  config: {},
  secretsSet: [],
  webhookUrl: null,
  status: 'ok',
  lastTest: null,
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
});

function Harness({ type, initial = [] }: { type: string; initial?: Connection[] }) {
  const manifest = manifestOf(type);
  const [connections, setConnections] = useState(initial);
  const [connectionId, setConnectionId] = useState<string | null>(null);
  return (
    <ConnectionPicker
      manifest={manifest}
      connectionId={connectionId}
      connections={connections}
      provider={providerById.get(manifest.connectionProvider)}
      providerTitles={providerTitles}
      issues={[]}
      onChange={setConnectionId}
      onConnectionCreated={(c) => setConnections((all) => [...all, c])}
    />
  );
}

const optionLabels = () => within(screen.getByTestId('connection-picker')).getAllByRole('option').map((o) => o.textContent);

afterEach(() => vi.restoreAllMocks());

describe('ConnectionPicker', () => {
  it('offers an HTTP request node the HTTP API connections, and no connection at all', () => {
    render(<Harness type="core.http_request" initial={[conn('h1', 'http', 'ERP API'), conn('w1', 'whatsapp', 'Shop WhatsApp')]} />);
    expect(optionLabels()).toEqual(['No connection (no credentials)', 'ERP API', '+ New HTTP API connection…']);
    expect(screen.getByText('HTTP API connection')).toBeTruthy();
    expect(screen.queryByText('*')).toBeNull();
  });

  it('marks the connection of a WhatsApp node required', () => {
    render(<Harness type="whatsapp.send_text" initial={[conn('h1', 'http', 'ERP API')]} />);
    expect(optionLabels()).toEqual(['No WhatsApp Cloud API connection yet', '+ New WhatsApp Cloud API connection…']);
    expect(screen.getByText('*')).toBeTruthy();
  });

  it('offers a wait for a reply the connections of every provider that receives messages, saying whose', () => {
    render(<Harness type="core.wait_for_reply" initial={[conn('t1', 'twilio', 'Shop SMS'), conn('h1', 'http', 'ERP API'), conn('w1', 'whatsapp', 'Shop WhatsApp'), conn('r1', 'retailcrm', 'CRM')]} />);
    expect(optionLabels()).toEqual(['Choose a connection…', `Shop SMS (${providerTitles.get('twilio')})`, `Shop WhatsApp (${providerTitles.get('whatsapp')})`]);
    expect(screen.getByText('*')).toBeTruthy();
  });

  it('creates an HTTP API connection from its auth schema and chooses it', async () => {
    const user = userEvent.setup();
    const create = vi.spyOn(api.connections, 'create').mockImplementation(async (body) => ({ ...conn('h9', body.provider, body.name), config: body.config }));
    render(<Harness type="core.http_request" />);
    await user.selectOptions(screen.getByTestId('connection-picker'), '__new');
    const modal = screen.getByTestId('connection-modal');
    expect(within(modal).getByRole('heading', { name: 'New HTTP API connection' })).toBeTruthy();
    // The select starts at the schema's default, which the server would assume anyway.
    const authType = modal.querySelector<HTMLSelectElement>('#conn-authType');
    expect(authType && within(authType).getAllByRole('option').map((o) => o.textContent)).toEqual(['—', 'header', 'bearer', 'basic']);
    expect(authType?.value).toBe('"bearer"');
    await user.clear(within(modal).getByTestId('connection-name'));
    await user.type(within(modal).getByTestId('connection-name'), 'ERP API');
    await user.type(modal.querySelector('#conn-token')!, 'sk_test_123');
    await user.type(modal.querySelector('#conn-baseUrl')!, 'https://erp.example.com');
    await user.click(within(modal).getByTestId('connection-save'));
    await waitFor(() => expect(screen.queryByTestId('connection-modal')).toBeNull());
    expect(create).toHaveBeenCalledWith({ provider: 'http', name: 'ERP API', config: { authType: 'bearer', token: 'sk_test_123', baseUrl: 'https://erp.example.com' } });
    expect((screen.getByTestId('connection-picker') as HTMLSelectElement).value).toBe('h9');
  });

  it('shows the server’s per-field issues on the fields', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.connections, 'create').mockRejectedValue(
      new ApiError(422, 'invalid_connection', 'Invalid HTTP API connection: headerName is required for header authentication.', {
        issues: [{ field: 'headerName', message: 'is required for header authentication' }],
      }),
    );
    render(<Harness type="core.http_request" />);
    await user.selectOptions(screen.getByTestId('connection-picker'), '__new');
    const modal = screen.getByTestId('connection-modal');
    await user.selectOptions(modal.querySelector<HTMLSelectElement>('#conn-authType')!, '"header"');
    await user.click(within(modal).getByTestId('connection-save'));
    expect((await within(modal).findByTestId('field-error-headerName')).textContent).toBe('is required for header authentication');
    expect(within(modal).getByText(/Invalid HTTP API connection/)).toBeTruthy();
  });
});
