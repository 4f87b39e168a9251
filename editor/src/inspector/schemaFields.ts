import type { JsonSchema, JsonValue, Widget } from '../api/types';

/** One form field derived from a property of a node's config schema (or a provider's auth schema). */
export interface FieldSpec {
  key: string;
  title: string;
  description?: string;
  widget: Widget;
  required: boolean;
  /** Static choices (enum / const alternatives) for select and multiselect. */
  choices?: { value: JsonValue; label: string }[];
  /** Name of a dynamic option source a connection lists (`x-options`). */
  optionsSource?: string;
  /** The field whose chosen option's variables this field holds values of (`x-variables-of`). */
  variablesOf?: string;
  /** Templates allowed: the field gets a field picker and a preview. */
  mappable: boolean;
  sms: boolean;
  placeholder?: string;
  secret: boolean;
  schema: JsonSchema;
  defaultValue?: unknown;
  /** For `list`: the fields of one item. */
  itemFields?: FieldSpec[];
}

function types(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

/** Unwraps `anyOf: [X, {type:'null'}]` and similar wrappers zod emits for optional / nullable values. */
export function unwrapSchema(schema: JsonSchema): JsonSchema {
  const alts = schema.anyOf ?? schema.oneOf;
  if (alts && alts.length > 0 && !alts.every((a) => a.const !== undefined)) {
    const nonNull = alts.filter((a) => !(a.type === 'null' || (Array.isArray(a.type) && a.type.length === 1 && a.type[0] === 'null')));
    if (nonNull.length === 1 && nonNull[0]) {
      const { anyOf: _a, oneOf: _o, ...rest } = schema;
      void _a;
      void _o;
      return unwrapSchema({ ...nonNull[0], ...rest });
    }
  }
  if (schema.allOf?.length === 1 && schema.allOf[0]) {
    const { allOf: _all, ...rest } = schema;
    void _all;
    return unwrapSchema({ ...schema.allOf[0], ...rest });
  }
  return schema;
}

function choicesOf(schema: JsonSchema): { value: JsonValue; label: string }[] | undefined {
  if (Array.isArray(schema.enum)) {
    const labels = schema['x-enum-labels'] as Record<string, string> | undefined;
    return schema.enum.filter((v) => v !== null).map((v) => ({ value: v, label: labels?.[String(v)] ?? String(v) }));
  }
  const alts = schema.oneOf ?? schema.anyOf;
  if (alts && alts.length > 0 && alts.every((a) => a.const !== undefined)) {
    return alts.map((a) => ({ value: a.const as JsonValue, label: a.title ?? String(a.const) }));
  }
  return undefined;
}

export function inferWidget(raw: JsonSchema): Widget {
  const schema = unwrapSchema(raw);
  const hint = schema['x-widget'];
  if (hint) return hint;
  if (schema['x-secret']) return 'secret';
  if (choicesOf(schema)) return 'select';
  const t = types(schema).filter((x) => x !== 'null');
  if (t.includes('string')) {
    if (schema['x-options']) return 'select';
    if (schema['x-mappable'] || schema['x-sms']) return 'template';
    if (schema.format === 'password') return 'secret';
    return 'text';
  }
  if (t.includes('number') || t.includes('integer')) return 'number';
  if (t.includes('boolean')) return 'switch';
  if (t.includes('array')) {
    const items = Array.isArray(schema.items) ? schema.items[0] : schema.items;
    if (items) {
      const it = unwrapSchema(items);
      if (choicesOf(it) || it['x-options'] || schema['x-options']) return 'multiselect';
      if (it.properties && Object.keys(it.properties).length > 0) return 'list';
    }
    return 'json';
  }
  if (t.length === 0 && schema['x-options']) return 'select';
  if (t.length === 0 && !schema.properties) return 'text';
  return 'json';
}

function humanize(key: string): string {
  const s = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
}

export function fieldsFromSchema(schema: JsonSchema | undefined): FieldSpec[] {
  if (!schema) return [];
  const root = unwrapSchema(schema);
  const required = new Set(root.required ?? []);
  return Object.entries(root.properties ?? {}).map(([key, raw]) => {
    const prop = unwrapSchema(raw);
    const widget = inferWidget(raw);
    const items = Array.isArray(prop.items) ? prop.items[0] : prop.items;
    const itemSchema = items ? unwrapSchema(items) : undefined;
    const choices = widget === 'multiselect' ? (itemSchema ? choicesOf(itemSchema) : undefined) : choicesOf(prop);
    const optionsSource = prop['x-options'] ?? itemSchema?.['x-options'];
    return {
      key,
      title: prop.title ?? humanize(key),
      description: prop.description,
      widget,
      required: required.has(key),
      choices,
      optionsSource: typeof optionsSource === 'string' ? optionsSource : undefined,
      ...(typeof prop['x-variables-of'] === 'string' ? { variablesOf: prop['x-variables-of'] } : {}),
      mappable: widget === 'template' || prop['x-mappable'] === true,
      sms: prop['x-sms'] === true,
      placeholder: prop['x-placeholder'],
      secret: widget === 'secret' || prop['x-secret'] === true,
      schema: prop,
      defaultValue: prop.default,
      ...(widget === 'list' && itemSchema ? { itemFields: fieldsFromSchema(itemSchema) } : {}),
    };
  });
}

/** Initial config for a new node: the schema's defaults. */
export function defaultsFromSchema(schema: JsonSchema | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fieldsFromSchema(schema)) if (f.defaultValue !== undefined) out[f.key] = structuredClone(f.defaultValue);
  return out;
}

export function isEmptyValue(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}
