// core.for_each: the steps wired after its `item` handle run once per element of a list, each element's
// steps journaled like any step (server/src/runtime/for-each.ts); then the run goes on once from `done`.
import { z } from 'zod';
import { control, ProviderError, ui } from '../define.js';
import { core } from './provider.js';

export const FOR_EACH_TYPE = 'core.for_each';
export const ITEM_HANDLE = 'item';
export const DONE_HANDLE = 'done';
/** The most elements one for-each takes (`max` may lower it). */
export const MAX_ITEMS = 1000;
export const MAX_CONCURRENCY = 10;

const elementSchema = z.object({
  index: z.number().int(),
  status: z.enum(['succeeded', 'failed', 'filtered']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const forEachOutputSchema = z.object({
  count: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  /** Each element's outcome, in order (a filtered element stopped at a filter of its steps). */
  elements: z.array(elementSchema),
});

export const coreForEach = core.action({
  id: FOR_EACH_TYPE,
  title: 'For each item',
  description: 'Runs the steps after “item” once per element of a list ({{ item }}, {{ index }}), then goes on from “done”.',
  config: z.object({
    items: z.any().register(ui, { title: 'Items', description: 'A list, e.g. {{ trigger.order.items }}', mappable: true, placeholder: '{{ trigger.order.items }}' }),
    max: z.coerce.number().int().min(1).max(MAX_ITEMS).default(MAX_ITEMS).register(ui, { title: 'At most (items)', description: 'A longer list fails the step, with the reason' }),
    concurrency: z.coerce.number().int().min(1).max(MAX_CONCURRENCY).default(1).register(ui, { title: 'Items at once', description: '1 to 10 elements whose steps run at the same time (1: in order)' }),
  }),
  output: forEachOutputSchema,
  handles: [ITEM_HANDLE, DONE_HANDLE],
  needsConnection: false,
  effect: 'none',
  async execute({ config }) {
    const items: unknown = config.items;
    if (!Array.isArray(items)) {
      const got = items === null ? 'null' : typeof items;
      throw new ProviderError({ code: 'not_a_list', message: `Items must be a list; got ${got}. Map a list field, e.g. {{ trigger.order.items }}.`, retryable: false });
    }
    if (items.length > config.max) {
      throw new ProviderError({ code: 'too_many_items', message: `The list has ${items.length} items, over the limit of ${config.max} (“At most”).`, retryable: false });
    }
    return control.each(items, config.concurrency);
  },
});
