// Reading a Monetizze postback: a form with PHP-style nested names (venda[codigo]=…, comissoes[0][nome]=…)
// decoded with qs under fixed limits, and its `json` field (the whole postback as JSON) preferred when it
// holds an object. The server's own form decoder does not expand nested names, so the raw bytes are read here.
import qs from 'qs';
import { WebhookParseError } from '../define.js';
import { FormLimitError, plainText, webhookLimits } from '../webhooks.js';

export type PostbackFields = Record<string, unknown>;

export interface Postback {
  /** The form as decoded (the first webhookLimits.formPairs fields at most). */
  form: PostbackFields;
  /** Where fields are read from: the `json` field's object when it parses, else the form. */
  data: PostbackFields;
  source: 'json' | 'form';
  /** Fields in the body, counted up to one past the limit. */
  pairs: number;
}

/**
 * Bounded qs options: no name nests deeper than Monetizze's own (two levels), an index past `arrayLimit`
 * makes an object key rather than a sparse array (`a[99999999]`), a repeated name keeps its last value as
 * PHP's $_POST does, and objects have no prototype (a field called `toString` is data).
 */
export const postbackFormOptions = {
  parameterLimit: webhookLimits.formPairs,
  depth: 5,
  arrayLimit: 100,
  duplicates: 'last',
  plainObjects: true,
  allowPrototypes: false,
  allowDots: false,
  charset: 'utf-8',
} as const satisfies qs.IParseOptions;

/** Non-empty `&`-separated fields, counted only up to `limit + 1` (as URLSearchParams and the server count them). */
export function countFormPairs(text: string, limit: number = webhookLimits.formPairs): number {
  let pairs = 0;
  let start = 0;
  while (start <= text.length && pairs <= limit) {
    const end = text.indexOf('&', start);
    const stop = end === -1 ? text.length : end;
    if (stop > start) pairs++;
    if (end === -1) break;
    start = end + 1;
  }
  return pairs;
}

/** The `json` field's object, or undefined when it is missing, not JSON, or not an object. */
function jsonField(value: unknown): PostbackFields | undefined {
  const raw = plainText(value);
  if (raw === undefined || raw.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as PostbackFields) : undefined;
}

const cache = new WeakMap<Buffer, Postback>();

/** Decodes the body once per request (verify and parse both read it). Throws only WebhookParseError. */
export function readPostback(rawBody: Buffer): Postback {
  const cached = cache.get(rawBody);
  if (cached) return cached;
  const text = rawBody.toString('utf8');
  let form: PostbackFields;
  try {
    form = qs.parse(text, postbackFormOptions) as PostbackFields;
  } catch (err) {
    throw new WebhookParseError(`the postback could not be read as a form: ${(err as Error).message}`);
  }
  const json = jsonField(form.json);
  const postback: Postback = { form, data: json ?? form, source: json ? 'json' : 'form', pairs: countFormPairs(text) };
  cache.set(rawBody, postback);
  return postback;
}

/** Like readPostback, but a body with more fields than allowed is refused (answered 413). */
export function readBoundedPostback(rawBody: Buffer): Postback {
  const postback = readPostback(rawBody);
  if (postback.pairs > webhookLimits.formPairs) throw new FormLimitError(postback.pairs);
  return postback;
}

/** A nested value (`at(p, 'venda', 'codigo')`), or undefined when a step is missing or not an object. */
export function at(fields: PostbackFields, ...path: string[]): unknown {
  let value: unknown = fields;
  for (const step of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = Object.hasOwn(value, step) ? (value as PostbackFields)[step] : undefined;
  }
  return value;
}

/** A field as trimmed text; empty, missing or not text (an object, an array) → null. */
export function textAt(fields: PostbackFields, ...path: string[]): string | null {
  const value = plainText(at(fields, ...path))?.trim();
  return value ? value : null;
}
