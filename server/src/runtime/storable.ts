// What PostgreSQL can store as JSON: no NUL character in text (it cannot hold one), no lone UTF-16
// surrogate (its JSON parser refuses the escape), and a bounded depth (its parser recurses). One
// iterative walk, linear in the value, finds the first problem and says where it is.
import { webhookLimits } from '@bundles/nodes';

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with `text` for storage ("contains …"), or null; the caller says where it is. */
function textProblem(text: string, nulAllowed: boolean): string | null {
  if (!nulAllowed && text.includes('\u0000')) return 'contains a NUL character (U+0000), which cannot be stored';
  if (loneSurrogate.test(text)) return 'contains an unpaired UTF-16 surrogate (invalid Unicode), which cannot be stored';
  return null;
}

const pathText = (path: string) => (path ? `at ${path}` : 'the value');

export interface StorableOptions {
  maxDepth?: number;
  /** NUL in text values (not keys) is stored as U+FFFD (see sql-json.ts); a webhook body refuses it instead. */
  nulInValues?: 'replace' | 'refuse';
}

/** Where a value lies: built only for the message of a value that cannot be stored. */
interface Place {
  parent: Place | null;
  /** A field name, or an array index. */
  step: string | number;
}

function pathOf(place: Place | null): string {
  const steps: Array<string | number> = [];
  for (let p = place; p; p = p.parent) steps.push(p.step);
  let path = '';
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    if (typeof step === 'number') path += `[${step}]`;
    else {
      const shown = storableText(step.slice(0, 40));
      path = path ? `${path}.${shown}` : shown;
    }
  }
  return path;
}

/** The first reason `value` cannot be stored as it is, or null. */
export function unstorableReason(value: unknown, opts: StorableOptions = {}): string | null {
  const maxDepth = opts.maxDepth ?? webhookLimits.depth;
  const nulAllowed = opts.nulInValues === 'replace';
  const stack: Array<{ v: unknown; depth: number; place: Place | null }> = [{ v: value, depth: 0, place: null }];
  while (stack.length > 0) {
    const { v, depth, place } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v, nulAllowed);
      if (problem) return `the text ${pathText(pathOf(place))} ${problem}`;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= maxDepth) return `it is nested deeper than ${maxDepth} levels (${pathText(pathOf(place))})`;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth: depth + 1, place: { parent: place, step: i } });
      continue;
    }
    for (const key of Object.keys(v)) {
      const problem = textProblem(key, false);
      if (problem) return `a field name ${pathText(pathOf(place))} ${problem}`;
      stack.push({ v: (v as Record<string, unknown>)[key], depth: depth + 1, place: { parent: place, step: key } });
    }
  }
  return null;
}

/** Text made storable for display (error messages, message log): NUL and lone surrogates become U+FFFD. */
export function storableText(text: string): string {
  const noNul = text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
  return loneSurrogate.test(noNul) ? noNul.replace(new RegExp(loneSurrogate.source, 'g'), '\uFFFD') : noNul;
}
