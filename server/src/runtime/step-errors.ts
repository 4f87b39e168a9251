// What an error thrown by a step means for the run: its code and message as the step shows them, whether
// a retry may pass, and whether the call may have taken effect although it failed.
import type { z } from 'zod';
import { ProviderError } from '@bundles/nodes';
import type { StepError } from '@bundles/shared';
import { TemplateError } from './templates.js';
import { storableText } from './storable.js';

export interface ClassifiedError {
  error: StepError;
  retryable: boolean;
  retryAfterMs?: number;
  /** The call may have taken effect (a timeout, a dropped connection, a 5xx): a write is not resent blindly. */
  ambiguous: boolean;
}

/** An error that can never pass, raised by the runtime itself (an answer that cannot be stored). */
export class PermanentStepError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function classifyError(err: unknown, provider: string): ClassifiedError {
  if (err instanceof ProviderError) {
    return {
      error: {
        ...(err.code !== undefined ? { code: err.code } : {}),
        message: storableText(err.message),
        retryable: err.retryable,
        provider: err.provider ?? provider,
        ...(err.ambiguous ? { ambiguous: true } : {}),
      },
      retryable: err.retryable,
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      ambiguous: err.ambiguous,
    };
  }
  if (err instanceof PermanentStepError) return { error: { code: err.code, message: storableText(err.message), retryable: false }, retryable: false, ambiguous: false };
  if (err instanceof TemplateError) return { error: { code: 'template_error', message: storableText(err.message), retryable: false }, retryable: false, ambiguous: false };
  if (err && typeof err === 'object' && 'issues' in err && Array.isArray((err as z.ZodError).issues)) {
    const issues = (err as z.ZodError).issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
    return { error: { code: 'invalid_config', message: storableText(`Invalid config after mapping: ${issues}`), retryable: false }, retryable: false, ambiguous: false };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { error: { code: 'internal_error', message: storableText(message), retryable: false }, retryable: false, ambiguous: false };
}

// Errors of our own database or its connection, not of the step: the run goes back to the queue and runs
// again later (a provider's network errors never look like these: the HTTP clients wrap them).
const unavailableCodes = /^(08|53|57P0[1-3]|40001|40P01|58)|^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/;
const unavailableMessages = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection closed|the database system is (starting up|shutting down|in recovery mode)/i;

/** Whether an error says the database (or the connection to it) failed, rather than the step; drizzle's wrapping (`cause`) included. */
/**
 * The run's job is no longer locked by this process: another worker took it over (this one's heartbeat
 * looked stale). The walk stops before its next call out and leaves the run to that worker.
 */
export class LostLeaseError extends Error {
  constructor(runId: string) {
    super(`run ${runId}: its job is now another worker's; stopped before calling out`);
    this.name = 'LostLeaseError';
  }
}

export function isInfrastructureError(err: unknown): boolean {
  if (err instanceof LostLeaseError) return true;
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ProviderError || e instanceof PermanentStepError || e instanceof TemplateError) return false;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && unavailableCodes.test(code)) return true;
    if (e instanceof Error && unavailableMessages.test(e.message)) return true;
  }
  return false;
}

/** SQLSTATE classes of errors that repeat on every attempt with the same data (22 data exception, 54 program limit). */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^(22|54)/.test(code);
}
