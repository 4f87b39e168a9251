// The mapping grammar: Liquid templates over { trigger, steps }, and the references they make.
import { Liquid } from 'liquidjs';

const analyzer = new Liquid({ strictVariables: true, strictFilters: true });

export function isTemplate(value: string): boolean {
  return value.includes('{{') || value.includes('{%');
}

const loneExpression = /^\s*\{\{-?\s*([^{}]*?)\s*-?\}\}\s*$/;

/** The expression of a value that is exactly one `{{ … }}` (it keeps its type when rendered). */
export function loneTemplateExpression(value: string): string | null {
  const m = loneExpression.exec(value);
  return m ? m[1]! : null;
}

/** Every context path a template reads, e.g. [['trigger','order','phone'], ['steps','sms','sid']]. */
export function templateReferences(value: string): Array<Array<string | number>> {
  const segments = analyzer.globalVariableSegmentsSync(value);
  return segments.map((s) => s.map((part) => (typeof part === 'number' || typeof part === 'string' ? part : String(part))));
}

/** Every string inside a config value, with its dot path. */
export function collectStrings(value: unknown, path: string[] = []): Array<{ path: string[]; value: string }> {
  if (typeof value === 'string') return [{ path, value }];
  if (Array.isArray(value)) return value.flatMap((v, i) => collectStrings(v, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => collectStrings(v, [...path, k]));
  }
  return [];
}
