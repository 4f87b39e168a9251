// The Status messages page: empty state, adding an SMS rule from the form (statuses from the trigger, the
// sender's numbers, the message with its SMS counter), a 422 shown on its field, removing with a confirmation.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../api/client';
import { CatalogProvider } from '../api/catalog';
import type { Connection, StatusRule } from '../api/types';
import { ConfirmProvider } from '../components/confirm';
import { ToastProvider } from '../components/toast';
import { fixtureNodeTypes, fixtureProviders } from '../test-fixtures';
import { StatusRulesPage } from './StatusRulesPage';

const connection = (id: string, provider: string, name: string): Connection => ({
  id,
  provider,
  name,
  config: {},
  secretsSet: [],
  webhookUrl: null,
  setup: null,
  status: 'ok',
  lastTest: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
});
const guru = connection('11111111-1111-4111-8111-111111111111', 'guru', 'Guru Estúdio');
const twilio = connection('22222222-2222-4222-8222-222222222222', 'twilio', 'Twilio BR');
const saved: StatusRule = {
  id: '33333333-3333-4333-8333-333333333333',
  connectionId: guru.id,
  flowId: '44444444-4444-4444-8444-444444444444',
  kind: 'sms',
  scope: 'sales',
  statuses: ['approved'],
  senderConnectionId: twilio.id,
  sender: '+15550002222',
  message: 'Olá {{ trigger.contact.firstName }}!',
  active: true,
  status: 'running',
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:00.000Z',
};

beforeEach(() => {
  vi.spyOn(api, 'nodeTypes').mockResolvedValue(fixtureNodeTypes);
  vi.spyOn(api, 'providers').mockResolvedValue(fixtureProviders);
  vi.spyOn(api.connections, 'get').mockResolvedValue(guru);
  vi.spyOn(api.connections, 'list').mockResolvedValue([guru, twilio]);
  vi.spyOn(api.connections, 'options').mockResolvedValue([{ value: '+15550002222', label: '+1 555 000 2222' }]);
});
afterEach(() => vi.restoreAllMocks());

const renderPage = () =>
  render(
    <ToastProvider>
      <ConfirmProvider>
        <CatalogProvider>
          <StatusRulesPage connectionId={guru.id} />
        </CatalogProvider>
      </ConfirmProvider>
    </ToastProvider>,
  );

describe('StatusRulesPage', () => {
  it('starts empty, then adds an SMS rule built from the form', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.connections.statusRules, 'list').mockResolvedValue([]);
    const create = vi.spyOn(api.connections.statusRules, 'create').mockResolvedValue(saved);
    renderPage();

    expect(await screen.findByText('No status messages yet')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Add the first rule' }));
    const form = await screen.findByTestId('rule-form-modal');
    // The statuses are Guru's own sale statuses; sales and subscriptions are both offered.
    const statuses = within(form).getByTestId('rule-statuses');
    expect(within(statuses).getByLabelText('approved')).toBeTruthy();
    expect(within(form).getByLabelText('Of')).toBeTruthy();
    await user.click(within(statuses).getByLabelText('approved'));
    expect((within(form).getByLabelText('Send with') as HTMLSelectElement).value).toBe(twilio.id);
    await user.type(within(form).getByLabelText('Sender'), '+15550002222');
    await user.type(within(form).getByTestId('rule-message'), 'Pagamento aprovado!');
    expect(form.textContent).toMatch(/19 characters?/);
    await user.click(within(form).getByTestId('rule-save'));

    await waitFor(() => expect(create).toHaveBeenCalledTimes(1));
    expect(create).toHaveBeenCalledWith(guru.id, expect.objectContaining({ kind: 'sms', scope: 'sales', statuses: ['approved'], senderConnectionId: twilio.id, sender: '+15550002222', message: 'Pagamento aprovado!', active: true }));
    expect(await screen.findByText('Rule added')).toBeTruthy();
    const row = screen.getByTestId('rule-row');
    expect(row.textContent).toMatch(/SMS.*approved.*Twilio BR.*\+15550002222/);
    expect(within(row).getByText('Open bundle').getAttribute('href')).toBe(`/bundles/${saved.flowId}`);
  });

  it("shows the server's refusal on the rule's field", async () => {
    const user = userEvent.setup();
    vi.spyOn(api.connections.statusRules, 'list').mockResolvedValue([saved]);
    vi.spyOn(api.connections.statusRules, 'update').mockRejectedValue(
      new ApiError(422, 'invalid_rule', 'message: needs 2 segments, the cap is 1.', { issues: [{ field: 'message', message: 'needs 2 segments, the cap is 1' }] }),
    );
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Edit' }));
    const form = await screen.findByTestId('rule-form-modal');
    expect((within(form).getByTestId('rule-message') as HTMLTextAreaElement).value).toBe(saved.message);
    await user.click(within(form).getByTestId('rule-save'));
    expect((await within(form).findByRole('alert')).textContent).toBe('needs 2 segments, the cap is 1');
  });

  it('removes a rule after a confirmation', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.connections.statusRules, 'list').mockResolvedValue([saved]);
    const remove = vi.spyOn(api.connections.statusRules, 'remove').mockResolvedValue(undefined);
    renderPage();
    await user.click(await screen.findByRole('button', { name: 'Remove' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove this rule?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(remove).toHaveBeenCalledWith(guru.id, saved.id));
    expect(await screen.findByText('Rule removed')).toBeTruthy();
    expect(await screen.findByText('No status messages yet')).toBeTruthy();
  });
});
