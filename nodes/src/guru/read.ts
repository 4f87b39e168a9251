// Readers of Guru's webhook bodies: hostile JSON in, plain bounded values out (never a throw, never a loop over input).
import type { WebhookRequest } from '../define.js';
import { plainText } from '../webhooks.js';

export type JsonObject = Record<string, unknown>;

/** Guru's text fields are String(191); URLs run longer. Anything past this is cut, not stored whole. */
const maxText = 2048;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/** An own field of an object (never one of Object.prototype's). */
export function field(source: unknown, name: string): unknown {
  return isObject(source) && Object.hasOwn(source, name) ? source[name] : undefined;
}

/** A nested object field, or an empty one: Guru sends `[]` where an object is empty (`last_transaction: []`). */
export function objectField(source: unknown, name: string): JsonObject {
  const value = field(source, name);
  return isObject(value) ? value : {};
}

/** Text of a field: strings, numbers and booleans, trimmed and bounded; empty → null. */
export function textField(source: unknown, name: string): string | null {
  const text = plainText(field(source, name))?.trim();
  return text ? text.slice(0, maxText) : null;
}

/** A number Guru sent as a number or as decimal text ("197.00"); anything else → null. */
export function numberField(source: unknown, name: string): number | null {
  const value = field(source, name);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && /^\s*-?\d{1,15}(\.\d{1,10})?\s*$/.test(value)) return Number(value);
  return null;
}

/**
 * A date as Guru sent it. Guessed: the documented examples write ISO 8601 text ("2020-05-07T11:35:57Z"), while
 * invoices carry Unix seconds (`created_at: 1749992068`) and the REST API answers numbers too. Numbers become
 * ISO 8601 (UTC); text is kept as sent, since a zone-less "2020-05-07 11:35:57" would be read in our time zone.
 */
export function dateField(source: unknown, name: string): string | null {
  const value = field(source, name);
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return null;
    const ms = value < 1e11 ? value * 1000 : value;
    return ms < 8.64e15 ? new Date(ms).toISOString() : null;
  }
  return textField(source, name);
}

/** "Ana Lima" → "Ana": what "Olá {{ trigger.contact.firstName }}" wants. */
export function firstNameOf(name: string | null): string | null {
  return name?.split(/\s+/, 1)[0] || null;
}

/** A part of a dedupe key or subject: `:` separates the parts, so it is escaped inside one (UUIDs stay as they are). */
export function keyPart(text: string): string {
  return text.replace(/%/g, '%25').replace(/:/g, '%3A');
}

const parsedBodies = new WeakMap<WebhookRequest, JsonObject | null>();

/**
 * The JSON object Guru posted. The server has parsed it when the content type said JSON; otherwise the raw bytes
 * are read here (once per request: verify and parse both ask). Not an object → null.
 */
export function readGuruBody(req: WebhookRequest): JsonObject | null {
  if (isObject(req.body)) return unwrapGuruEnvelope(req.body);
  if (parsedBodies.has(req)) return parsedBodies.get(req)!;
  let body: JsonObject | null = null;
  try {
    const parsed: unknown = JSON.parse(typeof req.body === 'string' ? req.body : req.rawBody.toString('utf8'));
    body = isObject(parsed) ? unwrapGuruEnvelope(parsed) : null;
  } catch {
    body = null;
  }
  parsedBodies.set(req, body);
  return body;
}

/**
 * Guessed, from a third-party integration (not Guru's docs): a delivery may come wrapped as
 * `{ attempts, connection, payload, queue, request_id, return, url }`, the shape of Guru's own delivery log.
 * The body inside `payload` is read then, api_token included.
 */
function unwrapGuruEnvelope(body: JsonObject): JsonObject {
  if (field(body, 'webhook_type') !== undefined || field(body, 'api_token') !== undefined) return body;
  const inner = field(body, 'payload');
  return isObject(inner) && (field(inner, 'webhook_type') !== undefined || field(inner, 'api_token') !== undefined) ? inner : body;
}
