// "Export from …" on a connection's page: pick the source connection and what to export, start a
// background export, watch its progress, read its report. Offered where the provider defines `exports`.
import { useEffect, useState } from 'react';
import { api, errorMessage } from '../api/client';
import { useAsync } from '../api/hooks';
import type { Connection, ConnectionExport, ProviderDescriptor } from '../api/types';
import { StatusPill, formatTime } from '../components/ui';

type ExportOffer = ProviderDescriptor['exports'][number];

function ExportProgress({ connectionId, exportId }: { connectionId: string; exportId: string }) {
  const [state, setState] = useState<ConnectionExport | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const s = await api.connections.exports.get(connectionId, exportId);
        if (stop) return;
        setState(s);
        setError(null);
        if (s.status === 'queued' || s.status === 'running') timer = setTimeout(() => void poll(), 1000);
      } catch (err) {
        if (!stop) setError(errorMessage(err));
        timer = setTimeout(() => void poll(), 3000);
      }
    };
    void poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [connectionId, exportId]);
  if (!state) return error ? <p className="banner banner-error">{error}</p> : <p className="muted small">Starting the export…</p>;
  const pct = state.total > 0 ? Math.min(100, Math.round((state.done / state.total) * 100)) : 0;
  return (
    <div className="export-progress" data-testid="export-progress" data-status={state.status}>
      <div className="row">
        <StatusPill status={state.status} />
        <span className="small">
          {state.done} / {state.total || '…'} done{state.failed > 0 ? `, ${state.failed} failed` : ''}
        </span>
      </div>
      <progress max={100} value={state.status === 'succeeded' ? 100 : pct} aria-label="Export progress" />
      {state.error && <p className="muted small">{state.error}</p>}
      {state.report && <p className="banner banner-ok pre-line" data-testid="export-report">{state.report}</p>}
      {state.errors.length > 0 && (
        <details>
          <summary className="small">{state.errors.length} error lines</summary>
          <ul className="small">
            {state.errors.map((e, i) => (
              <li key={i}>{e}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function ExportForm({ connection, offer, sources, onStarted }: { connection: Connection; offer: ExportOffer; sources: Connection[]; onStarted: (id: string) => void }) {
  const [picked, setSourceId] = useState('');
  // The connections arrive after the first render: until one is picked, the first is the choice.
  const sourceId = picked || sources[0]?.id || '';
  const [customers, setCustomers] = useState(true);
  const [orders, setOrders] = useState(true);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [tags, setTags] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (sources.length === 0) {
    return <p className="muted small">Add a {offer.sources.join(' or ')} connection first: the export reads from it.</p>;
  }
  const start = async () => {
    if (!customers && !orders) return setError('Choose customers, orders or both.');
    setBusy(true);
    setError(null);
    try {
      const body: { sourceConnectionId: string } & Record<string, unknown> = { sourceConnectionId: sourceId, customers, orders };
      if (from) body.from = new Date(`${from}T00:00:00`).toISOString();
      if (to) body.to = new Date(`${to}T23:59:59.999`).toISOString();
      if (tags.trim()) body.tags = tags;
      onStarted((await api.connections.exports.start(connection.id, body)).id);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="export-form" onSubmit={(e) => (e.preventDefault(), void start())} data-testid="export-form">
      <label>
        <span>From</span>
        <select value={sourceId} onChange={(e) => setSourceId(e.target.value)} data-testid="export-source">
          {sources.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </label>
      <label className="check">
        <input type="checkbox" checked={customers} onChange={(e) => setCustomers(e.target.checked)} /> Customers, with their e-mail consent
      </label>
      <label className="check">
        <input type="checkbox" checked={orders} onChange={(e) => setOrders(e.target.checked)} /> Paid orders, as purchases (never sent twice)
      </label>
      <div className="row">
        <label>
          <span>Created from</span>
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          <span>to</span>
          <input type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
      </div>
      <label>
        <span>Tags (comma-separated)</span>
        <input value={tags} onChange={(e) => setTags(e.target.value)} placeholder="RETAILCRM,IMPORTED" data-testid="export-tags" />
      </label>
      {error && <p className="banner banner-error">{error}</p>}
      <button type="submit" className="btn btn-primary" disabled={busy} data-testid="export-start">
        {busy ? 'Starting…' : offer.title}
      </button>
    </form>
  );
}

export function ExportPanel({ connection, provider }: { connection: Connection; provider: ProviderDescriptor }) {
  const offers = provider.exports ?? [];
  const all = useAsync(() => (offers.length ? api.connections.list() : Promise.resolve([])), [connection.id]);
  const past = useAsync(() => (offers.length ? api.connections.exports.list(connection.id) : Promise.resolve([])), [connection.id]);
  const [current, setCurrent] = useState<string | null>(null);
  if (offers.length === 0) return null;
  const running = past.data?.find((e) => e.status === 'queued' || e.status === 'running');
  const shown = current ?? running?.id ?? null;
  return (
    <>
      {offers.map((offer) => (
        <section className="detail-section" key={offer.kind}>
          <h3>{offer.title}</h3>
          {shown ? (
            <>
              <ExportProgress connectionId={connection.id} exportId={shown} />
              <button type="button" className="btn btn-small" onClick={() => (setCurrent(null), void past.reload())}>
                Start another export
              </button>
            </>
          ) : (
            <ExportForm connection={connection} offer={offer} sources={(all.data ?? []).filter((c) => offer.sources.includes(c.provider))} onStarted={setCurrent} />
          )}
          {past.data && past.data.filter((e) => e.id !== shown).length > 0 && (
            <details>
              <summary className="small">Earlier exports</summary>
              <ul className="small">
                {past.data
                  .filter((e) => e.id !== shown)
                  .map((e) => (
                    <li key={e.id}>
                      {formatTime(e.createdAt)} — {e.status}: {e.report ?? e.error ?? `${e.done} / ${e.total}`}
                    </li>
                  ))}
              </ul>
            </details>
          )}
        </section>
      ))}
    </>
  );
}
