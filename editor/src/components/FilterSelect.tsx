// A labelled select of a filter bar (the Runs and Messages pages): "All" (or another word) first, then the choices.
export function FilterSelect({ label, value, onChange, options, anyLabel = 'All', testId }: { label: string; value: string; onChange: (v: string) => void; options: Array<{ value: string; label: string }>; anyLabel?: string; testId?: string }) {
  return (
    <label>
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        <option value="">{anyLabel}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** From and To dates of a filter bar. */
export function DateRange({ from, to, onFrom, onTo }: { from: string; to: string; onFrom: (v: string) => void; onTo: (v: string) => void }) {
  return (
    <>
      <label>
        <span>From</span>
        <input type="date" value={from} onChange={(e) => onFrom(e.target.value)} />
      </label>
      <label>
        <span>To</span>
        <input type="date" value={to} onChange={(e) => onTo(e.target.value)} />
      </label>
    </>
  );
}
