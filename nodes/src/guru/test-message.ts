// "Test connection" for a webhook-only account: what the delivery log says, in words.
import type { DeliverySummary } from '../define.js';

/** How Guru is made to send something: it posts only when a sale or a subscription changes. */
export const GURU_SEND_A_TEST =
  'Make Guru send one: place a test purchase on one of your Guru checkouts (or change the status of a sale or a subscription), then test again. ' +
  'Check that the webhook in Guru (Configurações → Webhooks) has this connection’s URL and is active.';

const copyTokenAgain = 'Copy the API token again from Guru (Minha Conta → API → Token API) into this connection, then let Guru send again.';

const when = (at: Date) => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * The latest delivery decides: accepted → ok; refused → not ok, with Guru's reason and what to do (a refusal after
 * an accepted delivery usually means the token changed in Guru); nothing yet → null (the connection stays untested).
 */
export function guruTestResult(d: DeliverySummary): { ok: boolean | null; message: string } {
  const { lastAccepted: accepted, lastRejected: rejected } = d;
  if (rejected && (!accepted || rejected.at > accepted.at)) {
    const reason = rejected.reason ?? 'no reason was recorded';
    const earlier = accepted ? ` (the last accepted delivery arrived ${when(accepted.at)})` : '';
    return { ok: false, message: `Guru posted at ${when(rejected.at)} but it was refused: ${reason}${earlier}. ${copyTokenAgain}` };
  }
  if (accepted) return { ok: true, message: `Last delivery from Guru arrived ${when(accepted.at)}` };
  return { ok: null, message: `Nothing has arrived yet. ${GURU_SEND_A_TEST}` };
}
