// X-Twilio-Signature, per PROVIDERS.md: base64(HMAC-SHA1(authToken, url + sorted name+value pairs)).
// Written out here (not the SDK's validateRequest) so that webhooks do not load the whole SDK.
import { createHash, createHmac } from 'node:crypto';
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';
import { safeEqual } from '../webhooks.js';
import type { FormParams } from './events.js';

export function twilioSignature(authToken: string, url: string, params: FormParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    // Like the SDK: repeated values are de-duplicated and sorted.
    const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
    for (const v of values) data += name + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

function withoutPort(url: URL): string {
  const u = new URL(url);
  u.port = '';
  return u.toString();
}

function withPort(url: URL): string {
  if (url.port) return url.toString();
  const port = url.protocol === 'https:' ? '443' : '80';
  const auth = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  return `${url.protocol}//${auth}${url.host}:${port}${url.pathname}${url.search}${url.hash}`;
}

function withLegacyQuery(url: string): string {
  const u = new URL(url);
  if (!u.search) return url;
  const qs = parseQuery(u.search.slice(1));
  u.search = '';
  return `${u.toString()}?${stringifyQuery(qs)}`;
}

/** The URL variants the official SDK accepts: with and without an explicit port, and legacy query encoding. */
export function signedUrlVariants(url: string): string[] {
  const parsed = new URL(url);
  const a = withoutPort(parsed);
  const b = withPort(parsed);
  return [...new Set([a, b, withLegacyQuery(a), withLegacyQuery(b)])];
}

export function validateTwilioSignature(authToken: string, signature: string, url: string, params: FormParams): boolean {
  let ok = false;
  for (const candidate of signedUrlVariants(url)) {
    // No early exit: every variant costs the same whatever the outcome.
    if (safeEqual(signature, twilioSignature(authToken, candidate, params))) ok = true;
  }
  return ok;
}

/** JSON bodies (some Twilio products) are signed over the URL alone, with `bodySHA256` in its query. */
export function validateTwilioBodyHash(url: string, rawBody: Buffer): boolean {
  const expected = new URL(url).searchParams.get('bodySHA256');
  if (!expected) return false;
  return safeEqual(createHash('sha256').update(rawBody).digest('hex'), expected);
}
