// Test runs of a bundle's draft (POST /api/flows/:id/test) and the recorded events they replay.
import { request } from '../api/client';
import type { RecordedEvent, TestInput, TestRun } from '../api/types';

export type { RecordedEvent, TestRun } from '../api/types';

const enc = encodeURIComponent;

export const testApi = {
  events: (flowId: string, limit = 20) => request<RecordedEvent[]>('GET', `/api/flows/${enc(flowId)}/events?limit=${limit}`),
  sample: (flowId: string) => request<{ payload: Record<string, unknown> }>('GET', `/api/flows/${enc(flowId)}/test-sample`),
  run: (flowId: string, body: TestInput) => request<TestRun>('POST', `/api/flows/${enc(flowId)}/test`, { body }),
};
export type { TestInput };
