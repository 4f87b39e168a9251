import { useEffect, useState } from 'react';
import { api, ApiError, errorMessage } from '../api/client';

const debounceMs = 300;

let workspaceZone: Promise<string> | null = null;
/** The workspace's time zone (read once), else the browser's. */
function workspaceTimeZone(): Promise<string> {
  workspaceZone ??= api.settings
    .workspace()
    .then((w) => w.timeZone)
    .catch(() => {
      workspaceZone = null;
      return Intl.DateTimeFormat().resolvedOptions().timeZone;
    });
  return workspaceZone;
}

type Preview = { kind: 'idle' } | { kind: 'loading' } | { kind: 'ticks'; next: string[]; zone: string } | { kind: 'problem'; message: string };

/** A time as the workspace reads it, e.g. "Wed, 2 Dec 2026, 09:00". */
export function formatTick(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

/**
 * The next three runs of a cron (GET /api/node-types/core.schedule/preview), in the workspace's time zone,
 * asked again a moment after the user stops typing. A cron the server refuses shows its reason, unless the
 * field already shows the save-time problem.
 */
export function SchedulePreview({ cron, timezone, invalid }: { cron: string; timezone: string; invalid?: boolean }) {
  const [preview, setPreview] = useState<Preview>({ kind: 'idle' });
  useEffect(() => {
    if (!cron.trim()) {
      setPreview({ kind: 'idle' });
      return;
    }
    let stale = false;
    setPreview((p) => (p.kind === 'ticks' ? p : { kind: 'loading' }));
    const timer = setTimeout(() => {
      Promise.all([api.schedulePreview({ cron, ...(timezone ? { timezone } : {}) }), workspaceTimeZone()])
        .then(([answer, zone]) => !stale && setPreview({ kind: 'ticks', next: answer.next, zone }))
        .catch((err: unknown) => {
          if (stale) return;
          const issue = err instanceof ApiError ? err.issues[0] : undefined;
          setPreview({ kind: 'problem', message: issue ? `${issue.field === 'timezone' ? 'Time zone' : 'Cron'}: ${issue.message}` : errorMessage(err) });
        });
    }, debounceMs);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [cron, timezone]);

  if (preview.kind === 'idle') return null;
  if (preview.kind === 'problem') {
    return invalid ? null : (
      <span className="field-help schedule-preview" data-testid="schedule-preview" role="status">
        {preview.message}
      </span>
    );
  }
  if (preview.kind === 'loading') {
    return (
      <span className="field-help schedule-preview muted" data-testid="schedule-preview">
        Working out the next runs…
      </span>
    );
  }
  return (
    <div className="field-help schedule-preview" data-testid="schedule-preview" aria-live="polite">
      Next runs ({preview.zone}):
      <ul data-testid="schedule-preview-ticks">
        {preview.next.map((t) => (
          <li key={t}>
            <time dateTime={t}>{formatTick(t, preview.zone)}</time>
          </li>
        ))}
      </ul>
    </div>
  );
}
