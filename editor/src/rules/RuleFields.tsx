// The parts of a status rule's form: statuses, sender, message or template with its variables.
import { useMemo } from 'react';
import { api } from '../api/client';
import { useAsync } from '../api/hooks';
import type { Connection, OptionItem } from '../api/types';
import { TemplateInput, type TemplateSupport } from '../inspector/TemplateInput';
import { statusChoices, type StatusTrigger } from './ruleSpec';

export function FieldError({ id, error }: { id: string; error?: string }) {
  return error ? (
    <p className="field-error" id={id} role="alert">
      {error}
    </p>
  ) : null;
}

/** Options of a connection's option source (sender numbers, statuses, templates); none without a source. */
export function useOptions(connectionId: string | undefined, source: string | undefined) {
  return useAsync<OptionItem[] | null>(() => (connectionId && source ? api.connections.options(connectionId, source) : Promise.resolve(null)), [connectionId, source]);
}

export function StatusPicker({ trigger, connection, value, onChange, error }: { trigger: StatusTrigger; connection: Connection; value: string[]; onChange: (v: string[]) => void; error?: string }) {
  const choices = useMemo(() => statusChoices(trigger), [trigger]);
  const listed = useOptions(connection.id, 'options' in choices ? choices.options : undefined);
  const values = 'values' in choices ? choices.values.map((v) => ({ value: v, label: v })) : (listed.data ?? []);
  const toggle = (v: string) => onChange(value.includes(v) ? value.filter((x) => x !== v) : [...value, v]);
  return (
    <fieldset className="field" aria-describedby={error ? 'rule-statuses-error' : undefined} data-testid="rule-statuses">
      <legend>Status</legend>
      {listed.loading && <p className="muted">Loading the statuses…</p>}
      {listed.error !== undefined && <p className="field-error">Cannot list the statuses: {String((listed.error as Error).message ?? listed.error)}. Type them below.</p>}
      {values.length > 0 ? (
        <div className="chip-list">
          {values.map((o) => (
            <label key={o.value} className={`chip${value.includes(o.value) ? ' chip-on' : ''}`}>
              <input type="checkbox" checked={value.includes(o.value)} onChange={() => toggle(o.value)} /> {o.label}
            </label>
          ))}
        </div>
      ) : (
        !listed.loading && (
          <input className="input" aria-label="Statuses, comma-separated" value={value.join(', ')} onChange={(e) => onChange(e.target.value.split(',').map((s) => s.trim()).filter(Boolean))} />
        )
      )}
      <FieldError id="rule-statuses-error" error={error} />
    </fieldset>
  );
}

/** The sender number: a list when the sender's connection can list its numbers, else typed. */
export function SenderNumber({ connectionId, source, value, onChange, error }: { connectionId: string; source?: string; value: string; onChange: (v: string) => void; error?: string }) {
  const numbers = useOptions(connectionId, source);
  return (
    <div className="field">
      <label htmlFor="rule-sender">Sender</label>
      <input className="input" id="rule-sender" list="rule-sender-numbers" value={value} onChange={(e) => onChange(e.target.value)} placeholder="+15550002222" aria-invalid={Boolean(error)} />
      <datalist id="rule-sender-numbers">
        {(numbers.data ?? []).map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </datalist>
      {numbers.error !== undefined && <p className="muted">The numbers of this connection cannot be listed now; type the number.</p>}
      <FieldError id="rule-sender-error" error={error} />
    </div>
  );
}

/** The template: picked from the sender's list when it has one (a template that cannot be used is shown, not chosen), else typed. */
export function TemplatePicker({ connectionId, source, value, language, onChange, error }: { connectionId: string; source?: string; value: string; language?: string; onChange: (v: string, option?: OptionItem) => void; error?: string }) {
  const templates = useOptions(connectionId, source);
  const items = templates.data ?? [];
  // One item per template and language (WhatsApp): the same name may come more than once.
  const selected = items.findIndex((o) => o.value === value && (!o.sets?.language || !language || o.sets.language === language));
  return (
    <div className="field">
      <label htmlFor="rule-template">Template</label>
      {items.length > 0 ? (
        <select className="input" id="rule-template" value={selected < 0 ? '' : String(selected)} onChange={(e) => (e.target.value === '' ? onChange('') : onChange(items[Number(e.target.value)]!.value, items[Number(e.target.value)]))} aria-invalid={Boolean(error)}>
          <option value="">Choose a template…</option>
          {items.map((o, i) => (
            <option key={i} value={String(i)} disabled={o.disabled}>
              {o.label}
              {o.disabled ? ` (${o.disabledReason ?? 'cannot be sent'})` : ''}
            </option>
          ))}
        </select>
      ) : (
        <input className="input" id="rule-template" value={value} onChange={(e) => onChange(e.target.value)} placeholder="order_update or HX…" aria-invalid={Boolean(error)} />
      )}
      {templates.loading && <p className="muted">Loading the templates…</p>}
      {templates.error !== undefined && <p className="muted">The templates cannot be listed now ({(templates.error as Error).message}); type the template’s name.</p>}
      {templates.data && templates.data.length === 0 && <p className="muted">This account has no templates listed; type the template’s name.</p>}
      {selected >= 0 && items[selected]!.details?.text && <p className="template-text muted" data-testid="rule-template-text">{items[selected]!.details!.text}</p>}
      <FieldError id="rule-template-error" error={error} />
    </div>
  );
}

/** Template variables 1…n, each a text that may insert fields. */
export function VariableFields({ value, onChange, support, error }: { value: string[]; onChange: (v: string[]) => void; support: TemplateSupport; error?: string }) {
  return (
    <fieldset className="field" data-testid="rule-variables">
      <legend>Template variables</legend>
      {value.length === 0 && <p className="muted">None: add one for each {'{{1}}'}, {'{{2}}'} … of the template.</p>}
      {value.map((v, i) => (
        <div key={i} className="variable-row">
          <span className="variable-key">{`{{${i + 1}}}`}</span>
          <TemplateInput id={`rule-variable-${i + 1}`} value={v} multiline={false} sms={false} support={support} onChange={(text) => onChange(value.map((x, j) => (j === i ? text : x)))} />
          <button type="button" className="btn btn-ghost btn-sm" aria-label={`Remove variable ${i + 1}`} onClick={() => onChange(value.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="btn btn-sm" onClick={() => onChange([...value, ''])}>
        + Add variable
      </button>
      <FieldError id="rule-variables-error" error={error} />
    </fieldset>
  );
}
