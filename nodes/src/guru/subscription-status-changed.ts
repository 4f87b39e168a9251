// guru.subscription_status_changed: a subscription moved to another last_status (active, canceled, pastdue, …).
import { z } from 'zod';
import { ui } from '../define.js';
import { GURU_SUBSCRIPTION_EVENT, guruSubscriptionPayload } from './events.js';
import { guruSubscriptionActive, guruSubscriptionCanceled } from './fixtures/subscription.js';
import { guru } from './provider.js';
import { GURU_SUBSCRIPTION_STATUSES, guruSubscriptionOutput } from './schemas.js';

export const guruSubscriptionStatusChanged = guru.trigger({
  id: 'guru.subscription_status_changed',
  title: 'Subscription status changed',
  description: 'Starts when Guru posts a subscription in a new status. The same status posted again starts nothing.',
  event: GURU_SUBSCRIPTION_EVENT,
  config: z.object({
    statuses: z
      .array(z.enum(GURU_SUBSCRIPTION_STATUSES))
      .default([])
      .register(ui, { title: 'Statuses', widget: 'multiselect', description: 'Only subscriptions now in one of these statuses; none = any' }),
  }),
  output: guruSubscriptionOutput,
  match(payload, config) {
    const statuses: readonly string[] = config.statuses ?? [];
    return statuses.length === 0 || statuses.includes(String(payload.status));
  },
  statusRules: { scope: 'subscriptions', statusesField: 'statuses', buyerPhone: '{{ trigger.subscriber.phone }}' },
  fixtures: [guruSubscriptionCanceled, guruSubscriptionActive].map(guruSubscriptionPayload),
});
