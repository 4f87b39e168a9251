// Webhook ingest: find the connection, decode the body (bounded), verify, parse, then store events, runs,
// jobs and the delivery in one statement; only then answer. Whatever cannot be stored is refused with a
// reason in the delivery log, never left to fail the statement.
import type pg from 'pg';
import { FormLimitError, getNodeType, header, webhookLimits, WebhookParseError, type Logger, type ParsedEvent, type WebhookAnswer, type WebhookRequest } from '@bundles/nodes';
import type { StepError } from '@bundles/shared';
import { sameSecret, type ConnectionStore, type LoadedConnection } from './connections.js';
import type { SubscriptionCache, Subscription } from './subscriptions.js';
import type { Waker } from './queue.js';
import type { Lane } from './lane.js';
import type { IngestItem, IngestRow, IngestWriter, RejectionWriter } from './ingest-writer.js';
import { decodeWebhookBody } from './webhook-body.js';
import { storableText, unstorableReason } from './storable.js';
import { redactSecrets } from './redact.js';
import { newId } from '../ids.js';

export { createIngestWriter, createRejectionWriter, ingestStatementsInFlight, type IngestWriter } from './ingest-writer.js';

export interface IngestDeps {
  pool: pg.Pool;
  connections: ConnectionStore;
  subscriptions: SubscriptionCache;
  log: Logger;
  waker: Waker;
  writer: IngestWriter;
  rejections: RejectionWriter;
  /** This process's executor, when it runs one: it takes new runs straight from ingest. */
  lane: Lane | null;
  onIngested?(result: IngestResult): void;
}

/** A webhook request as it arrived, before its body is decoded. */
export type RawWebhook = Omit<WebhookRequest, 'body'>;

export interface IngestResult {
  outcome: 'accepted' | 'duplicate' | 'rejected' | 'challenge' | 'not_found';
  events: number;
  duplicates: number;
  runIds: string[];
}

/** How long a repeat of a key is a duplicate: a provider's own event id for as long as events are kept; a content key briefly. */
export const dedupeSeconds = { id: 30 * 24 * 3600, state: 30 * 24 * 3600, content: 10 * 60 } as const;

const unknownUrl = 'No connection has this webhook URL: copy it again from the connection in Bundles (deleting a connection retires its URL).';
const json = (status: number, body: unknown): WebhookAnswer => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
const errorAnswer = (status: number, code: string, message: string) => json(status, { error: { code, message } });
const none: IngestResult = { outcome: 'not_found', events: 0, duplicates: 0, runIds: [] };
const rejected: IngestResult = { outcome: 'rejected', events: 0, duplicates: 0, runIds: [] };

type Outcome = { answer: WebhookAnswer; result: IngestResult };

/** Refuses a delivery: the reason goes to the delivery log and to the caller. */
async function reject(deps: IngestDeps, conn: LoadedConnection, status: number, code: string, reason: string): Promise<Outcome> {
  const text = storableText(reason);
  deps.log.warn({ connectionId: conn.id, reason: text }, 'webhook rejected');
  await deps.rejections.submit({ workspaceId: conn.workspaceId, connectionId: conn.id, reason: text });
  const message = status === 401 ? `Webhook rejected: ${text}.` : `Webhook not understood: ${text}.`;
  return { answer: errorAnswer(status, code, message), result: rejected };
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

type Read = { ok: true; req: WebhookRequest; events: ParsedEvent[] } | { ok: false; status: number; code: string; reason: string } | { ok: 'challenge'; answer: WebhookAnswer };

/** Decodes, verifies and parses one delivery; every failure is a 4xx with its reason. */
function readDelivery(conn: LoadedConnection, raw: RawWebhook): Read {
  const hook = conn.provider.webhook!;
  const decoded = decodeWebhookBody(raw.rawBody, header(raw, 'content-type') ?? '');
  // Too big to read at all: refused before a signature check would have to read it.
  if (!decoded.ok && decoded.status === 413) return { ok: false, status: 413, code: 'too_large', reason: decoded.reason };
  const req: WebhookRequest = { ...raw, body: decoded.ok ? decoded.body : null };
  try {
    const challenge = hook.challenge?.(req, conn.context);
    if (challenge) return { ok: 'challenge', answer: challenge };
    const verdict = hook.verify(req, conn.context);
    if (!verdict.ok) return { ok: false, status: 401, code: 'invalid_signature', reason: verdict.reason };
  } catch (err) {
    return { ok: false, status: 401, code: 'invalid_signature', reason: `the signature could not be checked: ${errorText(err)}` };
  }
  if (!decoded.ok) return { ok: false, status: decoded.status, code: decoded.status === 422 ? 'unstorable_body' : 'malformed_webhook', reason: decoded.reason };
  let events: ParsedEvent[];
  try {
    events = hook.parse(req, conn.context);
  } catch (err) {
    if (err instanceof FormLimitError) return { ok: false, status: 413, code: 'too_large', reason: err.message };
    const reason = err instanceof WebhookParseError ? err.message : `could not read the request: ${errorText(err)}`;
    return { ok: false, status: 400, code: 'malformed_webhook', reason };
  }
  if (events.length > webhookLimits.events) {
    return { ok: false, status: 413, code: 'too_many_events', reason: `the delivery carries ${events.length} events, more than ${webhookLimits.events}` };
  }
  for (const e of events) {
    const problem =
      (typeof e.dedupeKey === 'string' && e.dedupeKey ? null : 'an event has no key') ??
      unstorableReason([e.dedupeKey, e.subject ?? '', e.key ?? '', e.type, e.payload], { nulInValues: 'refuse' });
    if (problem) return { ok: false, status: 422, code: 'unstorable_body', reason: `the event cannot be stored as it came: ${problem}` };
  }
  return { ok: true, req, events };
}

/** One event per key, and one per subject: a later event of a subject already seen in the delivery gets a subject of its own. */
function distinctEvents(events: ParsedEvent[]): Array<ParsedEvent & { subject: string }> {
  const byKey = new Map<string, ParsedEvent & { subject: string }>();
  const subjects = new Set<string>();
  for (const e of events) {
    if (byKey.has(e.dedupeKey)) continue;
    let subject = e.keyKind === 'id' ? e.dedupeKey : (e.subject ?? e.dedupeKey);
    if (subjects.has(subject)) subject = `${subject}#${byKey.size}`;
    subjects.add(subject);
    byKey.set(e.dedupeKey, { ...e, subject });
  }
  return [...byKey.values()];
}

/** Whether a subscription takes the event; a condition that throws gives a failed run with its error. */
function matchOf(sub: Subscription, event: ParsedEvent): { matched: boolean; error: StepError | null } {
  if (sub.eventType !== event.type) return { matched: false, error: null };
  if (sub.key !== null && sub.key !== (event.key ?? null)) return { matched: false, error: null };
  const def = getNodeType(sub.nodeType);
  if (!def || def.kind !== 'trigger') return { matched: false, error: null };
  try {
    return { matched: def.match ? def.match(event.payload, sub.config) : true, error: null };
  } catch (err) {
    return { matched: true, error: { code: 'trigger_condition_failed', message: storableText(`The trigger's condition failed on this event: ${errorText(err)}`), retryable: false } };
  }
}

/**
 * What users search a run by (the Runs page): who wrote, for a message; else the id of what the event is
 * about, its subject without the kind (`order:5001` → `5001`, `transaction:…`) or a delivery's suffix.
 */
export function searchKeyOf(event: ParsedEvent & { subject: string }): string {
  const who = event.message?.direction === 'inbound' ? (event.message.from ?? event.message.conversationKey) : null;
  if (who) return who;
  const subject = event.subject.replace(/#\d+$/, '');
  return subject.slice(subject.indexOf(':') + 1);
}

function plannedRuns(events: Array<ParsedEvent & { subject: string }>, subs: Subscription[]): IngestItem['candidates'] {
  const candidates: IngestItem['candidates'] = [];
  for (const event of events) {
    for (const sub of subs) {
      const { matched, error } = matchOf(sub, event);
      if (!matched) continue;
      // Runs started by a customer's message keep the conversation's order.
      const conversationKey = event.message?.direction === 'inbound' ? (event.message.conversationKey ?? null) : null;
      // A run that may wait for its turn first journals its attempt when it runs, not now.
      const journal = !error && conversationKey === null ? sub.journal : null;
      candidates.push({
        id: newId(),
        ord: candidates.length,
        subject: event.subject,
        search_key: searchKeyOf(event),
        subscription_id: sub.id,
        lane: false,
        error,
        conversation_key: conversationKey,
        journal_node: journal?.nodeId ?? null,
      });
    }
  }
  return candidates;
}

function messageRows(events: Array<ParsedEvent & { subject: string }>) {
  const inbound = events.filter((e) => e.message).map((e) => ({
    dedupe_key: e.dedupeKey,
    channel: e.message!.channel,
    from: e.message!.from ?? null,
    to: e.message!.to ?? null,
    text: e.message!.text ?? null,
    provider_message_id: e.message!.providerMessageId ?? null,
    status: e.message!.status,
    conversation_key: e.message!.conversationKey ?? null,
  }));
  const statuses = events.filter((e) => e.messageStatus).map((e) => ({
    dedupe_key: e.dedupeKey,
    provider_message_id: e.messageStatus!.providerMessageId,
    status: e.messageStatus!.status,
    error: e.messageStatus!.error ?? null,
  }));
  return { inbound, statuses };
}

/** Handles one webhook request for a connection and returns the answer for the provider. */
export async function ingestWebhook(deps: IngestDeps, connectionId: string, secret: string, raw: RawWebhook): Promise<Outcome> {
  const conn = await deps.connections.get(connectionId);
  if (!conn) return { answer: errorAnswer(404, 'not_found', unknownUrl), result: none };
  if (!sameSecret(secret, conn.webhookSecret)) {
    await deps.rejections.submit({ workspaceId: conn.workspaceId, connectionId: conn.id, reason: 'wrong secret in the webhook URL' });
    return { answer: errorAnswer(404, 'not_found', unknownUrl), result: none };
  }
  if (!conn.provider.webhook) {
    return reject(deps, conn, 404, 'not_found', `${conn.provider.title} connections do not receive webhooks`);
  }
  const read = readDelivery(conn, raw);
  if (read.ok === 'challenge') return { answer: read.answer, result: { ...none, outcome: 'challenge' } };
  if (!read.ok) return reject(deps, conn, read.status, read.code, read.reason);

  const events = distinctEvents(read.events);
  const subs = events.length ? await deps.subscriptions.forConnection(conn.id) : [];
  const candidates = plannedRuns(events, subs);
  // Secrets that reached us in the request (a shared secret, a token in the body) are not stored.
  const secrets = [...conn.secretValues, ...subs.flatMap((s) => s.secretValues)];
  const stored = events.map((e) => ({ ...e, payload: redactSecrets(e.payload, secrets) }));
  const { inbound, statuses } = messageRows(stored);
  const answer = () => conn.provider.webhook!.respond?.(read.events, read.req) ?? json(200, { ok: true, events: events.length });

  const item: IngestItem = {
    workspaceId: conn.workspaceId,
    connectionId: conn.id,
    provider: conn.context.provider,
    // Kept only when no event holds it: a payload is stored once, with its event.
    body: events.length === 0 ? redactSecrets(read.req.body ?? null, secrets) : null,
    reason: events.length === 0 ? 'the delivery carried no event' : null,
    events: stored.map((e) => ({ dedupe_key: e.dedupeKey, subject: e.subject, ttl: dedupeSeconds[e.keyKind], type: e.type, payload: e.payload })),
    candidates,
    inbound,
    statuses,
  };
  const row = await storeDelivery(deps, item, new Map(stored.map((e) => [e.subject, e.payload])));
  const result: IngestResult = {
    outcome: row.inserted > 0 || events.length === 0 ? 'accepted' : 'duplicate',
    events: row.inserted,
    duplicates: row.duplicates,
    runIds: row.jobs.map((j) => j.runId),
  };
  deps.onIngested?.(result);
  return { answer: answer(), result };
}

/** Stores one delivery (sharing a statement with others in flight) and hands the runs the lane has room for to it. */
async function storeDelivery(deps: IngestDeps, item: IngestItem, payloadBySubject: Map<string, Record<string, unknown>>): Promise<IngestRow> {
  const lane = deps.lane;
  const runnable = item.candidates.filter((c) => !c.error);
  const granted = lane ? lane.reserve(runnable.length) : 0;
  for (let i = 0; i < granted; i++) runnable[i]!.lane = true;
  let row: IngestRow;
  try {
    row = await deps.writer.submit(item);
  } catch (err) {
    if (granted) lane!.release(granted);
    throw err;
  }
  let taken = 0;
  if (granted) {
    const subjectOf = new Map(item.candidates.map((c) => [c.id, c.subject]));
    for (const job of row.jobs) {
      if (!job.lane) continue;
      const fresh = {
        versionId: job.versionId,
        flowId: job.flowId,
        conversationKey: job.conversationKey,
        seq: Number(job.seq),
        journaled: job.journaled,
        payload: payloadBySubject.get(subjectOf.get(job.runId)!)!,
      };
      lane!.push({ runId: job.runId, jobId: job.jobId, fresh });
      taken++;
    }
    if (granted > taken) lane!.release(granted - taken);
  }
  deps.waker.wake(row.jobs.length - taken + row.woken);
  return row;
}
