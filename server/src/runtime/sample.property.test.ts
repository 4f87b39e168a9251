import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toJsonSchema } from '@bundles/nodes';
import type { JsonSchema } from '@bundles/shared';
import { sampleOf } from './sample.js';

const schemaArb: fc.Arbitrary<JsonSchema> = fc.letrec<{ s: JsonSchema }>((tie) => ({
  s: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<JsonSchema>({ type: 'string' }, { type: 'number' }, { type: 'integer' }, { type: 'boolean' }, { type: 'null' }, {}, { type: 'string', format: 'date-time' }),
    fc.record({ type: fc.constant('array'), items: tie('s') }),
    fc.record({ type: fc.constant('object'), properties: fc.dictionary(fc.string({ maxLength: 8 }), tie('s'), { maxKeys: 60 }) }),
    fc.record({ anyOf: fc.array(tie('s'), { minLength: 1, maxLength: 3 }) }),
  ),
})).s;

function depth(v: unknown): number {
  if (Array.isArray(v)) return 1 + Math.max(0, ...v.map(depth));
  if (v && typeof v === 'object') return 1 + Math.max(0, ...Object.values(v).map(depth));
  return 0;
}

describe('sampleOf', () => {
  it('answers the same bounded, JSON-serialisable value for any schema', () => {
    fc.assert(
      fc.property(schemaArb, (schema) => {
        const a = sampleOf(schema);
        expect(JSON.stringify(a)).toBe(JSON.stringify(sampleOf(schema)));
        expect(depth(a)).toBeLessThanOrEqual(8);
        expect(JSON.stringify(a ?? null).length).toBeLessThan(1_000_000);
      }),
      { numRuns: 300 },
    );
  });

  it('follows the schema: defaults, enums and formats first, one element per array', () => {
    const schema = toJsonSchema(
      z.object({ sid: z.string(), status: z.enum(['queued', 'sent']), count: z.number().default(3), at: z.string().datetime(), tags: z.array(z.string()), ok: z.boolean().optional() }),
      'output',
    );
    expect(sampleOf(schema)).toEqual({ sid: 'sample sid', status: 'queued', count: 3, at: '2026-01-01T12:00:00.000Z', tags: ['sample tags'], ok: false });
  });
});
