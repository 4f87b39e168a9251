// Guru webhook bodies as Guru posts them (JSON, the account token inside as api_token), and a helper that posts
// them the way Guru does: POST, application/json, a fresh X-Request-ID per delivery.
import { randomUUID } from 'node:crypto';
import { guruEticket, guruWebhookDeactivation } from '../../nodes/src/guru/fixtures/other.js';
import { guruSubscriptionCanceled } from '../../nodes/src/guru/fixtures/subscription.js';
import { guruFixtureToken, guruTransactionApproved } from '../../nodes/src/guru/fixtures/transaction.js';

export { guruFixtureToken };

type Body = Record<string, unknown>;

/** Overrides: a top-level field replaced, except objects (contact, product, payment, …), which are merged one level deep. */
export type GuruOverrides = Record<string, unknown>;

function isPlain(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function withOverrides(base: Body, overrides: GuruOverrides): Body {
  const out: Body = structuredClone(base);
  for (const [k, v] of Object.entries(overrides)) {
    const prev = out[k];
    if (v === undefined) delete out[k];
    else out[k] = isPlain(v) && isPlain(prev) ? { ...prev, ...v } : v;
  }
  return out;
}

/** A transaction webhook (by default the approved card sale of the fixtures), signed with `apiToken`. */
export function guruTransactionBody(overrides: GuruOverrides = {}, apiToken: string = guruFixtureToken): Body {
  return withOverrides({ ...guruTransactionApproved, api_token: apiToken }, overrides);
}

/** A subscription webhook (by default a canceled yearly subscription), signed with `apiToken`. */
export function guruSubscriptionBody(overrides: GuruOverrides = {}, apiToken: string = guruFixtureToken): Body {
  return withOverrides({ ...guruSubscriptionCanceled, api_token: apiToken }, overrides);
}

export function guruEticketBody(apiToken: string = guruFixtureToken): Body {
  return { ...guruEticket, api_token: apiToken };
}

export function guruDeactivationBody(apiToken: string = guruFixtureToken): Body {
  return { ...guruWebhookDeactivation, api_token: apiToken };
}

/** The headers Guru sends with a delivery (its docs name X-Request-ID; the rest is what any JSON POST has). */
export function guruHeaders(requestId: string = randomUUID()): Record<string, string> {
  return { 'content-type': 'application/json', 'x-request-id': requestId };
}

/** POSTs a body to a webhook URL as Guru does and returns the answer. */
export async function postGuruWebhook(url: string, body: Body, requestId?: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', headers: guruHeaders(requestId), body: JSON.stringify(body) });
  return { status: res.status, body: await res.text() };
}
