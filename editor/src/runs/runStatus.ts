import type { RunStatus, Step } from '../api/types';

/**
 * Statuses a run does not leave by itself, so polling its detail stops there. `uncertain` is one:
 * the run waits for a person to settle a step, which may take days.
 */
export const FINAL_RUN_STATUSES: ReadonlySet<string> = new Set<RunStatus>(['succeeded', 'failed', 'filtered', 'uncertain']);

export function isRunSettled(status: string): boolean {
  return FINAL_RUN_STATUSES.has(status);
}

export const RESOLUTION_LABELS: Record<NonNullable<Step['resolution']>, string> = {
  marked_done: 'Marked done by hand',
  sent_again: 'Sent again',
};
