import { useEffect, useState, type ReactNode } from 'react';
import { errorMessage } from '../api/client';
import type { JsonValue, OptionItem } from '../api/types';
import { chosenOption, OptionStoreContext, useOptionSource, useOptionStore } from './optionSources';
import { OptionSelect } from './OptionSelect';
import { SchedulePreview } from './SchedulePreview';
import { knownTimeZones } from '../lib/timeZones';
import type { FieldSpec } from './schemaFields';
import { TemplateInput, type TemplateSupport } from './TemplateInput';
import { TemplateVariables, variableValues } from './TemplateVariables';

export interface ConfigFormProps {
  fields: FieldSpec[];
  values: Record<string, unknown>;
  onChange: (key: string, value: unknown) => void;
  /** Several fields at once (an option that sets others, e.g. a template and its language); default: onChange for each. */
  onPatch?: (patch: Record<string, unknown>) => void;
  /** Error messages by field path (`to`, `conditions.0.left`). */
  errors?: Record<string, string>;
  idPrefix?: string;
  /** Loads the options of an `x-options` source; null when no connection is chosen yet. */
  loadOptions?: ((source: string) => Promise<OptionItem[]>) | null;
  /** Changes when options must be loaded again (e.g. the connection changed). */
  optionsKey?: string;
  template?: TemplateSupport;
  /** Secret fields already stored (connections): empty means "keep". */
  secretsSet?: string[];
}

/** The form of a node's config (or a provider's auth), generated from JSON Schema and UI hints. */
export function ConfigForm(props: ConfigFormProps) {
  const { fields } = props;
  const store = useOptionStore(props.loadOptions, props.optionsKey);
  if (fields.length === 0) return <p className="muted small">This node has nothing to configure.</p>;
  return (
    <OptionStoreContext.Provider value={store}>
      <div className="form config-form">
        {fields.map((f) => (
          <FieldRow key={f.key} field={f} {...props} />
        ))}
      </div>
    </OptionStoreContext.Provider>
  );
}

function FieldRow({ field: f, fields, values, onChange, onPatch, errors, idPrefix = 'cfg', loadOptions, optionsKey, template, secretsSet }: ConfigFormProps & { field: FieldSpec }) {
  const id = `${idPrefix}-${f.key}`;
  // A field of variables follows the option chosen in another field (a template's {{1}} …).
  const followed = f.variablesOf ? fields.find((x) => x.key === f.variablesOf) : undefined;
  const followedOptions = useOptionSource(followed?.optionsSource);
  const followedOption = followed ? chosenOption(followedOptions.options, values[followed.key], values) : undefined;
  const dependents = fields.filter((x) => x.variablesOf === f.key);
  const choose = (option: OptionItem | undefined) => {
    const patch: Record<string, unknown> = { [f.key]: option?.value, ...(option?.sets ?? {}) };
    const variables = option?.details?.variables;
    // A new template keeps the values of the variables it shares with the last one; none: no variables.
    for (const d of dependents) if (variables || !option) patch[d.key] = variables ? variableValues(d, variables, values[d.key]) : undefined;
    if (onPatch) onPatch(patch);
    else for (const [k, v] of Object.entries(patch)) onChange(k, v);
  };
  const nested = Object.entries(errors ?? {}).filter(([path]) => path.startsWith(`${f.key}.`));
  // A list shows its items' errors on the items; other widgets show nested paths on the field.
  const error =
    [errors?.[f.key], ...(f.widget === 'list' ? [] : nested.map(([path, msg]) => `${path.slice(f.key.length + 1)}: ${msg}`))].filter(Boolean).join(' ') || undefined;
  const itemErrors = f.widget === 'list' ? Object.fromEntries(nested.map(([path, msg]) => [path.slice(f.key.length + 1), msg])) : undefined;
  const helpId = `${id}-help`;
  const errId = `${id}-error`;
  const describedBy = [f.description ? helpId : '', error ? errId : ''].filter(Boolean).join(' ') || undefined;
  const value = values[f.key];
  const isSwitch = f.widget === 'switch';
  const isGroup = f.widget === 'multiselect' || f.widget === 'list';
  const label = (
    <>
      {f.title}
      {f.required && (
        <span className="required" aria-label="required">
          {' '}*
        </span>
      )}
    </>
  );

  return (
    <div className={`field${error ? ' has-error' : ''}${isSwitch ? ' field-switch' : ''}`} data-testid={`field-wrap-${f.key}`}>
      {isGroup ? (
        <span className="field-label" id={`${id}-label`}>
          {label}
        </span>
      ) : (
        !isSwitch && (
          <label className="field-label" htmlFor={id}>
            {label}
          </label>
        )
      )}
      {followedOption ? (
        <TemplateVariables field={f} id={id} value={value} option={followedOption} onChange={(v) => onChange(f.key, v)} template={template} />
      ) : (
        <Widget field={f} id={id} value={value} values={values} onChange={(v) => onChange(f.key, v)} onChoose={choose} showOptionText={dependents.length === 0} invalid={Boolean(error)} describedBy={describedBy} loadOptions={loadOptions} optionsKey={optionsKey} template={template} secretStored={secretsSet?.includes(f.key) ?? false} labelNode={label} itemErrors={itemErrors} smsMaxSegments={f.sms ? smsCapOf(values) : undefined} />
      )}
      {f.description && (
        <span className="field-help" id={helpId}>
          {f.description}
        </span>
      )}
      {error && (
        <span className="field-error" id={errId} role="alert" data-testid={`field-error-${f.key}`}>
          {error}
        </span>
      )}
    </div>
  );
}

interface WidgetProps {
  field: FieldSpec;
  id: string;
  value: unknown;
  /** The whole config (an option may match on the fields it sets). */
  values?: Record<string, unknown>;
  onChange: (v: unknown) => void;
  /** Choosing an option of a connection's list (it may set other fields too). */
  onChoose?: (option: OptionItem | undefined) => void;
  /** Show the chosen option's text under the select (when no variables field shows it). */
  showOptionText?: boolean;
  invalid: boolean;
  describedBy?: string;
  loadOptions?: ((source: string) => Promise<OptionItem[]>) | null;
  optionsKey?: string;
  template?: TemplateSupport;
  secretStored: boolean;
  labelNode: ReactNode;
  itemErrors?: Record<string, string>;
  /** The segment cap of an SMS text field: its node's `maxSegments`. */
  smsMaxSegments?: number | undefined;
}

function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : String(v);
}

/** An SMS text's cap is its node's `maxSegments` field (twilio.send_sms), when set to a number. */
function smsCapOf(values: Record<string, unknown>): number | undefined {
  return typeof values.maxSegments === 'number' && values.maxSegments >= 1 ? values.maxSegments : undefined;
}

function Widget({ field: f, id, value, values, onChange, onChoose, showOptionText, invalid, describedBy, loadOptions, optionsKey, template, secretStored, labelNode, itemErrors, smsMaxSegments }: WidgetProps) {
  const opts = useOptionSource(f.optionsSource);
  const aria = { 'aria-invalid': invalid || undefined, 'aria-describedby': describedBy };
  const testId = `field-${f.key}`;
  const placeholder = f.placeholder;

  switch (f.widget) {
    case 'template':
      return <TemplateInput id={id} testId={testId} value={str(value)} onChange={onChange} multiline={f.schema['x-widget'] === 'template' || f.sms} sms={f.sms} smsMaxSegments={smsMaxSegments} placeholder={placeholder} invalid={invalid} describedBy={describedBy} support={template} />;
    case 'cron':
      return (
        <>
          <input id={id} type="text" className="mono" spellCheck={false} value={str(value)} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} data-testid={testId} {...aria} />
          <SchedulePreview cron={str(value)} timezone={str(values?.timezone)} invalid={invalid} />
        </>
      );
    case 'timezone':
      return (
        <>
          <input id={id} type="text" list={`${id}-zones`} value={str(value)} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} data-testid={testId} {...aria} />
          <datalist id={`${id}-zones`}>
            {knownTimeZones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </>
      );
    case 'textarea':
      return <textarea id={id} rows={4} value={str(value)} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} data-testid={testId} {...aria} />;
    case 'code':
      // Plain text, never a template: values reach the code through its mapped input.
      return (
        <textarea
          id={id}
          className="mono code-input"
          rows={12}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          wrap="off"
          value={str(value)}
          onChange={(e) => onChange(e.target.value)}
          placeholder={placeholder}
          data-testid={testId}
          {...aria}
        />
      );
    case 'secret':
      return (
        <input
          id={id}
          type="password"
          autoComplete="new-password"
          value={str(value)}
          onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
          placeholder={secretStored ? '•••••••• stored: type to replace' : placeholder}
          data-testid={testId}
          {...aria}
        />
      );
    case 'number':
      return (
        <input
          id={id}
          type="number"
          value={typeof value === 'number' ? value : str(value)}
          onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
          placeholder={placeholder}
          min={f.schema.minimum}
          max={f.schema.maximum}
          data-testid={testId}
          {...aria}
        />
      );
    case 'switch':
      return (
        <label className="switch-row" htmlFor={id}>
          <span className="switch">
            <input id={id} type="checkbox" role="switch" checked={value === true} onChange={(e) => onChange(e.target.checked)} data-testid={testId} {...aria} />
            <span className="switch-track" aria-hidden="true" />
          </span>
          <span className="field-label">{labelNode}</span>
        </label>
      );
    case 'select': {
      if (!f.choices && f.optionsSource && opts.options) {
        const chosen = chosenOption(opts.options, value, values ?? {});
        return <OptionSelect field={f} id={id} value={value} options={opts.options} chosen={chosen} showText={showOptionText ?? true} onChoose={(o) => (onChoose ? onChoose(o) : onChange(o?.value))} onReload={opts.reload} aria={aria} />;
      }
      const choices = f.choices?.map((c) => ({ value: c.value, label: c.label })) ?? opts.options?.map((o) => ({ value: o.value as JsonValue, label: o.label }));
      if (!choices) {
        return (
          <div className="options-fallback">
            <input id={id} type="text" value={str(value)} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} data-testid={testId} {...aria} />
            <OptionsHint source={f.optionsSource} hasLoader={Boolean(loadOptions)} loading={opts.loading} error={opts.error} onReload={opts.reload} />
          </div>
        );
      }
      const current = value === undefined || value === null ? '' : JSON.stringify(value);
      const known = choices.some((c) => JSON.stringify(c.value) === current);
      return (
        <div className="select-row">
          <select id={id} value={current} onChange={(e) => onChange(e.target.value === '' ? undefined : (JSON.parse(e.target.value) as unknown))} data-testid={testId} {...aria}>
            <option value="">{f.required ? 'Choose…' : '—'}</option>
            {!known && current !== '' && <option value={current}>{str(value)}</option>}
            {choices.map((c) => (
              <option key={JSON.stringify(c.value)} value={JSON.stringify(c.value)}>
                {c.label}
              </option>
            ))}
          </select>
          {f.optionsSource && (
            <button type="button" className="icon-btn" aria-label={`Reload ${f.title} options`} title="Reload options" onClick={opts.reload}>
              ↻
            </button>
          )}
        </div>
      );
    }
    case 'multiselect': {
      const selected = Array.isArray(value) ? (value as unknown[]) : [];
      const choices = f.choices ?? opts.options?.map((o) => ({ value: o.value as JsonValue, label: o.label }));
      if (!choices) {
        return (
          <div className="options-fallback">
            <input
              id={id}
              type="text"
              value={selected.map(String).join(', ')}
              onChange={(e) => onChange(e.target.value.split(',').map((s) => s.trim()).filter(Boolean))}
              placeholder={placeholder ?? 'Comma-separated values'}
              aria-labelledby={`${id}-label`}
              data-testid={testId}
              {...aria}
            />
            <OptionsHint source={f.optionsSource} hasLoader={Boolean(loadOptions)} loading={opts.loading} error={opts.error} onReload={opts.reload} />
          </div>
        );
      }
      const extra = selected.filter((s) => !choices.some((c) => c.value === s));
      const all = [...choices, ...extra.map((s) => ({ value: s as JsonValue, label: String(s) }))];
      return (
        <div className="checkbox-group" role="group" aria-labelledby={`${id}-label`} data-testid={testId} {...aria}>
          {all.map((c) => {
            const checked = selected.some((s) => s === c.value);
            return (
              <label key={String(c.value)} className="checkbox">
                <input
                  type="checkbox"
                  checked={checked}
                  value={String(c.value)}
                  data-testid={`${testId}-option-${String(c.value)}`}
                  onChange={(e) => onChange(e.target.checked ? [...selected, c.value] : selected.filter((s) => s !== c.value))}
                />
                <span>{c.label}</span>
              </label>
            );
          })}
        </div>
      );
    }
    case 'list':
      return <ListField field={f} id={id} value={value} onChange={onChange} errors={itemErrors} loadOptions={loadOptions} optionsKey={optionsKey} template={template} />;
    case 'json':
      return <JsonField id={id} value={value} onChange={onChange} testId={testId} aria={aria} />;
    case 'text':
    default:
      if (f.mappable) {
        return <TemplateInput id={id} testId={testId} value={str(value)} onChange={onChange} multiline={false} sms={f.sms} placeholder={placeholder} invalid={invalid} describedBy={describedBy} support={template} />;
      }
      return <input id={id} type="text" value={str(value)} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} data-testid={testId} {...aria} />;
  }
}

function OptionsHint({ source, hasLoader, loading, error, onReload }: { source?: string; hasLoader: boolean; loading: boolean; error: string | null; onReload: () => void }) {
  if (!source) return null;
  if (!hasLoader) return <span className="field-help">Choose a connection to list these options.</span>;
  if (loading) return <span className="field-help">Loading options…</span>;
  if (error)
    return (
      <span className="field-help warn">
        Could not load options: {error}{' '}
        <button type="button" className="link-btn" onClick={onReload}>
          Retry
        </button>
      </span>
    );
  return null;
}

function JsonField({ id, value, onChange, testId, aria }: { id: string; value: unknown; onChange: (v: unknown) => void; testId: string; aria: Record<string, unknown> }) {
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText((t) => {
      try {
        if (t && JSON.stringify(JSON.parse(t)) === JSON.stringify(value)) return t;
      } catch {
        // The user is mid-edit: keep their text.
        return t;
      }
      return value === undefined ? '' : JSON.stringify(value, null, 2);
    });
  }, [value]);
  return (
    <>
      <textarea
        id={id}
        rows={5}
        className="mono"
        value={text}
        data-testid={testId}
        {...aria}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => {
          if (text.trim() === '') {
            setError(null);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(text));
            setError(null);
          } catch (err) {
            setError(`Not valid JSON: ${errorMessage(err)}`);
          }
        }}
      />
      {error && <span className="field-error">{error}</span>}
    </>
  );
}

/** An array of objects (e.g. a branch's conditions): one sub-form per item, add and remove. */
function ListField({ field: f, id, value, onChange, errors, loadOptions, optionsKey, template }: Pick<WidgetProps, 'field' | 'id' | 'value' | 'onChange' | 'loadOptions' | 'optionsKey' | 'template'> & { errors?: Record<string, string> }) {
  const items = Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  const itemFields = f.itemFields ?? [];
  const singular = f.title.replace(/s$/i, '').toLowerCase() || 'item';
  const newItem = () => Object.fromEntries(itemFields.filter((x) => x.defaultValue !== undefined).map((x) => [x.key, structuredClone(x.defaultValue)]));
  return (
    <div className="list-field" role="group" aria-labelledby={`${id}-label`} data-testid={`field-${f.key}`}>
      {items.length === 0 && <p className="muted small">No {singular} yet.</p>}
      {items.map((item, i) => {
        const sub = Object.fromEntries(
          Object.entries(errors ?? {})
            .filter(([p]) => p === String(i) || p.startsWith(`${i}.`))
            .map(([p, m]) => [p.slice(String(i).length + 1) || '_', m]),
        );
        return (
          <div className="list-item" key={i} data-testid={`field-${f.key}-${i}`}>
            <div className="list-item-head">
              <span className="muted small">
                {f.title} {i + 1}
              </span>
              <button type="button" className="icon-btn" aria-label={`Remove ${singular} ${i + 1}`} onClick={() => onChange(items.filter((_, j) => j !== i))}>
                ×
              </button>
            </div>
            {sub._ && <span className="field-error">{sub._}</span>}
            <ConfigForm
              fields={itemFields}
              values={item && typeof item === 'object' ? item : {}}
              onChange={(k, v) => {
                const next = items.slice();
                const copy = { ...(next[i] ?? {}) };
                if (v === undefined) delete copy[k];
                else copy[k] = v;
                next[i] = copy;
                onChange(next);
              }}
              errors={sub}
              idPrefix={`${id}-${i}`}
              loadOptions={loadOptions}
              optionsKey={optionsKey}
              template={template}
            />
          </div>
        );
      })}
      <button type="button" className="btn btn-sm" onClick={() => onChange([...items, newItem()])} data-testid={`field-${f.key}-add`}>
        + Add {singular}
      </button>
    </div>
  );
}
