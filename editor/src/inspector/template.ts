import { Liquid } from 'liquidjs';

// The same engine as the server, strict so that a typo shows here rather than at run time.
const engine = new Liquid({ strictVariables: true, strictFilters: true, ownPropertyOnly: true });

export function hasTemplate(text: string): boolean {
  return /\{\{|\{%/.test(text);
}

export type RenderResult = { ok: true; text: string } | { ok: false; error: string };

export function renderTemplate(text: string, context: object): RenderResult {
  try {
    const out: unknown = engine.parseAndRenderSync(text, context);
    return { ok: true, text: String(out) };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return { ok: false, error: msg.split(', line:')[0] ?? msg };
  }
}
