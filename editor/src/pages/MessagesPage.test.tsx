// The Messages page: filters by bundle and by a text search, with an empty state that says what matched nothing.
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../api/client';
import { CatalogProvider } from '../api/catalog';
import type { Flow, Message, MessageFilter, ProviderDescriptor } from '../api/types';
import { MessagesPage } from './MessagesPage';

const twilio: ProviderDescriptor = { id: 'twilio', title: 'Twilio', authSchema: { type: 'object', properties: {} }, setup: '', hasWebhook: true, messageStatuses: ['queued', 'sent', 'delivered'], nameMinLength: 1, exports: [] };
const flow = (id: string, name: string) => ({ id, name, status: 'running', graph: { nodes: [], edges: [] }, activeVersion: null, hasDraftChanges: false, lastRun: null, createdAt: '2026-12-01T10:00:00.000Z', updatedAt: '2026-12-01T10:00:00.000Z' }) as Flow;
const paidFlow = flow('0190e0a0-0000-7000-8000-0000000000f1', 'Order paid SMS');
const shippedFlow = flow('0190e0a0-0000-7000-8000-0000000000f2', 'Order shipped SMS');
const message = (id: string, text: string, flowId: string | null): Message => ({
  id,
  provider: 'twilio',
  connectionId: '0190e0a0-0000-7000-8000-0000000000c1',
  direction: 'outbound',
  channel: 'sms',
  from: '+15550002222',
  to: '+5511998765432',
  text,
  providerMessageId: `SM${id}`,
  status: 'delivered',
  error: null,
  conversationKey: '+5511998765432',
  runId: null,
  flowId,
  createdAt: '2026-12-02T10:00:00.000Z',
  updatedAt: '2026-12-02T10:00:00.000Z',
});
const confirmFlow = flow('0190e0a0-0000-7000-8000-0000000000f3', 'Confirm order');
const confirmRun = '0190e0a0-0000-7000-8000-0000000000a1';
/** A customer's YES that a run of "Confirm order" waiting for the reply took. */
const taken: Message = { ...message('m3', 'YES', confirmFlow.id), direction: 'inbound', from: '+5511998765432', to: '+15550002222', status: 'received', runId: confirmRun, createdAt: '2026-12-02T10:05:00.000Z' };
let all = [message('m1', 'Order A-17 is paid', paidFlow.id), message('m2', 'Order A-17 shipped', shippedFlow.id)];

/** A fake list answering the filters the way the server does. */
function serve(filter: MessageFilter): Promise<Message[]> {
  return Promise.resolve(all.filter((m) => (!filter.flowId || m.flowId === filter.flowId) && (!filter.q || m.text!.toLowerCase().includes(filter.q.toLowerCase()))));
}

function renderPage() {
  vi.spyOn(api, 'nodeTypes').mockResolvedValue([]);
  vi.spyOn(api, 'providers').mockResolvedValue([twilio]);
  vi.spyOn(api.flows, 'list').mockResolvedValue([paidFlow, shippedFlow, confirmFlow]);
  const list = vi.spyOn(api.messages, 'list').mockImplementation(serve);
  render(
    <CatalogProvider>
      <MessagesPage />
    </CatalogProvider>,
  );
  return list;
}

const rows = () => screen.queryAllByTestId(/^message-row-/).map((r) => r.getAttribute('data-testid'));

afterEach(() => vi.restoreAllMocks());

describe('MessagesPage filters', () => {
  it('lists the messages of the bundle chosen', async () => {
    const user = userEvent.setup();
    const list = renderPage();
    await screen.findByTestId('message-row-m1');
    expect(rows()).toEqual(['message-row-m1', 'message-row-m2']);
    await screen.findByRole('option', { name: 'Order shipped SMS' });
    await user.selectOptions(screen.getByTestId('filter-flow'), shippedFlow.id);
    await waitFor(() => expect(rows()).toEqual(['message-row-m2']));
    expect(list).toHaveBeenLastCalledWith(expect.objectContaining({ flowId: shippedFlow.id }));
  });

  it('searches the text once three characters are typed, and says when nothing contains it', async () => {
    const user = userEvent.setup();
    const list = renderPage();
    await screen.findByTestId('message-row-m1');
    await user.type(screen.getByTestId('filter-search'), 'pa');
    expect(screen.getByTestId('filter-search-hint').textContent).toBe('Type at least 3 characters to search.');
    await user.type(screen.getByTestId('filter-search'), 'id');
    await waitFor(() => expect(rows()).toEqual(['message-row-m1']));
    expect(list).toHaveBeenLastCalledWith(expect.objectContaining({ q: 'paid' }));
    expect(list.mock.calls.some(([f]) => f.q === 'pa')).toBe(false);
    expect(screen.queryByTestId('filter-search-hint')).toBeNull();

    await user.clear(screen.getByTestId('filter-search'));
    await user.type(screen.getByTestId('filter-search'), 'refund');
    expect(await screen.findByText('No message contains “refund”')).toBeTruthy();
    expect(rows()).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(rows()).toEqual(['message-row-m1', 'message-row-m2']));
  });
});

describe('MessagesPage replies taken by a waiting run', () => {
  it('says which bundle took a received message, linking to its run', async () => {
    const before = all;
    all = [...before, taken];
    try {
      renderPage();
      const tag = await screen.findByTestId('taken-by-m3');
      await waitFor(() => expect(tag.textContent).toBe(' · taken by Confirm order'));
      expect(tag.querySelector('a')?.getAttribute('href')).toBe(`/bundles/${confirmFlow.id}?run=${confirmRun}`);
      // A sent message names no taker.
      expect(screen.queryByTestId('taken-by-m1')).toBeNull();
    } finally {
      all = before;
    }
  });
});
