// What a test run or pinned data shows on the canvas and behind the field picker.
import type { StepStatus } from '../api/types';
import type { RunValues } from '../inspector/fieldPaths';
import type { PinnedData } from './TestPanel';
import type { TestRun } from './testApi';

/** The values the field picker and previews read: a pinned event's payload, or a test's trigger and outputs. */
export function pinnedValues(pin: PinnedData): RunValues {
  if (pin.kind === 'event') return { trigger: pin.event.payload, steps: {} };
  const steps: Record<string, unknown> = {};
  for (const s of pin.run.steps) if (s.output !== null && s.output !== undefined) steps[s.nodeId] = s.output;
  return { trigger: pin.run.trigger, steps };
}

/** Each node's status in the test, the trigger's included (it fired for the test). */
export function testStepStatus(run: TestRun): Map<string, StepStatus> {
  return new Map(run.steps.map((s) => [s.nodeId, s.status]));
}
