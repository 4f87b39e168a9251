// A sample value for a JSON Schema: what a stubbed write answers in a test, and the editable sample payload.
// Deterministic and bounded (depth, properties, string length), whatever the schema.
import type { JsonSchema } from '@bundles/shared';

const MAX_DEPTH = 6;
const MAX_PROPERTIES = 40;

type Schema = JsonSchema | boolean | undefined;

function first<T>(v: unknown): T | undefined {
  return Array.isArray(v) && v.length > 0 ? (v[0] as T) : undefined;
}

function typesOf(s: JsonSchema): string[] {
  const t = s.type as string | string[] | undefined;
  if (Array.isArray(t)) return t;
  if (t) return [t];
  if (s.properties || s.additionalProperties) return ['object'];
  if (s.items) return ['array'];
  return [];
}

function stringSample(name: string, s: JsonSchema): string {
  const format = s.format as string | undefined;
  if (format === 'date-time') return '2026-01-01T12:00:00.000Z';
  if (format === 'date') return '2026-01-01';
  if (format === 'email') return 'sample@example.com';
  if (format === 'uri' || format === 'url') return 'https://example.com/sample';
  if (format === 'uuid') return '00000000-0000-4000-8000-000000000000';
  const min = typeof s.minLength === 'number' ? Math.min(s.minLength, 64) : 0;
  const base = `sample ${name}`.trim().slice(0, 64);
  return base.length >= min ? base : base.padEnd(min, 'x');
}

function sample(schema: Schema, name: string, depth: number): unknown {
  if (schema === undefined || schema === true) return `sample ${name}`.trim();
  if (schema === false) return null;
  if ('const' in schema) return schema.const;
  if (schema.default !== undefined) return schema.default;
  const example = first(schema.examples);
  if (example !== undefined) return example;
  const choice = first(schema.enum);
  if (choice !== undefined) return choice;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = (schema[key] as Schema[] | undefined)?.filter((b) => !(typeof b === 'object' && b && b.type === 'null'));
    if (branches && branches.length > 0) return sample(branches[0], name, depth);
  }
  const all = schema.allOf as Schema[] | undefined;
  if (all && all.length > 0) return sample(all[0], name, depth);
  const declared = typesOf(schema);
  // No type at all: any value will do; only `null` allowed: null.
  if (declared.length === 0) return `sample ${name}`.trim();
  const type = declared.find((t) => t !== 'null');
  if (type === 'string') return stringSample(name, schema);
  if (type === 'integer' || type === 'number') return typeof schema.minimum === 'number' ? schema.minimum : 0;
  if (type === 'boolean') return false;
  if (type === 'array') return depth >= MAX_DEPTH ? [] : [sample(schema.items as Schema, name, depth + 1)];
  if (type === 'object') {
    if (depth >= MAX_DEPTH) return {};
    const out: Record<string, unknown> = {};
    const props = Object.entries((schema.properties ?? {}) as Record<string, Schema>).slice(0, MAX_PROPERTIES);
    for (const [key, sub] of props) out[key] = sample(sub, key, depth + 1);
    return out;
  }
  return null;
}

/** A value shaped as the schema says: defaults, examples and enums first, then a placeholder per type. */
export function sampleOf(schema: JsonSchema | boolean | undefined): unknown {
  return sample(schema, '', 0);
}
