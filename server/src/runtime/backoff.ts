// Retry delays: exponential backoff with full jitter, never sooner than the provider's Retry-After.
export const maxStepAttempts = 6;

export function retryDelayMs(attempt: number, retryAfterMs?: number, random = Math.random): number {
  const base = 1000 * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(base, 10 * 60_000);
  const jittered = capped / 2 + random() * (capped / 2);
  return Math.max(Math.round(jittered), retryAfterMs ?? 0);
}
