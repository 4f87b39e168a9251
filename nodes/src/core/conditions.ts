// Conditions shared by core.filter and core.branch.
import { z } from 'zod';
import { ui } from '../define.js';

export const conditionOps = ['eq', 'ne', 'in', 'contains', 'exists', 'gt', 'gte', 'lt', 'lte'] as const;

export const conditionsConfig = z.object({
  mode: z.enum(['all', 'any']).default('all').register(ui, { title: 'Pass when', widget: 'select' }),
  conditions: z
    .array(
      z.object({
        left: z.any().register(ui, { title: 'Value', mappable: true }),
        op: z.enum(conditionOps).register(ui, { title: 'Operator', widget: 'select' }),
        right: z.any().optional().register(ui, { title: 'Compare with', mappable: true }),
      }),
    )
    .min(1, 'add at least one condition')
    .register(ui, { title: 'Conditions' }),
});
export type ConditionsConfig = z.infer<typeof conditionsConfig>;

export const conditionsOutput = z.object({ passed: z.boolean(), results: z.array(z.boolean()) });

function asNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if (v instanceof Date) return v.getTime();
  return null;
}

function asList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return v.split(',').map((s) => s.trim());
  return v === undefined || v === null ? [] : [v];
}

function same(a: unknown, b: unknown): boolean {
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== null && y !== null) return x === y;
  if (typeof a === 'object' || typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return String(a) === String(b);
}

const isoDate = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Numbers, numeric strings, Dates and ISO 8601 strings compare as numbers (times in ms). */
function comparable(v: unknown): number | null {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string' && isoDate.test(v.trim())) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return asNumber(v);
}

function compare(a: unknown, b: unknown): number | null {
  const x = comparable(a);
  const y = comparable(b);
  if (x !== null && y !== null) return x - y;
  if (typeof a === 'string' && typeof b === 'string') return a.localeCompare(b);
  return null;
}

export function testCondition(op: (typeof conditionOps)[number], left: unknown, right: unknown): boolean {
  switch (op) {
    case 'eq':
      return same(left, right);
    case 'ne':
      return !same(left, right);
    case 'in':
      return asList(right).some((item) => same(left, item));
    case 'contains':
      if (typeof left === 'string') return left.includes(String(right));
      return Array.isArray(left) && left.some((item) => same(item, right));
    case 'exists':
      return left !== undefined && left !== null && left !== '';
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const c = compare(left, right);
      if (c === null) return false;
      return op === 'gt' ? c > 0 : op === 'gte' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
    }
  }
}

export function evaluateConditions(config: ConditionsConfig): { passed: boolean; results: boolean[] } {
  const results = config.conditions.map((c) => testCondition(c.op, c.left, c.right));
  const passed = config.mode === 'any' ? results.some(Boolean) : results.every(Boolean);
  return { passed, results };
}
