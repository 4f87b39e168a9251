// The audit log (admins and owners): who did what and when, as sentences, filtered by person, kind and dates,
// older entries a page at a time.
import { useEffect, useMemo, useState } from 'react';
import type { AuditEntryView } from '@bundles/shared';
import { AUDIT_KIND_GROUPS, auditAction } from '@bundles/shared/audit-kinds';
import { api, errorToastText } from '../api/client';
import { useAsync } from '../api/hooks';
import { DateRange } from '../components/FilterSelect';
import { useToast } from '../components/toast';
import { EmptyState, ErrorState, Spinner, formatTime } from '../components/ui';

interface Filter {
  userId: string;
  kind: string;
  from: string;
  to: string;
}
const noFilter: Filter = { userId: '', kind: '', from: '', to: '' };

/** The API's query: dates as whole local days (from the start of `from` to the end of `to`). */
function queryOf(f: Filter) {
  const day = (d: string, end: boolean) => (d ? new Date(`${d}T${end ? '23:59:59.999' : '00:00:00'}`).toISOString() : undefined);
  return { userId: f.userId || undefined, kind: f.kind || undefined, from: day(f.from, false), to: day(f.to, true) };
}

const PAGE = 50;

/** What changed, beyond the sentence: the fields named, a version, a test's outcome. */
function details(e: AuditEntryView): string {
  const parts: string[] = [];
  if (e.detail.fields?.length) parts.push(`fields: ${e.detail.fields.join(', ')}`);
  if (e.detail.version !== undefined) parts.push(`version ${e.detail.version}`);
  if (e.detail.outcome) parts.push(`outcome: ${e.detail.outcome}`);
  if (e.detail.role) parts.push(`role: ${e.detail.previousRole ? `${e.detail.previousRole} → ` : ''}${e.detail.role}`);
  return parts.join(' · ');
}

export function AuditPage() {
  const [filter, setFilter] = useState<Filter>(noFilter);
  const query = useMemo(() => queryOf(filter), [filter]);
  const first = useAsync(() => api.audit.list({ ...query, limit: PAGE }), [query]);
  const [older, setOlder] = useState<{ items: AuditEntryView[]; nextCursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const toast = useToast();
  useEffect(() => setOlder(null), [query]);

  const items = [...(first.data?.items ?? []), ...(older?.items ?? [])];
  const nextCursor = older ? older.nextCursor : (first.data?.nextCursor ?? null);
  // The workspace's members, and anyone seen in the entries (a member since removed), are in the filter; the
  // people seen stay when it narrows the list to one of them.
  const [people, setPeople] = useState<Map<string, string>>(new Map());
  const members = useAsync(() => api.members.list(), []);
  useEffect(() => {
    if (members.data) setPeople((p) => new Map([...members.data!.map((m) => [m.id, m.email] as const), ...p]));
  }, [members.data]);
  useEffect(() => {
    const seen = items.filter((e) => e.user?.id && !people.has(e.user.id));
    if (seen.length) setPeople((p) => new Map([...p, ...seen.map((e) => [e.user!.id!, e.user!.email] as const)]));
  }, [items, people]);
  const setTo = (k: keyof Filter) => (v: string) => setFilter((f) => ({ ...f, [k]: v }));
  const filtered = JSON.stringify(filter) !== JSON.stringify(noFilter);

  const loadMore = async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await api.audit.list({ ...query, cursor: nextCursor, limit: PAGE });
      setOlder((o) => ({ items: [...(o?.items ?? []), ...page.items], nextCursor: page.nextCursor }));
    } catch (err) {
      toast(errorToastText(err), 'error');
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <div className="page audit-page">
      <div className="page-header">
        <div>
          <h1>Audit log</h1>
          <p className="muted">Who changed what in this workspace, and when: sign-ins, connections, bundles, tokens, status rules and settings. Field names are shown, never their values.</p>
        </div>
      </div>
      <form className="filters" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>Person</span>
          <select value={filter.userId} onChange={(e) => setTo('userId')(e.target.value)} data-testid="audit-filter-user">
            <option value="">Everyone</option>
            {[...people].map(([id, email]) => (
              <option key={id} value={id}>
                {email}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>What</span>
          <select value={filter.kind} onChange={(e) => setTo('kind')(e.target.value)} data-testid="audit-filter-kind">
            <option value="">Everything</option>
            {AUDIT_KIND_GROUPS.map((g) => (
              <optgroup key={g.prefix} label={g.label}>
                {g.kinds.length > 1 && <option value={g.prefix}>All of {g.label.toLowerCase()}</option>}
                {g.kinds.map((k) => (
                  <option key={k} value={k}>
                    {k}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
        <DateRange from={filter.from} to={filter.to} onFrom={setTo('from')} onTo={setTo('to')} />
        {filtered && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setFilter(noFilter)}>
            Clear
          </button>
        )}
      </form>
      {first.loading && !first.data && <Spinner label="Loading the audit log…" />}
      {first.error !== undefined && !first.data && <ErrorState title="Cannot load the audit log" error={first.error} onRetry={() => void first.reload()} />}
      {first.data && items.length === 0 && (
        <EmptyState title={filtered ? 'No entry matches' : 'Nothing recorded yet'}>
          {filtered ? 'Widen the dates, pick another person or kind, or clear the filters.' : 'Sign-ins and changes to connections, bundles, tokens and settings are listed here as they happen.'}
        </EmptyState>
      )}
      {items.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="audit-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>What</th>
                <th>Target</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-kind={e.kind}>
                  <td title={e.at}>{formatTime(e.at)}</td>
                  <td>{e.user?.email ?? <span className="muted">Bundles</span>}</td>
                  <td>{auditAction(e)}</td>
                  <td>{e.detail.name ?? <span className="muted">{e.targetType ?? ''}</span>}</td>
                  <td className="muted">{details(e)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor && (
        <button type="button" className="btn" onClick={() => void loadMore()} disabled={loadingMore} data-testid="audit-more">
          {loadingMore ? 'Loading…' : 'Load more'}
        </button>
      )}
    </div>
  );
}
