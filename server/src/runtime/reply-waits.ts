// core.wait_for_reply in the runtime: a waiting step keeps a row in reply_waits, written with the step (the
// run writer's statement) and with a continuation job keyed `reply:<run>:<node>` due at the timeout. The
// ingest statement hands the next inbound message of the conversation to the oldest open wait and makes
// that job due now (ingest-writer.ts); the resumed run settles the wait here: the reply, or the timeout,
// closed in one UPDATE so that a reply racing the timeout goes to exactly one place.
import type pg from 'pg';
import { getProvider, replyOutput, ProviderError, type ControlResult, type ReplyMessage, type WaitForReplyOutput } from '@bundles/nodes';
import type { LoadedConnection } from './connections.js';

/** A wait to store with the waiting step (RunWrite.replyWait): a repeat of an open one changes nothing, a settled one waits anew. */
export interface ReplyWaitWrite {
  node_id: string;
  flow_id: string;
  connection_id: string;
  conversation_key: string;
  expires_at: string;
}

/** The job that continues a run waiting for a reply: one per run and step, found again by its key. */
export function replyJobKey(runId: string, nodeId: string): string {
  return `reply:${runId}:${nodeId}`;
}

/** The address as the connection's provider keys the conversations of its inbound messages. */
export function conversationKeyFor(provider: string, address: string): string {
  const normalise = getProvider(provider)?.conversationKey;
  return normalise ? normalise(address) : address.trim();
}

/** The wait a step asked for, on its connection, and the waiting step's output (with the conversation as keyed). */
export function replyWaitOf(
  result: Extract<ControlResult, { control: 'reply' }>,
  conn: LoadedConnection | null,
  nodeId: string,
  flowId: string,
): { wait: ReplyWaitWrite; output: WaitForReplyOutput } {
  if (!conn) throw new ProviderError({ message: 'Choose the connection whose messages to wait for (SMS, WhatsApp or chat).', code: 'connection_missing', retryable: false });
  if (!getProvider(conn.context.provider)?.conversationKey) {
    throw new ProviderError({ message: `${conn.context.name} (${conn.context.provider}) receives no messages: choose an SMS, WhatsApp or chat connection.`, code: 'not_a_messaging_connection', retryable: false });
  }
  const key = conversationKeyFor(conn.context.provider, result.conversation);
  if (key === '') throw new ProviderError({ message: 'The conversation rendered empty: map the sender, e.g. {{ trigger.from }}.', code: 'invalid_conversation', retryable: false });
  const output = { ...(result.output as WaitForReplyOutput), conversation: key };
  return { wait: { node_id: nodeId, flow_id: flowId, connection_id: conn.id, conversation_key: key, expires_at: result.until.toISOString() }, output };
}

export type ResumedWait =
  | { settled: true; output: WaitForReplyOutput; handle: 'reply' | 'timeout' }
  /** Woken before its time with no reply (nothing else should wake it): it waits on. */
  | { settled: false; until: Date; wait: ReplyWaitWrite };

// Closes an open wait whose time is up; otherwise answers the row as it is (taken, or open and not yet due).
const settleSql = `
with closed as (
  update reply_waits set status = 'timed_out'
  where run_id = $1 and node_id = $2 and status = 'open' and expires_at <= now()
  returning status, reply, expires_at, flow_id, connection_id, conversation_key
)
select * from closed
union all
select status, reply, expires_at, flow_id, connection_id, conversation_key from reply_waits
where run_id = $1 and node_id = $2 and not exists (select 1 from closed)`;

/** A run resumed at a waiting core.wait_for_reply step: the reply it took, its timeout, or more waiting. */
export async function resumeReplyWait(pool: pg.Pool, runId: string, nodeId: string, waiting: unknown): Promise<ResumedWait> {
  const { rows } = await pool.query({ name: 'settle_reply_wait', text: settleSql, values: [runId, nodeId] });
  const row = rows[0] as { status: string; reply: ReplyMessage | null; expires_at: Date; flow_id: string; connection_id: string; conversation_key: string } | undefined;
  const prior = (waiting ?? {}) as Partial<WaitForReplyOutput>;
  const base = { conversation: prior.conversation ?? row?.conversation_key ?? '', expiresAt: prior.expiresAt ?? row?.expires_at.toISOString() ?? new Date().toISOString() };
  // A wait with no row (removed by the retention sweep long after its time): nothing took it.
  if (!row || row.status === 'timed_out') return { settled: true, output: replyOutput(base, null), handle: 'timeout' };
  if (row.status === 'taken' && row.reply) return { settled: true, output: replyOutput(base, row.reply), handle: 'reply' };
  const wait = { node_id: nodeId, flow_id: row.flow_id, connection_id: row.connection_id, conversation_key: row.conversation_key, expires_at: row.expires_at.toISOString() };
  return { settled: false, until: row.expires_at, wait };
}

/**
 * A test never waits: a wait for a reply takes the reply the test gives it (TestInput.replies), as if the
 * person had written it, or goes on on `timeout`.
 */
export function answerReplyInTest(
  result: Extract<ControlResult, { control: 'reply' }>,
  conn: LoadedConnection | null,
  answer: { text: string } | 'timeout' | undefined,
): { output: WaitForReplyOutput; handle: 'reply' | 'timeout' } {
  const provider = conn?.context.provider ?? 'core';
  const waiting = result.output as WaitForReplyOutput;
  const base = { conversation: conversationKeyFor(provider, result.conversation), expiresAt: waiting.expiresAt };
  if (answer === undefined || answer === 'timeout') return { output: replyOutput(base, null), handle: 'timeout' };
  const message: ReplyMessage = { text: answer.text, from: base.conversation, at: new Date().toISOString(), provider, channel: 'test' };
  return { output: replyOutput(base, message), handle: 'reply' };
}

/** Days past its timeout a wait's row is kept: its run has long resumed (or is gone) by then. */
export const REPLY_WAIT_KEEP_DAYS = 7;

/** Rows of waits past their time by REPLY_WAIT_KEEP_DAYS (the retention sweep); returns how many. */
export async function trimReplyWaits(pool: pg.Pool): Promise<number> {
  const { rowCount } = await pool.query(`delete from reply_waits where expires_at < now() - $1::int * interval '1 day'`, [REPLY_WAIT_KEEP_DAYS]);
  return rowCount ?? 0;
}
