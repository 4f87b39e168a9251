import { api } from '../api/client';
import { useAsync } from '../api/hooks';
import type { Connection } from '../api/types';
import { ErrorState, Spinner } from '../components/ui';

/** A messaging connection's sends today against its daily cap ("today 37 / 500"), refreshed while shown. */
export function SendUsage({ connection: c }: { connection: Connection }) {
  // The config in the key: a cap just edited is read again at once.
  const usage = useAsync(() => api.connections.usage(c.id), [c.id, String(c.config.dailyCap ?? '')], 10_000);
  const atCap = c.config.atCap === 'fail' ? 'sends fail with daily_cap_reached' : 'sends wait until the next day';
  return (
    <section className="detail-section" data-testid="send-usage">
      <h3>Daily send cap</h3>
      {usage.loading && !usage.data && <Spinner />}
      {usage.error !== undefined && !usage.data && <ErrorState error={usage.error} onRetry={() => void usage.reload()} />}
      {usage.data && usage.data.cap !== null && (
        <p>
          <strong data-testid="send-usage-figure" className={usage.data.today >= usage.data.cap ? 'text-error' : undefined}>
            today {usage.data.today} / {usage.data.cap}
          </strong>{' '}
          <span className="muted small">
            ({usage.data.day}, the workspace&apos;s time zone; at the cap {atCap})
          </span>
        </p>
      )}
      {usage.data && usage.data.cap === null && (
        <p className="muted small" data-testid="send-usage-none">
          No daily cap: every send goes out. Edit the connection to set one (messages a day, counted in the workspace&apos;s time zone).
        </p>
      )}
    </section>
  );
}
