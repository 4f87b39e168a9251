// Helpers every provider's webhook code shares: header lookup, constant-time comparison, and the
// bounded decoding of form bodies (linear in the body, a cap on pairs) that the server also uses.
import { timingSafeEqual } from 'node:crypto';
import { WebhookParseError, type WebhookRequest } from './define.js';

/** Bounds on what one webhook request may carry; the server answers 4xx beyond them. */
export const webhookLimits = {
  /** Bytes of body (the route refuses more before reading it all). */
  bodyBytes: 1024 * 1024,
  /** Fields of a form body (PHP's and `qs`'s default). */
  formPairs: 1000,
  /**
   * Nesting of objects and arrays in a body or payload. A bound of ours, far below where PostgreSQL's
   * recursive JSON parser gives up (tens of thousands of levels, less inside a batch): no provider nests past ten.
   */
  depth: 64,
  /** Events one delivery may carry. */
  events: 1000,
  /** Media items of one message (Twilio sends at most 10). */
  media: 10,
} as const;

export type FormFields = Record<string, string | string[]>;

/** A form with more fields than allowed: a parse error that the server answers 413. */
export class FormLimitError extends WebhookParseError {
  constructor(readonly pairs: number) {
    super(`the form has more than ${webhookLimits.formPairs} fields`);
    this.name = 'FormLimitError';
  }
}

/** JSON text of a value read from a body, refused (WebhookParseError) when it nests deeper than the limit (checked without recursion). */
export function boundedJson(value: unknown, maxDepth: number = webhookLimits.depth): string {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) throw new WebhookParseError(`the body nests deeper than ${maxDepth} levels`);
    for (const child of Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return JSON.stringify(value) ?? 'null';
}

/** A value read from a body as text: strings, numbers and booleans only (an object's toString is the sender's, not ours). */
export function plainText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** Decodes a form-urlencoded body; a repeated field becomes an array. Linear; throws FormLimitError past the pair cap. */
export function decodeForm(raw: string, maxPairs: number = webhookLimits.formPairs): FormFields {
  const out: FormFields = Object.create(null) as FormFields;
  let pairs = 0;
  for (const [name, value] of new URLSearchParams(raw)) {
    if (++pairs > maxPairs) throw new FormLimitError(pairs);
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}

/** The first value of a form field (repeated fields are arrays). */
export function firstField(fields: FormFields, name: string): string | undefined {
  const v = fields[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A request header by name, whatever its case. */
export function header(req: Pick<WebhookRequest, 'headers'>, name: string): string | undefined {
  const direct = req.headers[name];
  if (direct !== undefined) return direct;
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** A query value by name (the first, when repeated). */
export function queryValue(req: Pick<WebhookRequest, 'query'>, name: string): string | undefined {
  const v = req.query[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Constant-time comparison of two secrets or signatures (the length still shows). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The raw body's form fields, decoded (bounded) from the bytes themselves: what a signature covers. */
export function formOf(req: Pick<WebhookRequest, 'rawBody'>): FormFields {
  return decodeForm(req.rawBody.toString('utf8'));
}
