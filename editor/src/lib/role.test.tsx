// What each role is offered: the checks (can, whyNot) as the API declares the routes, and a page that holds back
// what the role cannot do, saying why (Settings for an editor: its forms disabled with the reason).
import { render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/client';
import type { Connection, Role } from '../api/types';
import { ToastProvider } from '../components/toast';
import { ConnectionPicker } from '../inspector/ConnectionPicker';
import { SettingsPage } from '../pages/SettingsPage';
import { fixtureProviders, manifestOf } from '../test-fixtures';
import { can, whyNot } from './role';
import { SessionProvider } from './session';

afterEach(() => vi.restoreAllMocks());

describe('can / whyNot', () => {
  it('offers bundles to editors and up, connections and settings to admins and up', () => {
    const offered = (role: Role) => (['editBundles', 'manageConnections', 'changeSettings'] as const).filter((a) => can(role, a));
    expect(offered('viewer')).toEqual([]);
    expect(offered('editor')).toEqual(['editBundles']);
    expect(offered('admin')).toEqual(['editBundles', 'manageConnections', 'changeSettings']);
    expect(offered('owner')).toEqual(['editBundles', 'manageConnections', 'changeSettings']);
    expect(whyNot('viewer', 'editBundles')).toBe('Needs the editor role: yours here is viewer.');
    expect(whyNot('editor', 'manageConnections')).toBe('Needs the admin role: yours here is editor.');
    expect(whyNot('admin', 'changeSettings')).toBeNull();
  });
});

describe('Settings by role', () => {
  const renderAs = (role: Role) => {
    vi.spyOn(api.settings, 'workspace').mockResolvedValue({ id: 'w1', name: 'Loja da Ana', timeZone: 'UTC' });
    vi.spyOn(api.settings, 'retention').mockResolvedValue({ runsDays: 30, messagesDays: 180, deliveriesDays: 14, auditDays: 365, defaults: { runsDays: 30, messagesDays: 180, deliveriesDays: 14, auditDays: 365 } });
    vi.spyOn(api.tokens, 'list').mockResolvedValue([]);
    render(
      <SessionProvider value={{ me: { user: { id: 'u1', email: 'ana@loja.com.br', name: null }, workspace: { id: 'w1', name: 'Loja da Ana' }, role }, onWorkspaceRenamed: () => {} }}>
        <ToastProvider>
          <SettingsPage />
        </ToastProvider>
      </SessionProvider>,
    );
  };

  it('shows an editor the settings with their fields disabled and why, and still lets them make a token', async () => {
    renderAs('editor');
    // A disabled fieldset disables what it holds (`:disabled`; the elements' own attribute stays unset).
    expect((await screen.findByTestId('retention-runsDays')).matches(':disabled')).toBe(true);
    expect(screen.getByLabelText('Name').matches(':disabled')).toBe(true);
    expect(screen.getByTestId('workspace-save').matches(':disabled')).toBe(true);
    expect(screen.getByTestId('retention-save').matches(':disabled')).toBe(true);
    expect(screen.getAllByTestId('role-note').map((n) => n.textContent)).toEqual(['Needs the admin role: yours here is editor.', 'Needs the admin role: yours here is editor.']);
    expect(screen.getByLabelText('Token name').matches(':disabled')).toBe(false);
  });

  it('lets an admin change them, with no note', async () => {
    renderAs('admin');
    expect((await screen.findByTestId('retention-runsDays')).matches(':disabled')).toBe(false);
    expect(screen.getByLabelText('Name').matches(':disabled')).toBe(false);
    expect(screen.queryByTestId('role-note')).toBeNull();
  });
});

describe('the node’s connection picker by role', () => {
  const twilio: Connection = { id: 'c1', provider: 'twilio', name: 'Loja SMS', config: {}, secretsSet: [], webhookUrl: null, status: 'ok', lastTest: null, createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z' };
  const renderAs = (role: Role, connections: Connection[]) => {
    const manifest = manifestOf('twilio.send_sms');
    render(
      <SessionProvider value={{ me: { user: { id: 'u1', email: 'ana@loja.com.br', name: null }, workspace: { id: 'w1', name: 'Loja' }, role }, onWorkspaceRenamed: () => {} }}>
        <ConnectionPicker
          manifest={manifest}
          connectionId={null}
          connections={connections}
          provider={fixtureProviders.find((p) => p.id === manifest.connectionProvider)}
          providerTitles={new Map(fixtureProviders.map((p) => [p.id, p.title]))}
          issues={[]}
          onChange={() => {}}
          onConnectionCreated={() => {}}
        />
      </SessionProvider>,
    );
  };
  const options = () => Array.from((screen.getByTestId('connection-picker') as HTMLSelectElement).options).map((o) => o.textContent);

  it('lets an editor pick an existing connection but not make one, saying who does when there is none', () => {
    renderAs('editor', [twilio]);
    expect(options()).toEqual(['Choose a connection…', 'Loja SMS']);
    expect(screen.queryByTestId('connection-admin-only')).toBeNull();
  });

  it('tells an editor with no connection of the kind that an admin makes it', () => {
    renderAs('editor', []);
    expect(options()).toEqual(['No Twilio connection yet']);
    expect(screen.getByTestId('connection-admin-only').textContent).toBe('An admin of the workspace makes connections: Needs the admin role: yours here is editor.');
  });

  it('offers an admin a new connection from the picker', () => {
    renderAs('admin', [twilio]);
    expect(options()).toEqual(['Choose a connection…', 'Loja SMS', '+ New Twilio connection…']);
  });
});
