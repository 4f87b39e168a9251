// JSON for statement parameters. PostgreSQL text cannot hold the NUL character: json_to_recordset
// fails on "\u0000" in a text column, which would refuse a whole webhook (and every retry of it) or
// a run's write. A NUL in any string becomes U+FFFD; the scan for it is the only cost of the usual case.

/** A string with each NUL character made U+FFFD. */
export const withoutNulChars = (text: string) => (text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text);

const withoutNul = (_key: string, value: unknown) => (typeof value === 'string' ? withoutNulChars(value) : value);

export function sqlJson(value: unknown): string {
  const text = JSON.stringify(value);
  // JSON writes NUL as \u0000; the same six characters may also be an escaped backslash and "u0000",
  // which the replacer leaves alone.
  return text.includes('\\u0000') ? JSON.stringify(value, withoutNul) : text;
}
