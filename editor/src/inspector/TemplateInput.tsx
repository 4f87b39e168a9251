import { useMemo, useRef, useState } from 'react';
import type { PickerGroup } from './fieldPaths';
import { FieldPicker } from './FieldPicker';
import { SmsCounter } from './SmsCounter';
import { hasTemplate, renderTemplate } from './template';

export interface TemplateSupport {
  groups: PickerGroup[];
  context: object;
  fromRun: boolean;
}

/** A text field that accepts `{{ … }}` templates: field picker, live preview, optional SMS counter. */
export function TemplateInput({
  id,
  value,
  onChange,
  multiline,
  sms,
  smsMaxSegments,
  placeholder,
  invalid,
  describedBy,
  support,
  testId,
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  multiline: boolean;
  sms: boolean;
  /** The most segments the SMS may take (shown by the counter, an error when a static text needs more). */
  smsMaxSegments?: number | undefined;
  placeholder?: string;
  invalid?: boolean;
  describedBy?: string;
  support?: TemplateSupport;
  testId?: string;
}) {
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const cursor = useRef<{ start: number; end: number } | null>(null);
  const [picking, setPicking] = useState(false);

  const remember = () => {
    const el = ref.current;
    if (el) cursor.current = { start: el.selectionStart ?? value.length, end: el.selectionEnd ?? value.length };
  };

  const insert = (expression: string) => {
    const token = `{{ ${expression} }}`;
    const { start, end } = cursor.current ?? { start: value.length, end: value.length };
    const next = value.slice(0, start) + token + value.slice(end);
    onChange(next);
    setPicking(false);
    const pos = start + token.length;
    cursor.current = { start: pos, end: pos };
    requestAnimationFrame(() => {
      const el = ref.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(pos, pos);
    });
  };

  const templated = hasTemplate(value);
  const rendered = useMemo(() => (templated && support ? renderTemplate(value, support.context) : null), [templated, value, support]);
  const smsText = rendered?.ok ? rendered.text : value;

  const common = {
    id,
    ref,
    value,
    placeholder,
    'aria-invalid': invalid || undefined,
    'aria-describedby': describedBy,
    'data-testid': testId,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value),
    onSelect: remember,
    onKeyUp: remember,
    onClick: remember,
    onBlur: remember,
  };

  return (
    <div className="template-input">
      <div className="template-input-row">
        {multiline ? <textarea rows={4} {...common} /> : <input type="text" {...common} />}
        <button
          type="button"
          className="btn btn-sm insert-field-btn"
          aria-expanded={picking}
          aria-label="Insert field"
          title="Insert a field from an upstream node"
          data-testid={`${testId ?? id}-insert`}
          onMouseDown={remember}
          onClick={() => setPicking(!picking)}
        >
          {'{ }'}
        </button>
      </div>
      {picking && <FieldPicker groups={support?.groups ?? []} onPick={insert} onClose={() => setPicking(false)} />}
      {templated && rendered && (
        <div className={`template-preview${rendered.ok ? '' : ' error'}`} data-testid={`${testId ?? id}-preview`}>
          <span className="template-preview-label">{rendered.ok ? (support?.fromRun ? 'Preview (last run)' : 'Preview (sample values)') : 'Template error'}</span>
          <span className="template-preview-text">{rendered.ok ? rendered.text : rendered.error}</span>
        </div>
      )}
      {sms && <SmsCounter text={smsText} rendered={Boolean(templated && rendered?.ok)} maxSegments={smsMaxSegments} />}
    </div>
  );
}
