// Secret values never reach storage or logs: every occurrence of a connection's (or a trigger's) secret
// in an event's payload or a delivery's body is replaced before anything is written.
export const redactedText = '[redacted]';

/** Shorter values are too likely to occur by chance to be scrubbed everywhere (every secret field is longer in practice). */
const minSecretLength = 6;

export function scrubbableSecrets(values: Iterable<unknown>): string[] {
  const out = new Set<string>();
  for (const v of values) if (typeof v === 'string' && v.length >= minSecretLength) out.add(v);
  // Longest first, so a secret that contains another is replaced whole.
  return [...out].sort((a, b) => b.length - a.length);
}

function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.replaceAll(s, redactedText);
  return out;
}

function redactIn(v: unknown, secrets: readonly string[]): unknown {
  if (typeof v === 'string') return redactText(v, secrets);
  if (v === null || typeof v !== 'object') return v;
  let changed = false;
  if (Array.isArray(v)) {
    const out = v.map((x) => {
      const y = redactIn(x, secrets);
      if (y !== x) changed = true;
      return y;
    });
    return changed ? out : v;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    const y = redactIn(x, secrets);
    if (y !== x) changed = true;
    out[k] = y;
  }
  return changed ? out : v;
}

/** `value` with every occurrence of each secret replaced; the same object when none occurs (the usual case). */
export function redactSecrets<T>(value: T, secrets: readonly string[]): T {
  return secrets.length === 0 ? value : (redactIn(value, secrets) as T);
}
