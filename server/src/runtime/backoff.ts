// Retry delays: exponential backoff with full jitter, never sooner than the provider's Retry-After, never
// later than an hour (a longer Retry-After, or a nonsensical one, becomes a retry in an hour).
export const maxStepAttempts = 6;
export const maxRetryDelayMs = 60 * 60_000;

export function retryDelayMs(attempt: number, retryAfterMs?: number, random = Math.random): number {
  const base = 1000 * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(base, 10 * 60_000);
  const jittered = capped / 2 + random() * (capped / 2);
  const hinted = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) ? retryAfterMs : 0;
  return Math.min(maxRetryDelayMs, Math.max(Math.round(jittered), hinted));
}
