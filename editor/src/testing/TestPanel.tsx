// The Test tab: runs the saved draft once on a recorded event or an edited sample, with writes stubbed unless
// "Send for real" is on, and pins an event or a test's outputs as the data behind the field picker.
import { useEffect, useState } from 'react';
import { errorMessage, errorToastText } from '../api/client';
import { useAsync } from '../api/hooks';
import type { NodeManifest } from '../api/types';
import { useToast } from '../components/toast';
import { ErrorState, Spinner } from '../components/ui';
import { TestResult } from './TestResult';
import { testApi, type RecordedEvent, type TestInput, type TestRun } from './testApi';

/** The node type whose steps a test answers from the panel instead of waiting (core.wait_for_reply). */
export const WAIT_FOR_REPLY = 'core.wait_for_reply';

export type PinnedData = { kind: 'event'; event: RecordedEvent } | { kind: 'test'; run: TestRun };

export interface TestPanelProps {
  flowId: string;
  /** Changes when the draft's trigger (type or connection) changes: the events are read again. */
  triggerKey: string;
  selected: { id: string; title: string; isTrigger: boolean } | null;
  manifests: Map<string, NodeManifest>;
  /** The draft's "Wait for reply" steps: a test answers each with the text typed here, or goes on on timeout. */
  waits?: Array<{ id: string; title: string }>;
  /** Saves what is pending: a test runs the saved draft. */
  flush(): Promise<boolean>;
  result: TestRun | null;
  onResult(run: TestRun | null): void;
  pinned: PinnedData | null;
  onPin(pin: PinnedData | null): void;
}

export function TestPanel(props: TestPanelProps) {
  const { flowId, triggerKey, selected, flush, result, onResult, pinned, onPin } = props;
  const toast = useToast();
  const events = useAsync(() => testApi.events(flowId), [flowId, triggerKey]);
  const [source, setSource] = useState<'event' | 'sample'>('event');
  const [eventId, setEventId] = useState('');
  const [sample, setSample] = useState('');
  const [live, setLive] = useState(false);
  const [busy, setBusy] = useState<null | 'bundle' | 'step'>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const waits = props.waits ?? [];

  const list = events.data ?? [];
  const chosen = list.find((e) => e.id === eventId) ?? list[0];
  useEffect(() => {
    if (events.data && events.data.length === 0) setSource('sample');
  }, [events.data]);
  useEffect(() => {
    if (source !== 'sample' || sample !== '') return;
    testApi.sample(flowId).then(
      (s) => setSample(JSON.stringify(s.payload, null, 2)),
      () => setSample('{}'),
    );
  }, [source, sample, flowId]);

  let sampleError: string | null = null;
  let parsedSample: Record<string, unknown> | null = null;
  if (source === 'sample') {
    try {
      const v = JSON.parse(sample || '{}') as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) parsedSample = v as Record<string, unknown>;
      else sampleError = 'The sample is a JSON object: { … }';
    } catch (err) {
      sampleError = `Not valid JSON: ${(err as Error).message}`;
    }
  }

  const run = async (kind: 'bundle' | 'step') => {
    const input: TestInput | null = source === 'event' ? (chosen ? { eventId: chosen.id } : null) : parsedSample ? { payload: parsedSample } : null;
    if (!input) return;
    setBusy(kind);
    setError(undefined);
    try {
      if (!(await flush())) return;
      const replies = Object.fromEntries(waits.filter((w) => (answers[w.id] ?? '').trim() !== '').map((w) => [w.id, { text: answers[w.id]!.trim() }]));
      const body: TestInput = {
        ...input,
        ...(kind === 'step' && selected ? { nodeId: selected.id } : {}),
        ...(live ? { live: true } : {}),
        ...(Object.keys(replies).length ? { replies } : {}),
      };
      const tested = await testApi.run(flowId, body);
      onResult(tested);
      toast(`Test ${tested.status}${live ? ' (sent for real)' : ''}`, tested.status === 'failed' ? 'error' : 'success');
    } catch (err) {
      setError(err);
      toast(`Could not test: ${errorToastText(err)}`, 'error');
    } finally {
      setBusy(null);
    }
  };

  const canStep = selected !== null && !selected.isTrigger;
  const ready = source === 'event' ? chosen !== undefined : parsedSample !== null;
  return (
    <div className="test-panel" data-testid="test-panel">
      <p className="muted small">
        Runs the draft once, without starting it. Steps that send or write answer a sample built from their output unless “Send for real” is on; a test is never
        counted in the message log or a daily send cap.
      </p>
      <fieldset className="test-source">
        <legend>Data</legend>
        <label>
          <input type="radio" name="test-source" checked={source === 'event'} onChange={() => setSource('event')} data-testid="test-source-event" /> A recorded event
        </label>
        <label>
          <input type="radio" name="test-source" checked={source === 'sample'} onChange={() => setSource('sample')} data-testid="test-source-sample" /> A sample I edit
        </label>
      </fieldset>
      {source === 'event' && (
        <EventChooser events={events.data} loading={events.loading} error={events.error} onRetry={() => void events.reload()} chosen={chosen} onChoose={setEventId} pinned={pinned} onPin={onPin} />
      )}
      {source === 'sample' && (
        <label className="field">
          <span>Trigger data (JSON)</span>
          <textarea className="mono" rows={8} value={sample} onChange={(e) => setSample(e.target.value)} spellCheck={false} data-testid="test-sample" aria-invalid={sampleError !== null} />
          {sampleError && (
            <span className="field-error" role="alert">
              {sampleError}
            </span>
          )}
        </label>
      )}
      {waits.length > 0 && (
        <fieldset className="test-replies" data-testid="test-replies">
          <legend>Replies</legend>
          {waits.map((w) => (
            <label key={w.id} className="field">
              <span>Answer “{w.title}” with…</span>
              <input
                value={answers[w.id] ?? ''}
                placeholder="Nothing: it goes on on timeout"
                onChange={(e) => setAnswers((all) => ({ ...all, [w.id]: e.target.value }))}
                data-testid={`test-reply-${w.id}`}
              />
            </label>
          ))}
        </fieldset>
      )}
      <label className={`test-live${live ? ' on' : ''}`}>
        <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} data-testid="test-live" /> Send for real
        {live && <span className="small"> — write steps call the provider: messages are really sent, orders really created.</span>}
      </label>
      <div className="btn-row">
        <button type="button" className="btn btn-primary btn-sm" disabled={!ready || busy !== null} onClick={() => void run('bundle')} data-testid="test-bundle">
          {busy === 'bundle' ? 'Testing…' : 'Test bundle'}
        </button>
        <button
          type="button"
          className="btn btn-sm"
          disabled={!ready || !canStep || busy !== null}
          onClick={() => void run('step')}
          title={canStep ? `Runs ${selected!.title} with what runs before it` : 'Select an action on the canvas to test it alone'}
          data-testid="test-step"
        >
          {busy === 'step' ? 'Testing…' : canStep ? `Test step “${selected!.title}”` : 'Test step'}
        </button>
      </div>
      {error !== undefined && <div className="field-error" role="alert">{errorMessage(error)}</div>}
      {result && (
        <TestResult
          run={result}
          manifests={props.manifests}
          pinned={pinned?.kind === 'test' && pinned.run.id === result.id}
          onPin={() => onPin({ kind: 'test', run: result })}
          onClose={() => onResult(null)}
        />
      )}
      {busy && <Spinner label="Running the test…" />}
    </div>
  );
}

function EventChooser({
  events,
  loading,
  error,
  onRetry,
  chosen,
  onChoose,
  pinned,
  onPin,
}: {
  events: RecordedEvent[] | undefined;
  loading: boolean;
  error: unknown;
  onRetry(): void;
  chosen: RecordedEvent | undefined;
  onChoose(id: string): void;
  pinned: PinnedData | null;
  onPin(pin: PinnedData | null): void;
}) {
  if (!events && loading) return <Spinner label="Loading recent events…" />;
  if (!events && error !== undefined) return <ErrorState title="Cannot load the recent events" error={error} onRetry={onRetry} />;
  if (!events || events.length === 0) {
    return (
      <p className="empty-note" data-testid="test-no-events">
        No event received yet for this trigger. Send one from the provider (events received while the bundle is stopped are kept too), or test with a sample.
      </p>
    );
  }
  const isPinned = pinned?.kind === 'event' && pinned.event.id === chosen?.id;
  return (
    <div className="test-events">
      <label className="field">
        <span>Event</span>
        <select value={chosen?.id ?? ''} onChange={(e) => onChoose(e.target.value)} data-testid="test-event">
          {events.map((e) => (
            <option key={e.id} value={e.id}>
              {new Date(e.receivedAt).toLocaleString()} — {e.summary}
              {e.runId ? '' : ' (did not run)'}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="btn btn-sm" onClick={() => onPin(isPinned ? null : { kind: 'event', event: chosen! })} data-testid="pin-event" aria-pressed={isPinned}>
        {isPinned ? 'Unpin from the field picker' : 'Use in the field picker'}
      </button>
      {isPinned && <span className="tag tag-info" data-testid="pinned-tag">pinned</span>}
    </div>
  );
}
