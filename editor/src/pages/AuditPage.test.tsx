// The Audit page: entries as sentences with their target and the fields changed, filters by person and kind
// (a group's prefix) sent to the API, older pages by cursor, the empty state, and an error as other pages show it.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEntryView } from '@bundles/shared';
import { api, ApiError } from '../api/client';
import { AuditPage } from './AuditPage';

const ana = { id: 'u-ana', email: 'ana@loja.com.br' };
const bia = { id: 'u-bia', email: 'bia@loja.com.br' };
const entry = (id: string, kind: string, user: typeof ana, detail: AuditEntryView['detail'] = {}): AuditEntryView => ({
  id,
  at: '2026-12-01T10:00:00.123456Z',
  user,
  kind,
  targetType: kind.split('.')[0] ?? null,
  targetId: 't1',
  detail,
});

afterEach(() => vi.restoreAllMocks());

describe('AuditPage', () => {
  it('shows who did what with the fields changed, filters by person and kind, and loads older entries', async () => {
    const user = userEvent.setup();
    const list = vi.spyOn(api.audit, 'list').mockImplementation(async (p = {}) => {
      if (p.kind === 'bundle.') return { items: [entry('e1', 'bundle.started', ana, { name: 'Pedido pago → SMS', version: 3 })], nextCursor: null };
      if (p.userId === bia.id) return { items: [entry('e2', 'connection.changed', bia, { name: 'Twilio', fields: ['name', 'authToken'] })], nextCursor: null };
      if (p.cursor === 'c1') return { items: [entry('e3', 'login', bia)], nextCursor: null };
      return {
        items: [entry('e1', 'bundle.started', ana, { name: 'Pedido pago → SMS', version: 3 }), entry('e2', 'connection.changed', bia, { name: 'Twilio', fields: ['name', 'authToken'] })],
        nextCursor: 'c1',
      };
    });
    render(<AuditPage />);
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(2));
    const [started, changed] = screen.getAllByTestId('audit-row');
    expect(started!.textContent).toContain('ana@loja.com.br');
    expect(started!.textContent).toContain('started bundle “Pedido pago → SMS” (version 3)');
    expect(changed!.textContent).toContain('changed connection “Twilio”');
    expect(within(changed!).getByText('fields: name, authToken')).toBeTruthy();

    await user.click(screen.getByTestId('audit-more'));
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(3));
    expect(list).toHaveBeenLastCalledWith(expect.objectContaining({ cursor: 'c1', limit: 50 }));
    expect(screen.getAllByTestId('audit-row')[2]!.textContent).toContain('signed in');
    expect(screen.queryByTestId('audit-more')).toBeNull();

    await user.selectOptions(screen.getByTestId('audit-filter-kind'), 'bundle.');
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(1));
    expect(list).toHaveBeenLastCalledWith({ kind: 'bundle.', limit: 50 });

    await user.selectOptions(screen.getByTestId('audit-filter-kind'), '');
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(2));
    // The people of the entries seen are the choices.
    await user.selectOptions(screen.getByTestId('audit-filter-user'), bia.email);
    await waitFor(() => expect(screen.getAllByTestId('audit-row')).toHaveLength(1));
    expect(list).toHaveBeenLastCalledWith({ userId: bia.id, limit: 50 });
    expect(within(screen.getByTestId('audit-filter-user')).getAllByRole('option').map((o) => o.textContent)).toEqual(['Everyone', ana.email, bia.email]);
  });

  it('offers every member of the workspace as a person, also one with no entry loaded', async () => {
    const user = userEvent.setup();
    const cai = { id: 'u-cai', email: 'cai@loja.com.br', name: 'Cai', role: 'viewer' as const, joinedAt: '2026-12-01T10:00:00.000Z' };
    vi.spyOn(api.members, 'list').mockResolvedValue([{ ...ana, name: null, role: 'owner', joinedAt: '2026-11-01T10:00:00.000Z' }, cai]);
    const list = vi.spyOn(api.audit, 'list').mockImplementation(async (p = {}) => (p.userId === cai.id ? { items: [], nextCursor: null } : { items: [entry('e1', 'login', ana)], nextCursor: null }));
    render(<AuditPage />);
    await waitFor(() => expect(within(screen.getByTestId('audit-filter-user')).getAllByRole('option').map((o) => o.textContent)).toEqual(['Everyone', ana.email, cai.email]));
    await user.selectOptions(screen.getByTestId('audit-filter-user'), cai.email);
    expect(await screen.findByText('No entry matches')).toBeTruthy();
    expect(list).toHaveBeenLastCalledWith({ userId: cai.id, limit: 50 });
  });

  it('says when nothing is recorded, and when nothing matches', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.audit, 'list').mockResolvedValue({ items: [], nextCursor: null });
    render(<AuditPage />);
    expect(await screen.findByText('Nothing recorded yet')).toBeTruthy();
    await user.selectOptions(screen.getByTestId('audit-filter-kind'), 'token.revoked');
    expect(await screen.findByText('No entry matches')).toBeTruthy();
  });

  it('shows a refusal with its sentence, as the other pages do', async () => {
    vi.spyOn(api.audit, 'list').mockRejectedValue(new ApiError(403, 'forbidden', 'This needs the admin role.'));
    render(<AuditPage />);
    expect(await screen.findByText('Cannot load the audit log')).toBeTruthy();
    expect(screen.getByText(/does not allow this/)).toBeTruthy();
  });
});
