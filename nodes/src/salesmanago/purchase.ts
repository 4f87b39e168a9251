// A purchase as SALESmanago takes it (POST /api/v2/contact/addContactExtEvent, type PURCHASE), sent at most
// once per externalId through the connection's ledger: SALESmanago itself stores a purchase posted twice twice.
// Shared by salesmanago.add_purchase and the RetailCRM export.
import { ProviderError, type ConnectionLedger } from '../define.js';
import { salesmanagoCall, type SalesmanagoCallContext } from './api.js';
import { salesmanagoEmail } from './contact.js';

export const ADD_EXT_EVENT_PATH = '/api/v2/contact/addContactExtEvent';

export interface PurchaseInput {
  email: string;
  externalId: string;
  value: number;
  /** Product ids, comma-separated as SALESmanago stores them. */
  products?: string;
  location?: string;
  description?: string;
  /** Milliseconds since the epoch (default: now). */
  date?: number;
}

export interface PurchaseResult {
  eventId: string;
  /** Already recorded before (by this step, another run or an export): nothing was sent. */
  duplicate: boolean;
}

/** How long a purchase another owner is exporting is waited for before asking again. */
export const HELD_RETRY_MS = 2000;
/** Bounds an externalId so that the ledger key stays short. */
export const MAX_EXTERNAL_ID = 255;

export const purchaseKey = (externalId: string) => `purchase:${externalId}`;

const refuse = (code: string, message: string): never => {
  throw new ProviderError({ message, code, retryable: false, provider: 'salesmanago' });
};

/** The body of addContactExtEvent (without the auth fields). */
export function purchaseEventBody(input: PurchaseInput, now = Date.now()): Record<string, unknown> {
  if (!Number.isFinite(input.value)) refuse('invalid_value', `The purchase value must be a number, not ${String(input.value)}`);
  const event: Record<string, unknown> = {
    date: input.date ?? now,
    contactExtEventType: 'PURCHASE',
    value: input.value,
    externalId: input.externalId,
  };
  for (const key of ['products', 'location', 'description'] as const) {
    const v = input[key]?.trim();
    if (v) event[key] = v;
  }
  return { email: salesmanagoEmail(input.email), contactEvent: event };
}

function recordedEventId(value: unknown): string {
  const id = typeof value === 'object' && value !== null ? (value as { eventId?: unknown }).eventId : undefined;
  return typeof id === 'string' ? id : '';
}

export interface PurchaseContext extends SalesmanagoCallContext {
  ledger: ConnectionLedger;
}

/**
 * Sends the purchase unless the ledger has it. `owner` is who claims it (default: the ledger's own, a step's
 * `runId:nodeId`). A refusal that surely had no effect gives the claim up; an outcome that is not known keeps it,
 * so nobody sends it again blindly.
 */
export async function addSalesmanagoPurchase(ctx: PurchaseContext, input: PurchaseInput, owner?: string): Promise<PurchaseResult> {
  const externalId = input.externalId.trim();
  if (!externalId || externalId.length > MAX_EXTERNAL_ID) refuse('invalid_external_id', `The purchase needs an externalId of 1 to ${MAX_EXTERNAL_ID} characters (the order id)`);
  const body = purchaseEventBody({ ...input, externalId });
  const key = purchaseKey(externalId);
  const claim = await ctx.ledger.claim(key, owner);
  if (claim.state === 'done') return { eventId: recordedEventId(claim.value), duplicate: true };
  if (claim.state === 'held') {
    throw new ProviderError({
      message: `Purchase ${externalId} is being sent by ${claim.owner}, or its outcome there is not known yet: asking again shortly`,
      code: 'purchase_held',
      retryable: true,
      retryAfterMs: HELD_RETRY_MS,
      provider: 'salesmanago',
    });
  }
  let answer;
  try {
    answer = await salesmanagoCall(ctx, ADD_EXT_EVENT_PATH, body);
  } catch (err) {
    if (err instanceof ProviderError && !err.ambiguous) await ctx.ledger.release(key, owner);
    throw err;
  }
  const eventId = typeof answer.eventId === 'string' ? answer.eventId : '';
  await ctx.ledger.complete(key, { eventId });
  return { eventId, duplicate: false };
}
