// A message-sending step's input stored once: when it is exactly the recipient, sender and text of the
// message it logged, the step keeps no input of its own and the run view reads it back from that message.
import type { MessageSend } from '@bundles/shared';

/** What the message log stored of a message (after `storableText`): the fields a send's input can repeat. */
export interface LoggedMessage {
  from: string | null;
  to: string | null;
  text: string | null;
  provider_message_id: string | null;
}

type Field = 'to' | 'from' | 'text';
const fields: Field[] = ['to', 'from', 'text'];

/** The input a send would have had, rebuilt from its message: its config names for recipient, sender, text. */
export function inputFromMessage(sends: MessageSend, m: LoggedMessage): Record<string, string> {
  const input: Record<string, string> = {};
  for (const f of fields) {
    const key = sends[f];
    const value = m[f];
    if (key && value !== null) input[key] = value;
  }
  return input;
}

/**
 * Whether the step's input need not be stored: the node declares where its output names the message
 * (`sends.messageId`), the step logged exactly that one message, and the input holds nothing but the
 * message's recipient, sender and text, equal to what the log stored (so rebuilding it gives it back).
 */
export function inputHeldByMessage(sends: MessageSend | undefined, input: unknown, output: unknown, messages: LoggedMessage[]): boolean {
  if (!sends?.messageId || messages.length !== 1) return false;
  if (!isRecord(input) || !isRecord(output)) return false;
  const m = messages[0]!;
  if (m.provider_message_id === null || output[sends.messageId] !== m.provider_message_id) return false;
  const rebuilt = inputFromMessage(sends, m);
  const keys = Object.keys(input);
  return keys.length === Object.keys(rebuilt).length && keys.every((k) => rebuilt[k] !== undefined && rebuilt[k] === input[k]);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
