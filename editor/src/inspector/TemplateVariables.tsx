import type { OptionItem, OptionVariable } from '../api/types';
import type { FieldSpec } from './schemaFields';
import { hasTemplate, renderTemplate } from './template';
import { TemplateInput, type TemplateSupport } from './TemplateInput';

/** The value of a variables field reshaped to these variables: an array in their order, or a record by key (none: undefined). */
export function variableValues(field: FieldSpec, variables: OptionVariable[], value: unknown, read: (key: string, i: number) => unknown = (key, i) => valueOf(field, value, key, i)): unknown {
  if (isArrayField(field)) return variables.map((v, i) => read(v.key, i) ?? '');
  const out: Record<string, unknown> = {};
  variables.forEach((v, i) => {
    const x = read(v.key, i);
    if (x !== undefined && x !== '') out[v.key] = x;
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

function isArrayField(field: FieldSpec): boolean {
  const t = field.schema.type;
  return t === 'array' || (Array.isArray(t) && t.includes('array'));
}

function valueOf(field: FieldSpec, value: unknown, key: string, i: number): unknown {
  if (isArrayField(field)) return Array.isArray(value) ? value[i] : undefined;
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** The template's text with each placeholder replaced by its variable's value (rendered with sample data where templated). */
function previewText(text: string, variables: OptionVariable[], read: (key: string, i: number) => string, support?: TemplateSupport): string {
  const index = new Map(variables.map((v, i) => [v.key, i]));
  return text.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, key: string) => {
    const i = index.get(key);
    if (i === undefined) return whole;
    const raw = read(key, i);
    if (raw === '') return whole;
    if (!hasTemplate(raw) || !support) return raw;
    const rendered = renderTemplate(raw, support.context);
    return rendered.ok ? rendered.text : raw;
  });
}

/** One mappable input per variable of the chosen option, and the message as it would read. */
export function TemplateVariables({ field: f, id, value, option, onChange, template }: { field: FieldSpec; id: string; value: unknown; option: OptionItem; onChange: (v: unknown) => void; template?: TemplateSupport }) {
  const variables = option.details?.variables ?? [];
  const read = (key: string, i: number) => str(valueOf(f, value, key, i));
  const text = option.details?.text;
  const preview = text === undefined ? null : previewText(text, variables, read, template);
  return (
    <div className="template-variables" data-testid={`field-${f.key}`}>
      {variables.length === 0 && <p className="muted small">This template takes no variables.</p>}
      {variables.map((v, i) => {
        const inputId = `${id}-${v.key}`;
        return (
          <div className="field template-variable" key={v.key}>
            <label className="field-label" htmlFor={inputId}>
              {`{{${v.key}}}`}
              {v.type && v.type !== 'text' ? <span className="muted small"> {v.type}</span> : null}
            </label>
            <TemplateInput
              id={inputId}
              testId={`field-${f.key}-${v.key}`}
              value={read(v.key, i)}
              onChange={(next) => onChange(variableValues(f, variables, value, (key, j) => (j === i ? next : valueOf(f, value, key, j))))}
              multiline={false}
              sms={false}
              placeholder={v.example ? `e.g. ${v.example}` : undefined}
              support={template}
            />
          </div>
        );
      })}
      {preview !== null && (
        <div className="template-preview" data-testid={`field-${f.key}-preview`}>
          <span className="template-preview-label">Message preview</span>
          <span className="template-preview-text">{preview}</span>
        </div>
      )}
    </div>
  );
}
