import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import { useCatalog } from '../api/catalog';
import { useAsync } from '../api/hooks';
import type { Message } from '../api/types';
import { useSettled } from '../lib/useSettled';
import { NavLink } from '../lib/navigation';
import { MessageFilters, noFilter, queryOf, type FilterState } from './MessageFilters';
import { EmptyState, ErrorState, ProviderBadge, Spinner, StatusPill, formatTime } from '../components/ui';
import { useRole } from '../lib/role';

export function MessagesPage() {
  const { providers, providerTitles } = useCatalog();
  const [filter, setFilter] = useState<FilterState>(noFilter);
  const [selected, setSelected] = useState<Message | null>(null);
  const query = queryOf(filter, useSettled(filter.search));
  const messages = useAsync(() => api.messages.list(query), [JSON.stringify(query)], 5000);
  const flows = useAsync(() => api.flows.list(), []);
  const bundleNames = new Map((flows.data ?? []).map((f) => [f.id, f.name]));
  const filtered = Object.values(query).some(Boolean);

  return (
    <div className="page page-split">
      <div className="split-list wide">
        <div className="page-header">
          <div>
            <h1>Messages</h1>
            <p className="muted">Every SMS and chat message sent or received through your connections.</p>
          </div>
        </div>
        <MessageFilters filter={filter} setFilter={setFilter} providers={providers} />
        {messages.loading && !messages.data && <Spinner label="Loading messages…" />}
        {messages.error !== undefined && !messages.data && <ErrorState error={messages.error} onRetry={() => void messages.reload()} />}
        {messages.data && messages.data.length === 0 && (
          <EmptyState title={query.q ? `No message contains “${query.q}”` : filtered ? 'No message matches these filters' : 'No messages yet'}>
            {filtered ? 'Clear a filter or change the search to see more.' : 'Messages appear here once a bundle sends an SMS or a customer writes in.'}
          </EmptyState>
        )}
        {messages.data && messages.data.length > 0 && (
          <div className="table-wrap">
          <table className="table table-click" data-testid="messages-table">
            <thead>
              <tr>
                <th>Time</th>
                <th>Provider</th>
                <th>Dir.</th>
                <th>From → To</th>
                <th>Text</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {messages.data.map((m) => (
                <tr
                  key={m.id}
                  tabIndex={0}
                  aria-selected={selected?.id === m.id}
                  className={selected?.id === m.id ? 'selected' : undefined}
                  onClick={() => setSelected(m)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === ' ') {
                      e.preventDefault();
                      setSelected(m);
                    }
                  }}
                  data-testid={`message-row-${m.id}`}
                >
                  <td className="nowrap">{formatTime(m.createdAt)}</td>
                  <td>
                    <ProviderBadge provider={m.provider} title={providerTitles.get(m.provider)} size={20} />
                  </td>
                  <td className="nowrap">{m.direction === 'inbound' ? '↘ in' : '↗ out'}</td>
                  <td className="nowrap small">
                    {m.from ?? '—'} → {m.to ?? '—'}
                  </td>
                  <td className="ellipsis">
                    {m.text}
                    <TakenBy message={m} bundleNames={bundleNames} />
                  </td>
                  <td>
                    <StatusPill status={m.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        )}
      </div>
      <div className="split-detail">
        {selected ? <Conversation key={selected.id} message={selected} bundleNames={bundleNames} /> : <p className="muted detail-placeholder">Select a message to see its conversation and reply.</p>}
      </div>
    </div>
  );
}

/** A received message that a waiting run took as its reply (core.wait_for_reply): which bundle, linking to the run. */
function TakenBy({ message, bundleNames }: { message: Message; bundleNames: Map<string, string> }) {
  if (message.direction !== 'inbound' || !message.runId || !message.flowId) return null;
  return (
    <span className="muted small" data-testid={`taken-by-${message.id}`}>
      {' · taken by '}
      <NavLink href={`/bundles/${message.flowId}?run=${message.runId}`} onClick={(e) => e.stopPropagation()}>
        {bundleNames.get(message.flowId) ?? 'a bundle'}
      </NavLink>
    </span>
  );
}

function Conversation({ message, bundleNames }: { message: Message; bundleNames: Map<string, string> }) {
  const key = message.conversationKey;
  const thread = useAsync(() => (key ? api.messages.list({ conversation: key }) : Promise.resolve([message])), [key], 3000);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const items = (thread.data ?? [message]).slice().sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const replyTo = [...items].reverse().find((m) => m.direction === 'inbound') ?? message;

  const replyWhyNot = useRole().whyNot('editBundles');

  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    setSending(true);
    setError(null);
    try {
      const sent = await api.messages.reply(replyTo.id, text.trim());
      setText('');
      thread.setData((all) => [...(all ?? []), sent]);
      void thread.reload();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <div className="conversation" data-testid="conversation">
      <header>
        <h2>Conversation</h2>
        <span className="muted small">
          {message.channel} · {key ?? 'single message'}
        </span>
      </header>
      {thread.error !== undefined && !thread.data && <ErrorState error={thread.error} onRetry={() => void thread.reload()} />}
      <ol className="bubbles">
        {items.map((m) => (
          <li key={m.id} className={`bubble bubble-${m.direction}`}>
            <div className="bubble-text">{m.text}</div>
            <div className="bubble-meta">
              {formatTime(m.createdAt)} · {m.status}
              <TakenBy message={m} bundleNames={bundleNames} />
            </div>
          </li>
        ))}
      </ol>
      {replyWhyNot && (
        <p className="role-note" data-testid="reply-role-note">
          Replying is an editor’s: {replyWhyNot}
        </p>
      )}
      {!replyWhyNot && (
        <form className="reply-box" onSubmit={(e) => void send(e)}>
          <label className="sr-only" htmlFor="reply-text">
            Reply
          </label>
          <textarea
            id="reply-text"
            rows={3}
            value={text}
            placeholder={`Reply to ${(replyTo.direction === 'inbound' ? replyTo.from : replyTo.to) ?? 'the customer'}…`}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
            }}
            data-testid="reply-text"
          />
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn-primary" disabled={sending || !text.trim()} data-testid="reply-send">
            {sending ? 'Sending…' : 'Send reply'}
          </button>
        </form>
      )}
    </div>
  );
}
