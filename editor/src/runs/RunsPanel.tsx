import { useState } from 'react';
import { api, errorToastText } from '../api/client';
import type { NodeManifest, Run, RunDetail } from '../api/types';
import { JsonTree } from '../components/JsonTree';
import { useToast } from '../components/toast';
import { EmptyState, ErrorState, STATUS_WORDING, Spinner, StatusPill, formatDuration, formatTime, timeAgo } from '../components/ui';
import { StepCard } from './StepCard';
import { useRole } from '../lib/role';

export { FINAL_RUN_STATUSES } from './runStatus';

export function RunsPanel({
  runs,
  runsError,
  openRunId,
  openRun,
  openRunError,
  manifests,
  providerTitles,
  onOpen,
  onRetried,
  onRunChanged,
  liveVersion,
}: {
  runs: Run[] | undefined;
  runsError: unknown;
  openRunId: string | null;
  openRun: RunDetail | undefined;
  openRunError: unknown;
  manifests: Map<string, NodeManifest>;
  providerTitles: Map<string, string>;
  onOpen: (id: string | null) => void;
  /** The bundle's live version, offered to a retry when the run ran another one. */
  liveVersion?: { id: string; number: number } | null;
  onRetried: (run: Run) => void;
  /** The open run changed (a step was settled): show `fresh` if given, and load it again. */
  onRunChanged: (fresh?: RunDetail) => void;
}) {
  if (openRunId) {
    return (
      <div className="run-detail" data-testid="run-detail">
        <RunDetailHead run={openRun} runId={openRunId} liveVersion={liveVersion ?? null} onClose={() => onOpen(null)} onRetried={onRetried} />
        {!openRun && !openRunError && <Spinner label="Loading run…" />}
        {openRunError !== undefined && !openRun && <ErrorState error={openRunError} />}
        {openRun && <RunDetailView run={openRun} manifests={manifests} providerTitles={providerTitles} onRunChanged={onRunChanged} />}
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
  return <RunList runs={runs} onOpen={onOpen} />;
}

function RunDetailHead({ run, runId, liveVersion, onClose, onRetried }: { run: RunDetail | undefined; runId: string; liveVersion: { id: string; number: number } | null; onClose: () => void; onRetried: (run: Run) => void }) {
  const toast = useToast();
  const [retrying, setRetrying] = useState<'original' | 'live' | null>(null);
  const retry = async (version: 'original' | 'live') => {
    setRetrying(version);
    try {
      const queued = await api.runs.retry(runId, version);
      toast(version === 'live' && liveVersion ? `Run queued again on version ${liveVersion.number}` : 'Run queued again', 'success');
      onRetried(queued);
    } catch (err) {
      toast(errorToastText(err), 'error');
    } finally {
      setRetrying(null);
    }
  };
  // The run ran another version than the live one (the bundle was fixed since): the user picks.
  const ranOther = Boolean(run && liveVersion && run.versionId !== liveVersion.id);
  const { can, whyNot } = useRole();
  const failed = run?.status === 'failed' && can('editBundles');
  const ran = run?.versionNumber ? `v${run.versionNumber}` : 'its version';
  return (
    <div className="run-detail-head">
      <button type="button" className="btn btn-sm btn-ghost" onClick={onClose} data-testid="run-close">
        ← All runs
      </button>
      {run?.status === 'failed' && !failed && <span className="role-note">Retrying is an editor’s: {whyNot('editBundles')}</span>}
      {failed && !ranOther && (
        <button type="button" className="btn btn-sm btn-primary" onClick={() => void retry('original')} disabled={retrying !== null} data-testid="run-retry">
          {retrying ? 'Retrying…' : 'Retry run'}
        </button>
      )}
      {failed && ranOther && (
        <span className="btn-row" role="group" aria-label="Retry on which version">
          <button type="button" className="btn btn-sm btn-primary" onClick={() => void retry('live')} disabled={retrying !== null} data-testid="run-retry-live">
            {retrying === 'live' ? 'Retrying…' : `Retry on live v${liveVersion!.number}`}
          </button>
          <button type="button" className="btn btn-sm" onClick={() => void retry('original')} disabled={retrying !== null} data-testid="run-retry-original">
            {retrying === 'original' ? 'Retrying…' : `Retry on ${ran} (what it ran)`}
          </button>
        </span>
      )}
    </div>
  );
}

function RunDetailView({ run, manifests, providerTitles, onRunChanged }: { run: RunDetail; manifests: Map<string, NodeManifest>; providerTitles: Map<string, string>; onRunChanged: (fresh?: RunDetail) => void }) {
  const uncertain = run.status === 'uncertain';
  return (
    <>
      <div className="run-summary" data-testid="run-summary" data-status={run.status}>
        <StatusPill status={run.status} />
        <span className="muted small">
          {formatTime(run.createdAt)} · {formatDuration(run.startedAt, run.finishedAt)}
          {run.versionNumber ? ` · v${run.versionNumber}` : ''}
        </span>
      </div>
      {run.attempts && run.attempts.length > 1 && (
        <ol className="run-attempts" data-testid="run-attempts" aria-label="Attempts">
          {run.attempts.map((a) => (
            <li key={a.number} data-testid={`run-attempt-${a.number}`}>
              Attempt {a.number} · {a.versionNumber ? `v${a.versionNumber}` : 'a removed version'}
              {a.retriedOn === 'live' ? ' (live, on retry)' : a.retriedOn === 'original' ? ' (as it ran, on retry)' : ''} · <StatusPill status={a.status} />
              {a.error?.message && a.number < run.attempts!.length && <span className="muted small"> {a.error.message}</span>}
            </li>
          ))}
        </ol>
      )}
      {uncertain && (
        <div className="banner banner-uncertain" role="status" data-testid="run-uncertain-banner">
          <strong>{STATUS_WORDING.uncertain}.</strong> The steps after it wait for you; the bundle’s other branches went on. Settle it below.
        </div>
      )}
      {run.error && !uncertain && (
        <div className="step-error" role="alert">
          {run.error.code && <code>{run.error.code}</code>} {run.error.message}
        </div>
      )}
      <details className="step-card">
        <summary>
          <span className="step-card-title">Trigger event</span>
        </summary>
        <JsonTree value={run.trigger} />
      </details>
      {run.steps.length === 0 && <p className="muted small">No step has run yet.</p>}
      {run.steps.map((s) => (
        <StepCard
          key={s.nodeId}
          runId={run.id}
          step={s}
          manifest={manifests.get(s.nodeType)}
          providerTitles={providerTitles}
          open={s.status === 'failed' || s.status === 'uncertain' || run.steps.length <= 3}
          onRunChanged={onRunChanged}
        />
      ))}
    </>
  );
}

function RunList({ runs, onOpen }: { runs: Run[]; onOpen: (id: string) => void }) {
  return (
    <ul className="runs-list" data-testid="runs-list" aria-label="Runs, newest first">
      {runs.map((r) => (
        <li key={r.id}>
          <button type="button" className={`run-row run-row-${r.status}`} onClick={() => onOpen(r.id)} data-testid={`run-row-${r.id}`} data-status={r.status}>
            <StatusPill status={r.status} />
            <span className="run-row-time" title={formatTime(r.createdAt)}>
              {timeAgo(r.createdAt)}
            </span>
            <span className="muted small">{formatDuration(r.startedAt, r.finishedAt)}</span>
            {r.status === 'uncertain' && <span className="run-row-note">Needs your decision: may or may not have been sent</span>}
            {r.error && r.status !== 'uncertain' && <span className="run-row-error">{r.error.message}</span>}
          </button>
        </li>
      ))}
    </ul>
  );
}
