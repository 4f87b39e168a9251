// The message log's filters: provider, status, direction, dates, bundle and a text search.
import { DateRange, FilterSelect } from '../components/FilterSelect';
import { api } from '../api/client';
import { useAsync } from '../api/hooks';
import type { MessageFilter, ProviderDescriptor } from '../api/types';

export interface FilterState {
  provider: string;
  status: string;
  direction: '' | 'inbound' | 'outbound';
  from: string;
  to: string;
  flowId: string;
  search: string;
}

export const noFilter: FilterState = { provider: '', status: '', direction: '', from: '', to: '', flowId: '', search: '' };

/** The server searches 3 to 200 characters, among the 20,000 newest messages the other filters leave (SEARCH_WINDOW). */
export const SEARCH_MIN = 3;
const SEARCH_MAX = 200;

/** The statuses messages of these providers take (from their definitions), each once. */
function statusesOf(providers: Array<{ messageStatuses?: string[] }>): string[] {
  return [...new Set(providers.flatMap((p) => p.messageStatuses ?? []))];
}

function toIso(local: string, endOfDay: boolean): string | undefined {
  if (!local) return undefined;
  const d = new Date(`${local}T${endOfDay ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The query for the API; a search shorter than the server takes is left out (the form says so). */
export function queryOf(f: FilterState, search: string): MessageFilter {
  const q = search.trim();
  return {
    provider: f.provider || undefined,
    status: f.status || undefined,
    direction: f.direction || undefined,
    from: toIso(f.from, false),
    to: toIso(f.to, true),
    flowId: f.flowId || undefined,
    q: q.length >= SEARCH_MIN ? q : undefined,
  };
}


export function MessageFilters({ filter, setFilter, providers }: { filter: FilterState; setFilter: (f: (prev: FilterState) => FilterState) => void; providers: ProviderDescriptor[] }) {
  const flows = useAsync(() => api.flows.list(), []);
  const set = (k: keyof FilterState) => (e: { target: { value: string } }) => setFilter((f) => ({ ...f, [k]: e.target.value }));
  const searchTooShort = filter.search.trim().length > 0 && filter.search.trim().length < SEARCH_MIN;
  return (
    <form className="filters" aria-label="Filter messages" onSubmit={(e) => e.preventDefault()}>
      <label>
        <span>Search</span>
        <input type="search" value={filter.search} onChange={set('search')} placeholder="Text in the message" maxLength={SEARCH_MAX} data-testid="filter-search" aria-describedby={searchTooShort ? 'filter-search-hint' : undefined} />
      </label>
      {searchTooShort && (
        <span className="muted small" id="filter-search-hint" data-testid="filter-search-hint">
          Type at least {SEARCH_MIN} characters to search.
        </span>
      )}
      {!searchTooShort && (filter.search.trim() || filter.flowId) && (
        <span className="muted small" data-testid="filter-window-hint">
          Searches the 20,000 newest messages; set a date range to reach older ones.
        </span>
      )}
      <FilterSelect label="Bundle" value={filter.flowId} onChange={(v) => setFilter((f) => ({ ...f, flowId: v }))} options={(flows.data ?? []).map((f) => ({ value: f.id, label: f.name }))} testId="filter-flow" />
      <FilterSelect label="Provider" value={filter.provider} onChange={(v) => setFilter((f) => ({ ...f, provider: v }))} options={providers.map((p) => ({ value: p.id, label: p.title }))} testId="filter-provider" />
      <label>
        <span>Status</span>
        <select value={filter.status} onChange={set('status')} data-testid="filter-status">
          <option value="">All</option>
          {statusesOf(filter.provider ? providers.filter((p) => p.id === filter.provider) : providers).map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Direction</span>
        <select value={filter.direction} onChange={set('direction')} data-testid="filter-direction">
          <option value="">Both</option>
          <option value="inbound">Inbound</option>
          <option value="outbound">Outbound</option>
        </select>
      </label>
      <DateRange from={filter.from} to={filter.to} onFrom={(v) => setFilter((f) => ({ ...f, from: v }))} onTo={(v) => setFilter((f) => ({ ...f, to: v }))} />
      {Object.values(filter).some(Boolean) && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => setFilter(() => noFilter)}>
          Clear
        </button>
      )}
    </form>
  );
}
