// Webhook bodies decoded once the connection is known: linear, bounded, and refused with a reason when
// they could not be stored as they came (see storable.ts), instead of failing the statement later.
import { decodeForm, FormLimitError } from '@bundles/nodes';
import { storableText, unstorableReason } from './storable.js';

export type DecodedBody = { ok: true; body: unknown } | { ok: false; status: 400 | 413 | 422; reason: string };

export function decodeWebhookBody(raw: Buffer, contentType: string): DecodedBody {
  if (raw.length === 0) return { ok: true, body: null };
  const type = contentType.toLowerCase();
  const text = raw.toString('utf8');
  let body: unknown;
  if (type.includes('json')) {
    try {
      body = JSON.parse(text);
    } catch (err) {
      // V8's message quotes part of the body, which may hold what cannot be stored.
      return { ok: false, status: 400, reason: storableText(`the body is not valid JSON (${(err as Error).message.slice(0, 200)})`) };
    }
  } else if (type.includes('application/x-www-form-urlencoded')) {
    try {
      body = decodeForm(text);
    } catch (err) {
      if (err instanceof FormLimitError) return { ok: false, status: 413, reason: err.message };
      throw err;
    }
  } else body = text;
  const problem = unstorableReason(body, { nulInValues: 'refuse' });
  if (problem) return { ok: false, status: 422, reason: `the body cannot be stored as it came: ${problem}` };
  return { ok: true, body };
}
