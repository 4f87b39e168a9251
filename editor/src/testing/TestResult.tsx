// One test run's outcome: each step that ran with its status, what it got and answered, and whether it was stubbed.
import { errorTextOf } from '@bundles/shared/error-texts';
import type { NodeManifest } from '../api/types';
import { JsonTree } from '../components/JsonTree';
import { StatusPill } from '../components/ui';
import type { TestRun } from './testApi';

export function TestResult({ run, manifests, pinned, onPin, onClose }: { run: TestRun; manifests: Map<string, NodeManifest>; pinned: boolean; onPin(): void; onClose(): void }) {
  const stubbed = run.steps.filter((s) => s.stubbed).length;
  return (
    <section className="test-result" data-testid="test-run-result" data-status={run.status} aria-label="Test result">
      <header className="test-result-head">
        <span className="tag tag-test">test</span>
        <StatusPill status={run.status} />
        <span className="muted small">
          {run.nodeId ? `step ${run.nodeId}` : 'whole bundle'} · {run.live ? 'sent for real' : stubbed > 0 ? `${stubbed} write${stubbed === 1 ? '' : 's'} stubbed` : 'nothing to stub'}
        </span>
        <span className="toolbar-spacer" />
        <button type="button" className="link-btn" onClick={onPin} disabled={pinned} data-testid="pin-test">
          {pinned ? 'in the field picker' : 'Use outputs in the field picker'}
        </button>
        <button type="button" className="link-btn" onClick={onClose} data-testid="test-close">
          close
        </button>
      </header>
      <ol className="test-steps">
        {run.steps.map((s) => (
          <li key={s.nodeId} className={`test-step test-step-${s.status}`} data-testid={`test-step-${s.nodeId}`} data-status={s.status} data-stubbed={s.stubbed}>
            <div className="test-step-head">
              <strong>{manifests.get(s.nodeType)?.title ?? s.nodeType}</strong> <code className="muted">{s.nodeId}</code>
              <StatusPill status={s.status} />
              {s.recorded && (
                <span className="tag" title="Taken from the event's real run, not run again" data-testid={`test-recorded-${s.nodeId}`}>
                  from the run
                </span>
              )}
              {s.skippedWait && <span className="tag" title="A test does not wait">would wait until {new Date(s.skippedWait).toLocaleString()}</span>}
              {s.stubbed && (
                <span className="tag tag-info" title="A sample answer: the provider was not called" data-testid={`test-stubbed-${s.nodeId}`}>
                  stubbed
                </span>
              )}
            </div>
            {s.error && (
              <div className="step-error" role="alert" data-testid={`test-error-${s.nodeId}`}>
                {s.error.code && <code>{s.error.code}</code>} {s.error.message}
                {s.error.code !== undefined && errorTextOf(String(s.error.code))?.hint && <div className="muted small">{errorTextOf(String(s.error.code))!.hint}</div>}
              </div>
            )}
            {s.input !== null && s.input !== undefined && <JsonTree value={s.input} label="input" defaultOpen={0} />}
            {s.output !== null && s.output !== undefined && <JsonTree value={s.output} label="output" defaultOpen={1} />}
          </li>
        ))}
      </ol>
    </section>
  );
}
