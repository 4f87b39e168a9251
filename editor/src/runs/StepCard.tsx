import { errorTextOf } from '@bundles/shared/error-texts';
import type { NodeManifest, RunDetail, Step } from '../api/types';
import { JsonTree } from '../components/JsonTree';
import { STATUS_WORDING, StatusPill, formatDuration } from '../components/ui';
import { RESOLUTION_LABELS } from './runStatus';
import { UncertainStepActions } from './UncertainStepActions';
import { ForEachElements } from './ForEachElements';

/** The system a person checks to settle an uncertain step: the node's provider, or what a core node calls. */
export function checkTarget(manifest: NodeManifest | undefined, providerTitles: Map<string, string>): string {
  if (!manifest || manifest.provider === 'core') return 'the system it calls';
  return providerTitles.get(manifest.provider) ?? manifest.provider;
}

export function ResolutionBadge({ resolution }: { resolution: Step['resolution'] }) {
  if (!resolution) return null;
  return (
    <span className="tag tag-resolution" data-testid="step-resolution">
      {RESOLUTION_LABELS[resolution]}
    </span>
  );
}

/** A settled step keeps the error that made it uncertain: shown as history, not as a failure. */
function StepErrorBox({ step: s }: { step: Step }) {
  if (!s.error) return null;
  const settled = s.resolution !== null && s.status === 'succeeded';
  const tone = s.status === 'uncertain' ? ' step-error-uncertain' : settled ? ' step-error-settled' : '';
  // The runtime's own codes say what to do; a provider's code and message are shown as it sent them.
  const hint = s.error.code !== undefined ? errorTextOf(String(s.error.code))?.hint : undefined;
  return (
    <div className={`step-error${tone}`} role={settled ? undefined : 'alert'} data-testid={`step-error-${s.nodeId}`}>
      {settled && <span>Before it was settled: </span>}
      {s.error.code && <code>{s.error.code}</code>} {s.error.message}
      {s.error.retryable && s.status === 'failed' && <span className="muted"> (retryable)</span>}
      {!settled && hint && <div className="muted small step-error-hint">{hint}</div>}
    </div>
  );
}

export function StepCard({
  runId,
  step: s,
  manifest,
  providerTitles,
  open,
  onRunChanged,
}: {
  runId: string;
  step: Step;
  manifest: NodeManifest | undefined;
  providerTitles: Map<string, string>;
  open: boolean;
  onRunChanged: (fresh?: RunDetail) => void;
}) {
  const uncertain = s.status === 'uncertain';
  return (
    <details className={`step-card step-card-${s.status}`} data-testid={`step-${s.nodeId}`} data-status={s.status} open={open}>
      <summary>
        <span className="step-card-title">
          {manifest?.title ?? s.nodeType} <code className="muted">{s.nodeId}</code>
          <ResolutionBadge resolution={s.resolution} />
        </span>
        <StatusPill status={s.status} />
      </summary>
      {uncertain && <p className="uncertain-wording">{STATUS_WORDING.uncertain}</p>}
      <p className="muted small">
        {s.attempts} attempt{s.attempts === 1 ? '' : 's'} · {formatDuration(s.startedAt, s.finishedAt)}
        {s.handle && <span data-testid={`step-handle-${s.nodeId}`}> · went on on “{s.handle}”</span>}
      </p>
      {s.error && <StepErrorBox step={s} />}
      {uncertain && <UncertainStepActions runId={runId} step={s} where={checkTarget(manifest, providerTitles)} onRunChanged={onRunChanged} />}
      <ForEachElements step={s} />
      <div className="step-io" data-testid={`step-input-${s.nodeId}`}>
        <h4>Input</h4>
        <JsonTree value={s.input} />
      </div>
      <div className="step-io" data-testid={`step-output-${s.nodeId}`}>
        <h4>Output</h4>
        <JsonTree value={s.output} />
      </div>
    </details>
  );
}
