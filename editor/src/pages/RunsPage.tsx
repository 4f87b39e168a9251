// Every run of the workspace: filters by bundle, status, trigger connection and dates, a search by a value of
// the trigger's data (an order id, a phone number), a page at a time, the first page kept live.
import { useEffect, useMemo, useState } from 'react';
import { useLocation } from 'wouter';
import { api } from '../api/client';
import { useSettled } from '../lib/useSettled';
import { useAsync } from '../api/hooks';
import type { Run } from '../api/types';
import { DateRange, FilterSelect } from '../components/FilterSelect';
import { EmptyState, ErrorState, Spinner, StatusPill, formatDuration, formatTime } from '../components/ui';

const statuses = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'filtered', 'uncertain'] as const;

interface Filter {
  q: string;
  flowId: string;
  status: string;
  connectionId: string;
  from: string;
  to: string;
}
const noFilter: Filter = { q: '', flowId: '', status: '', connectionId: '', from: '', to: '' };

/** The API's query: dates as whole local days (from the start of `from` to the end of `to`). */
function queryOf(f: Filter) {
  const day = (d: string, end: boolean) => (d ? new Date(`${d}T${end ? '23:59:59.999' : '00:00:00'}`).toISOString() : undefined);
  return { q: f.q.trim() || undefined, flowId: f.flowId || undefined, status: f.status || undefined, connectionId: f.connectionId || undefined, from: day(f.from, false), to: day(f.to, true) };
}


export function RunsPage() {
  const [filter, setFilter] = useState<Filter>(noFilter);
  const applied = useSettled(filter);
  const query = useMemo(() => queryOf(applied), [applied]);
  const flows = useAsync(() => api.flows.list(), []);
  const connections = useAsync(() => api.connections.list(), []);
  // The first page refreshes every few seconds; older pages are appended by "Load more".
  const first = useAsync(() => api.runs.list({ ...query, limit: 50 }), [query], 3000);
  const [older, setOlder] = useState<{ items: Run[]; nextCursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  useEffect(() => setOlder(null), [query]);
  const [, navigate] = useLocation();

  const flowName = useMemo(() => new Map((flows.data ?? []).map((f) => [f.id, f.name])), [flows.data]);
  // The live first page may have moved on since older pages were loaded: each run once.
  const items = [...new Map([...(first.data?.items ?? []), ...(older?.items ?? [])].map((r) => [r.id, r])).values()];
  const nextCursor = older ? older.nextCursor : (first.data?.nextCursor ?? null);
  const setTo = (k: keyof Filter) => (v: string) => setFilter((f) => ({ ...f, [k]: v }));
  const set = (k: keyof Filter) => (e: { target: { value: string } }) => setTo(k)(e.target.value);
  const filtered = JSON.stringify(applied) !== JSON.stringify(noFilter);

  const loadMore = async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await api.runs.list({ ...query, cursor: nextCursor, limit: 50 });
      setOlder((o) => ({ items: [...(o?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <div className="page runs-page">
      <div className="page-header">
        <div>
          <h1>Runs</h1>
          <p className="muted">Every run of every bundle, newest first. Find the run of an order by its id, or of a customer by their phone number.</p>
        </div>
      </div>
      <form className="filters" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>Search</span>
          <input type="search" value={filter.q} onChange={set('q')} placeholder="Order id, transaction id or sender" maxLength={200} data-testid="runs-search" />
        </label>
        <FilterSelect label="Bundle" value={filter.flowId} onChange={setTo('flowId')} options={(flows.data ?? []).map((f) => ({ value: f.id, label: f.name }))} testId="runs-filter-flow" />
        <FilterSelect label="Status" value={filter.status} onChange={setTo('status')} options={statuses.map((v) => ({ value: v, label: v }))} anyLabel="Any" testId="runs-filter-status" />
        <FilterSelect label="Trigger connection" value={filter.connectionId} onChange={setTo('connectionId')} options={(connections.data ?? []).map((c) => ({ value: c.id, label: c.name }))} anyLabel="Any" testId="runs-filter-connection" />
        <DateRange from={filter.from} to={filter.to} onFrom={setTo('from')} onTo={setTo('to')} />
        {filtered && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setFilter(noFilter)}>
            Clear
          </button>
        )}
      </form>
      {first.loading && !first.data && <Spinner label="Loading runs…" />}
      {first.error !== undefined && !first.data && <ErrorState title="Cannot load the runs" error={first.error} onRetry={() => void first.reload()} />}
      {first.data && items.length === 0 && (
        <EmptyState title={filtered ? 'No run matches' : 'No runs yet'}>
          {filtered ? 'Search by the exact id of the order or transaction, or the sender’s number, or clear the filters.' : 'Start a bundle: every event it runs on shows up here.'}
        </EmptyState>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table table-click" data-testid="runs-table">
            <thead>
              <tr>
                <th>Status</th>
                <th>Bundle</th>
                <th>Started</th>
                <th>Duration</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id} onClick={() => navigate(`/bundles/${r.flowId}?run=${r.id}`)} data-testid="runs-row" data-status={r.status}>
                  <td>
                    <StatusPill status={r.status} />
                  </td>
                  <td>{flowName.get(r.flowId) ?? <span className="muted">a deleted bundle</span>}</td>
                  <td>{formatTime(r.createdAt)}</td>
                  <td>{r.startedAt ? formatDuration(r.startedAt, r.finishedAt) : <span className="muted">not started</span>}</td>
                  <td className="muted">{r.error?.message ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor && (
        <button type="button" className="btn" onClick={() => void loadMore()} disabled={loadingMore} data-testid="runs-more">
          {loadingMore ? 'Loading…' : 'Load older runs'}
        </button>
      )}
    </div>
  );
}
