// core.wait_for_reply: the run waits (no worker held) for the next message of one conversation on a
// messaging connection, then goes on on `reply` with it, or on `timeout`. The runtime keeps the wait
// (server/src/runtime/reply-waits.ts); the ingest statement hands the reply to it.
import { z } from 'zod';
import { control, ui } from '../define.js';
import { core } from './provider.js';

export const WAIT_FOR_REPLY = 'core.wait_for_reply';
export const minReplyTimeoutSeconds = 60;
export const maxReplyTimeoutSeconds = 30 * 24 * 3600;

export const replyMessageSchema = z.object({
  text: z.string().nullable(),
  from: z.string().nullable(),
  /** When the reply arrived (ISO time). */
  at: z.string(),
  provider: z.string(),
  channel: z.string(),
});
export type ReplyMessage = z.infer<typeof replyMessageSchema>;

export const waitForReplyOutput = z.object({
  /** The conversation waited on, as the provider keys it (the sender's phone for SMS). */
  conversation: z.string(),
  /** When the wait gives up. */
  expiresAt: z.string(),
  timedOut: z.boolean(),
  /** The reply (on `reply`); null on `timeout`. */
  message: replyMessageSchema.nullable(),
});
export type WaitForReplyOutput = z.infer<typeof waitForReplyOutput>;

export const coreWaitForReply = core.action({
  id: WAIT_FOR_REPLY,
  title: 'Wait for reply',
  description: 'Wait for the next message of a conversation, then go on with it on "reply", or on "timeout".',
  config: z.object({
    conversation: z
      .string()
      .trim()
      .min(1, 'say whose reply to wait for, e.g. {{ trigger.from }}')
      .max(200)
      .register(ui, {
        title: 'Conversation',
        mappable: true,
        placeholder: '{{ trigger.from }}',
        description: "Whose reply: the sender's phone for SMS and WhatsApp, the buyer id for Tokopedia chat",
      }),
    timeoutSeconds: z.coerce
      .number()
      .int()
      .min(minReplyTimeoutSeconds)
      .max(maxReplyTimeoutSeconds)
      .default(86400)
      .register(ui, { title: 'Timeout (seconds)', widget: 'number', mappable: true, description: 'From 60 seconds to 30 days; then the run goes on on "timeout"' }),
  }),
  output: waitForReplyOutput,
  handles: ['reply', 'timeout'],
  needsConnection: true,
  connectionProviders: 'messaging',
  effect: 'none',
  async execute({ config }) {
    const until = new Date(Date.now() + config.timeoutSeconds * 1000);
    const output: WaitForReplyOutput = { conversation: config.conversation, expiresAt: until.toISOString(), timedOut: false, message: null };
    return control.awaitReply(until, config.conversation, output);
  },
});

/** The output of a wait that got its reply, and of one that timed out. */
export function replyOutput(waiting: { conversation: string; expiresAt: string }, message: ReplyMessage | null): WaitForReplyOutput {
  return { conversation: waiting.conversation, expiresAt: waiting.expiresAt, timedOut: message === null, message };
}
