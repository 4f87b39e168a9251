// The workspace's time zone (GET/PUT /api/settings/time-zone): the days of connections' daily send caps.
import { useState } from 'react';
import { api, ApiError, errorMessage } from '../api/client';
import { useAsync } from '../api/hooks';
import { useToast } from '../components/toast';
import { ErrorState } from '../components/ui';

/** The zones this browser knows, for suggestions (the server checks the name). */
const knownZones: string[] = (() => {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
})();

export function TimeZoneSection() {
  const stored = useAsync(() => api.settings.timeZone(), []);
  return (
    <section className="settings-section" aria-labelledby="time-zone-title">
      <h2 id="time-zone-title">Time zone</h2>
      <p className="muted">The days of daily send caps begin at midnight in this zone.</p>
      {stored.error !== undefined && !stored.data && <ErrorState title="Cannot load the time zone" error={stored.error} onRetry={() => void stored.reload()} />}
      {stored.data && <TimeZoneForm timeZone={stored.data.timeZone} onSaved={(timeZone) => stored.setData({ timeZone })} />}
    </section>
  );
}

function TimeZoneForm({ timeZone, onSaved }: { timeZone: string; onSaved: (timeZone: string) => void }) {
  const toast = useToast();
  const [draft, setDraft] = useState(timeZone);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const changed = draft.trim() !== timeZone;

  const submit = async () => {
    if (draft.trim() === '') return setError('Enter a time zone, e.g. America/Sao_Paulo or UTC.');
    setBusy(true);
    setError(null);
    try {
      const saved = await api.settings.saveTimeZone(draft.trim());
      onSaved(saved.timeZone);
      setDraft(saved.timeZone);
      toast('Time zone saved', 'success');
    } catch (err) {
      setError(err instanceof ApiError ? (err.issues.find((i) => i.field === 'timeZone')?.message ?? err.message) : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="form"
      noValidate
      data-testid="time-zone-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className={`field${error ? ' has-error' : ''}`}>
        <label className="field-label" htmlFor="settings-time-zone">
          Time zone
        </label>
        <input
          id="settings-time-zone"
          list="settings-time-zones"
          value={draft}
          maxLength={64}
          onChange={(e) => {
            setDraft(e.target.value);
            setError(null);
          }}
          aria-invalid={error ? true : undefined}
          data-testid="settings-time-zone"
        />
        <datalist id="settings-time-zones">
          {knownZones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <span className="field-help">An IANA name such as America/Sao_Paulo, Europe/Lisbon or UTC (the default).</span>
        {error && (
          <span className="field-error" role="alert" data-testid="time-zone-error">
            {error}
          </span>
        )}
      </div>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy || !changed} data-testid="time-zone-save">
          {busy ? 'Saving…' : 'Save time zone'}
        </button>
      </div>
    </form>
  );
}
