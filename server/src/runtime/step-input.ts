// What a message-sending step shares with the message it logged is stored once, in the message log: an input
// that is exactly the message's recipient, sender and text is not kept with the step, nor are the output
// fields that repeat its recipient and sender (`sends.echoes`). Readers put them back from the message.
import type pg from 'pg';
import type { MessageSend } from '@bundles/shared';
import type { NodeDefinition } from '@bundles/nodes';
import { stepNodeId } from './for-each.js';
import type { PreparedVersion } from './versions.js';

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

type Echo = 'to' | 'from';
const echoed: Echo[] = ['to', 'from'];

/** The one message a succeeded send logged, when its output names it (`sends.messageId`). */
function messageOf(sends: MessageSend, output: Record<string, unknown>, messages: LoggedMessage[]): LoggedMessage | null {
  if (!sends.messageId || messages.length !== 1) return null;
  const m = messages[0]!;
  return m.provider_message_id !== null && output[sends.messageId] === m.provider_message_id ? m : null;
}

/**
 * The output a send stores: without the fields (`sends.echoes`) when each of them equals its message's
 * recipient or sender; otherwise whole. All or none, so a stored output that lacks them all is one that left
 * them to its message (the nodes' output schemas require them).
 */
export function outputToStore(sends: MessageSend | undefined, output: unknown, messages: LoggedMessage[]): unknown {
  if (!sends?.echoes || !isRecord(output)) return output;
  const m = messageOf(sends, output, messages);
  const keys = echoKeys(sends);
  if (!m || keys.length === 0 || !keys.every(([f, key]) => m[f] !== null && output[key] === m[f])) return output;
  const stored = { ...output };
  for (const [, key] of keys) delete stored[key];
  return stored;
}

/** The provider's id of the message a stored output left its fields to, or null when it left none. */
export function echoSource(sends: MessageSend | undefined, stored: unknown): string | null {
  if (!sends?.echoes || !sends.messageId || !isRecord(stored)) return null;
  const id = stored[sends.messageId];
  const keys = echoKeys(sends);
  return keys.length > 0 && keys.every(([, key]) => !(key in stored)) && typeof id === 'string' ? id : null;
}

function echoKeys(sends: MessageSend): Array<[Echo, string]> {
  return echoed.flatMap((f) => (sends.echoes?.[f] ? [[f, sends.echoes[f]!] as [Echo, string]] : []));
}

/** A stored output with what its message holds put back (the inverse of outputToStore). */
export function outputWithEchoes(sends: MessageSend | undefined, stored: unknown, m: LoggedMessage | undefined): unknown {
  if (!sends?.echoes || !m || !isRecord(stored)) return stored;
  const output = { ...stored };
  for (const [f, key] of echoKeys(sends)) if (m[f] !== null) output[key] = m[f];
  return output;
}

/**
 * Puts back, in place, what succeeded steps' stored outputs left to their messages. `select` reads the
 * message log's recipient, sender, text and id for those provider ids: one query, none when nothing was left out.
 */
export async function putEchoesBack<T extends { status: string; output: unknown }>(
  steps: T[],
  sendsOf: (step: T) => MessageSend | undefined,
  select: (ids: string[]) => Promise<LoggedMessage[]>,
): Promise<void> {
  const sources = steps.map((s) => (s.status === 'succeeded' ? echoSource(sendsOf(s), s.output) : null));
  const ids = [...new Set(sources.filter((id): id is string => id !== null))];
  if (ids.length === 0) return;
  const byId = new Map((await select(ids)).map((m) => [m.provider_message_id, m]));
  steps.forEach((s, i) => {
    const id = sources[i];
    if (id) s.output = outputWithEchoes(sendsOf(s), s.output, byId.get(id));
  });
}

/** What a node type declares it sends, if it sends messages. */
export const sendsOfDef = (def: NodeDefinition | undefined): MessageSend | undefined => (def?.kind === 'action' ? def.sends : undefined);

/** What a step's node declares it sends (a step of a for-each element is its body node's). */
export const sendsOf = (version: PreparedVersion, stepId: string) => sendsOfDef(version.defs.get(stepNodeId(stepId)));

/**
 * The message log's recipient, sender, text and provider id of a run's messages with these provider ids: what
 * its sends left to their messages. Found through the provider-id index (status callbacks use it); the run id
 * keeps another run's out. (The services read the same through drizzle: loggedMessagesOfRun in services/runs.ts.)
 */
export async function loggedMessages(client: pg.Pool, runId: string, ids: string[]): Promise<LoggedMessage[]> {
  const { rows } = await client.query<LoggedMessage>('select "from", "to", text, provider_message_id from messages where run_id = $1 and provider_message_id = any($2::text[])', [runId, ids]);
  return rows;
}
