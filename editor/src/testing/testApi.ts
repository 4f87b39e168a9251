// Test runs of a bundle's draft (POST /api/flows/:id/test) and the recorded events they replay.
import { request } from '../api/client';
import type { RunError as StepError, StepStatus } from '../api/types';

export interface RecordedEvent {
  id: string;
  type: string;
  receivedAt: string;
  summary: string;
  payload: unknown;
  /** The latest real run of this event for the bundle, if it ran. */
  runId: string | null;
}

export interface TestStep {
  nodeId: string;
  nodeType: string;
  status: StepStatus;
  input: unknown;
  output: unknown;
  error: StepError | null;
  handle: string | null;
  /** A write step answered with a sample: nothing left the machine. */
  stubbed: boolean;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface TestRun {
  id: string;
  test: true;
  flowId: string;
  status: 'succeeded' | 'failed' | 'filtered';
  eventId: string | null;
  nodeId: string | null;
  live: boolean;
  trigger: unknown;
  steps: TestStep[];
  startedAt: string;
  finishedAt: string | null;
}

export type TestInput = ({ eventId: string } | { payload: Record<string, unknown> }) & { nodeId?: string; live?: boolean };

const enc = encodeURIComponent;

export const testApi = {
  events: (flowId: string, limit = 20) => request<RecordedEvent[]>('GET', `/api/flows/${enc(flowId)}/events?limit=${limit}`),
  sample: (flowId: string) => request<{ payload: Record<string, unknown> }>('GET', `/api/flows/${enc(flowId)}/test-sample`),
  run: (flowId: string, body: TestInput) => request<TestRun>('POST', `/api/flows/${enc(flowId)}/test`, { body }),
};
