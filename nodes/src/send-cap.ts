// A daily send cap on messaging connections: every provider with an action that `sends` accepts it in its
// connection config (added here, once, for all of them), and the runtime counts sends per connection and day.
import { z } from 'zod';
import { ui, type NodeDefinition, type ProviderDefinition } from './define.js';

/** The most a cap may be (a bound on what a request may store; far above any SMS plan). */
export const MAX_DAILY_CAP = 10_000_000;

export const atCapChoices = ['wait', 'fail'] as const;
export type AtCap = (typeof atCapChoices)[number];

/** The connection config fields of a send cap, merged into the auth schema of every provider that sends. */
export const sendCapFields = {
  dailyCap: z
    .number()
    .int()
    .min(1)
    .max(MAX_DAILY_CAP)
    .optional()
    .register(ui, { title: 'Daily send cap', description: "At most this many messages a day (the day of the workspace's time zone); empty: no cap", placeholder: '500' }),
  atCap: z
    .enum(atCapChoices)
    .optional()
    .register(ui, { title: 'At the cap', description: 'wait: a send waits until the next day (default); fail: the step fails with daily_cap_reached' }),
};

export interface SendCap {
  cap: number;
  atCap: AtCap;
}

/** The cap of a connection's (validated) config, or null when it has none. Reads two properties: free on the hot path. */
export function sendCapOf(config: Record<string, unknown>): SendCap | null {
  const cap = config.dailyCap;
  if (typeof cap !== 'number' || !Number.isInteger(cap) || cap < 1) return null;
  return { cap, atCap: config.atCap === 'fail' ? 'fail' : 'wait' };
}

/** Whether an action sends a message, and so counts against its connection's daily cap. */
export function sendsMessage(node: NodeDefinition): boolean {
  return node.kind === 'action' && Boolean(node.sends);
}

/** The provider as the registry keeps it: with the send cap fields when one of its node types sends. */
export function withSendCap(provider: ProviderDefinition, nodeTypes: NodeDefinition[]): ProviderDefinition {
  if (!nodeTypes.some(sendsMessage)) return provider;
  const clash = Object.keys(sendCapFields).find((k) => k in provider.auth.shape);
  if (clash) throw new Error(`${provider.id}: its auth schema defines ${clash}, a field of the send cap`);
  return { ...provider, auth: provider.auth.extend(sendCapFields), sendCap: true };
}
