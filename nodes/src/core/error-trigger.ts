// core.error_trigger: "a run failed". Bundles itself feeds it when a run of another bundle ends failed or
// uncertain (server/src/runtime/run-failures.ts); no connection.
import { z } from 'zod';
import { ui } from '../define.js';
import { core } from './provider.js';

export const RUN_FAILED_EVENT = 'core.run_failed';

const failureStatuses = ['failed', 'uncertain'] as const;

export const runFailedPayloadSchema = z.object({
  run: z.object({
    id: z.string(),
    flowId: z.string(),
    flowName: z.string(),
    version: z.number().int().nullable(),
    status: z.enum(failureStatuses),
    startedAt: z.string().nullable(),
  }),
  step: z
    .object({
      nodeId: z.string(),
      type: z.string(),
      error: z.object({ code: z.string(), message: z.string() }),
    })
    .nullable(),
  /** The run's page in the editor. */
  url: z.string(),
});

export type RunFailedPayload = z.infer<typeof runFailedPayloadSchema>;

export const coreErrorTrigger = core.trigger({
  id: 'core.error_trigger',
  title: 'A run failed',
  description: 'Starts when a run of another bundle fails or ends uncertain: tell someone, open a ticket.',
  event: RUN_FAILED_EVENT,
  config: z.object({
    flows: z
      .array(z.string().min(1).max(100))
      .max(200)
      .default([])
      .register(ui, { title: 'Bundles', widget: 'multiselect', options: 'bundles', description: 'Only runs of these bundles; none = any other bundle' }),
    statuses: z
      .array(z.enum(failureStatuses))
      .default([...failureStatuses])
      .register(ui, { title: 'When the run is', widget: 'multiselect', description: 'failed: a step failed; uncertain: a write’s outcome is unknown' }),
  }),
  output: runFailedPayloadSchema,
  match(payload, config) {
    const p = payload as RunFailedPayload;
    if (config.flows.length > 0 && !config.flows.includes(p.run.flowId)) return false;
    return (config.statuses.length === 0 ? failureStatuses : config.statuses).includes(p.run.status);
  },
  fixtures: [
    {
      run: { id: '0193a5b0-0000-7000-8000-000000000001', flowId: '0193a5b0-0000-7000-8000-0000000000f1', flowName: 'Paid order → SMS', version: 3, status: 'failed', startedAt: '2026-12-01T09:00:00.000Z' },
      step: { nodeId: 'send_sms', type: 'twilio.send_sms', error: { code: '21211', message: "The 'To' number +5511 is not a valid phone number." } },
      url: 'http://127.0.0.1:3000/bundles/0193a5b0-0000-7000-8000-0000000000f1?run=0193a5b0-0000-7000-8000-000000000001',
    },
  ],
});
