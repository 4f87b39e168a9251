// Liquid templates over the run context: strict, sandboxed, compiled once, a lone `{{ x }}` keeps its type.
import { Liquid, type Template } from 'liquidjs';
import { isTemplate, loneTemplateExpression } from '@bundles/shared';

const maxOutputChars = 64 * 1024;

const engine = new Liquid({
  strictVariables: true,
  strictFilters: true,
  lenientIf: true,
  ownPropertyOnly: true,
  // Sandbox: no file system (no root, no includes resolved from disk), bounded work per render.
  root: [],
  partials: [],
  layouts: [],
  relativeReference: false,
  fs: {
    exists: async () => false,
    existsSync: () => false,
    readFile: async () => '',
    readFileSync: () => '',
    resolve: (_dir: string, file: string) => file,
  },
  parseLimit: 100_000,
  renderLimit: 200,
  memoryLimit: 16 * 1024 * 1024,
});

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

type Compiled = { kind: 'lone'; expression: string; template: Template[] } | { kind: 'text'; template: Template[] };
const cache = new Map<string, Compiled>();
const maxCacheEntries = 10_000;

function compile(source: string): Compiled {
  let hit = cache.get(source);
  if (hit) return hit;
  const template = engine.parse(source);
  const expression = loneTemplateExpression(source);
  hit = expression !== null && !expression.includes('|') ? { kind: 'lone', expression, template } : { kind: 'text', template };
  if (cache.size >= maxCacheEntries) cache.clear();
  cache.set(source, hit);
  return hit;
}

function cleanMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/, line:\d+, col:\d+/, '').replace(/\s+/g, ' ').trim();
}

export async function renderTemplate(source: string, context: object, field: string): Promise<unknown> {
  if (!isTemplate(source)) return source;
  try {
    const compiled = compile(source);
    if (compiled.kind === 'lone') {
      const value = await engine.evalValue(compiled.expression, context);
      if (value === undefined) throw new Error(`undefined variable: ${compiled.expression}`);
      return value;
    }
    const out = await engine.render(compiled.template, context);
    if (typeof out === 'string' && out.length > maxOutputChars) throw new Error(`renders to more than ${maxOutputChars} characters`);
    return out;
  } catch (err) {
    throw new TemplateError(`${field}: ${cleanMessage(err)}`, field);
  }
}

/** Renders every string inside a config object (deeply). */
export async function renderConfig(value: unknown, context: object, path: string[] = []): Promise<unknown> {
  if (typeof value === 'string') return renderTemplate(value, context, path.join('.') || '(value)');
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => renderConfig(v, context, [...path, String(i)])));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await renderConfig(v, context, [...path, k]);
    return out;
  }
  return value;
}

/** Checks that a template parses; returns the error message or null. */
export function templateSyntaxError(source: string): string | null {
  try {
    compile(source);
    return null;
  } catch (err) {
    return cleanMessage(err);
  }
}
