import type { OptionItem } from '../api/types';
import type { FieldSpec } from './schemaFields';

const CURRENT = '__current';

/**
 * A select over a connection's option list: options that cannot be chosen are shown greyed with their
 * reason, the chosen one's description and text below; choosing one hands the whole option over (it
 * may set other fields too, e.g. a template's language).
 */
export function OptionSelect({
  field: f,
  id,
  value,
  options,
  chosen,
  showText,
  onChoose,
  onReload,
  aria,
}: {
  field: FieldSpec;
  id: string;
  value: unknown;
  options: OptionItem[];
  chosen: OptionItem | undefined;
  /** Show the chosen option's text (off when a variables field shows it with the values filled in). */
  showText: boolean;
  onChoose: (option: OptionItem | undefined) => void;
  onReload: () => void;
  aria: Record<string, unknown>;
}) {
  const testId = `field-${f.key}`;
  const index = chosen ? options.indexOf(chosen) : -1;
  const current = index >= 0 ? String(index) : value === undefined || value === null || value === '' ? '' : CURRENT;
  const noun = f.title.toLowerCase().replace(/s?$/, 's');
  return (
    <div className="option-select">
      <div className="select-row">
        <select
          id={id}
          value={current}
          onChange={(e) => {
            const v = e.target.value;
            if (v === CURRENT) return;
            const option = v === '' ? undefined : options[Number(v)];
            if (option?.disabled) return;
            onChoose(option);
          }}
          data-testid={testId}
          {...aria}
        >
          <option value="">{f.required ? 'Choose…' : '—'}</option>
          {current === CURRENT && <option value={CURRENT}>{String(value)} (not in this account)</option>}
          {options.map((o, i) => (
            <option key={i} value={String(i)} disabled={o.disabled} title={o.disabledReason ?? o.description} data-testid={`${testId}-option-${i}`}>
              {o.disabled && o.disabledReason ? `${o.label} — ${o.disabledReason}` : o.label}
            </option>
          ))}
        </select>
        <button type="button" className="icon-btn" aria-label={`Reload ${f.title} options`} title="Reload options" onClick={onReload}>
          ↻
        </button>
      </div>
      {options.length === 0 && (
        <span className="field-help" data-testid={`${testId}-empty`}>
          No {noun} in this account.
        </span>
      )}
      {chosen?.description && <span className="field-help">{chosen.description}</span>}
      {showText && chosen?.details?.text !== undefined && (
        <div className="template-preview" data-testid={`${testId}-text`}>
          <span className="template-preview-label">Template text</span>
          <span className="template-preview-text">{chosen.details.text}</span>
        </div>
      )}
    </div>
  );
}
