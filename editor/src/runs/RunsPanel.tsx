import { useState } from 'react';
import { api, errorMessage } from '../api/client';
import type { NodeManifest, Run, RunDetail } from '../api/types';
import { JsonTree } from '../components/JsonTree';
import { useToast } from '../components/toast';
import { EmptyState, ErrorState, Spinner, StatusPill, formatDuration, formatTime, timeAgo } from '../components/ui';

export const FINAL_RUN_STATUSES = new Set(['succeeded', 'failed', 'filtered']);

export function RunsPanel({
  runs,
  runsError,
  openRunId,
  openRun,
  openRunError,
  manifests,
  onOpen,
  onRetried,
}: {
  runs: Run[] | undefined;
  runsError: unknown;
  openRunId: string | null;
  openRun: RunDetail | undefined;
  openRunError: unknown;
  manifests: Map<string, NodeManifest>;
  onOpen: (id: string | null) => void;
  onRetried: (run: Run) => void;
}) {
  const toast = useToast();
  const [retrying, setRetrying] = useState(false);

  if (openRunId) {
    const retry = async () => {
      setRetrying(true);
      try {
        const run = await api.runs.retry(openRunId);
        toast('Run queued again', 'success');
        onRetried(run);
      } catch (err) {
        toast(errorMessage(err), 'error');
      } finally {
        setRetrying(false);
      }
    };
    return (
      <div className="run-detail" data-testid="run-detail">
        <div className="run-detail-head">
          <button type="button" className="btn btn-sm btn-ghost" onClick={() => onOpen(null)} data-testid="run-close">
            ← All runs
          </button>
          {openRun?.status === 'failed' && (
            <button type="button" className="btn btn-sm btn-primary" onClick={() => void retry()} disabled={retrying} data-testid="run-retry">
              {retrying ? 'Retrying…' : 'Retry run'}
            </button>
          )}
        </div>
        {!openRun && !openRunError && <Spinner label="Loading run…" />}
        {openRunError !== undefined && !openRun && <ErrorState error={openRunError} />}
        {openRun && (
          <>
            <div className="run-summary">
              <StatusPill status={openRun.status} />
              <span className="muted small">
                {formatTime(openRun.createdAt)} · {formatDuration(openRun.startedAt, openRun.finishedAt)}
              </span>
            </div>
            {openRun.error && (
              <div className="step-error" role="alert">
                {openRun.error.code && <code>{openRun.error.code}</code>} {openRun.error.message}
              </div>
            )}
            <details className="step-card">
              <summary>
                <span className="step-card-title">Trigger event</span>
              </summary>
              <JsonTree value={openRun.trigger} />
            </details>
            {openRun.steps.length === 0 && <p className="muted small">No step has run yet.</p>}
            {openRun.steps.map((s) => (
              <details key={s.nodeId} className={`step-card step-card-${s.status}`} data-testid={`step-${s.nodeId}`} open={s.status === 'failed' || openRun.steps.length <= 3}>
                <summary>
                  <span className="step-card-title">
                    {manifests.get(s.nodeType)?.title ?? s.nodeType} <code className="muted">{s.nodeId}</code>
                  </span>
                  <StatusPill status={s.status} />
                </summary>
                <p className="muted small">
                  {s.attempts} attempt{s.attempts === 1 ? '' : 's'} · {formatDuration(s.startedAt, s.finishedAt)}
                </p>
                {s.error && (
                  <div className="step-error" role="alert">
                    {s.error.code && <code>{s.error.code}</code>} {s.error.message}
                    {s.error.retryable && <span className="muted"> (retryable)</span>}
                  </div>
                )}
                <div className="step-io" data-testid={`step-input-${s.nodeId}`}>
                  <h4>Input</h4>
                  <JsonTree value={s.input} />
                </div>
                <div className="step-io" data-testid={`step-output-${s.nodeId}`}>
                  <h4>Output</h4>
                  <JsonTree value={s.output} />
                </div>
              </details>
            ))}
          </>
        )}
      </div>
    );
  }

  if (runsError !== undefined && !runs) return <ErrorState error={runsError} />;
  if (!runs) return <Spinner label="Loading runs…" />;
  if (runs.length === 0)
    return (
      <EmptyState title="No runs yet">
        Start the bundle, then every matching event shows up here within a couple of seconds.
      </EmptyState>
    );
  return (
    <ul className="runs-list" data-testid="runs-list" aria-label="Runs, newest first">
      {runs.map((r) => (
        <li key={r.id}>
          <button type="button" className="run-row" onClick={() => onOpen(r.id)} data-testid={`run-row-${r.id}`} data-status={r.status}>
            <StatusPill status={r.status} />
            <span className="run-row-time" title={formatTime(r.createdAt)}>
              {timeAgo(r.createdAt)}
            </span>
            <span className="muted small">{formatDuration(r.startedAt, r.finishedAt)}</span>
            {r.error && <span className="run-row-error">{r.error.message}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}
