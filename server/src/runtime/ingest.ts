// Webhook ingest: verify, parse, then store events, runs, jobs and the delivery in one statement; only then answer.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { getNodeType, WebhookParseError, type Logger, type ParsedEvent, type WebhookAnswer, type WebhookRequest } from '@bundles/nodes';
import { sameSecret, type ConnectionStore, type LoadedConnection } from './connections.js';
import { statusRankSql } from './message-status.js';
import type { SubscriptionCache, Subscription } from './subscriptions.js';
import { insertRunJobsSql, type Waker } from './queue.js';

export interface IngestDeps {
  pool: pg.Pool;
  connections: ConnectionStore;
  subscriptions: SubscriptionCache;
  log: Logger;
  waker: Waker;
  onIngested?(result: IngestResult): void;
}

export interface IngestResult {
  outcome: 'accepted' | 'duplicate' | 'rejected' | 'challenge' | 'not_found';
  events: number;
  duplicates: number;
  runIds: string[];
}

const unknownUrl = 'No connection has this webhook URL: copy it again from the connection in Bundles (deleting a connection retires its URL).';
const json = (status: number, body: unknown): WebhookAnswer => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
const errorAnswer = (status: number, code: string, message: string) => json(status, { error: { code, message } });

async function recordRejection(pool: pg.Pool, conn: LoadedConnection, reason: string): Promise<void> {
  await pool.query({
    name: 'delivery_rejected',
    text: `insert into webhook_deliveries (workspace_id, connection_id, outcome, reason) values ($1, $2, 'rejected', $3)`,
    values: [conn.workspaceId, conn.id, reason.slice(0, 500)],
  });
}

function matches(sub: Subscription, event: ParsedEvent): boolean {
  if (sub.eventType !== event.type) return false;
  if (sub.key !== null && sub.key !== (event.key ?? null)) return false;
  const def = getNodeType(sub.nodeType);
  if (!def || def.kind !== 'trigger') return false;
  try {
    return def.match ? def.match(event.payload, sub.config) : true;
  } catch {
    return false;
  }
}

const ingestSql = `
with input_events as (
  select * from json_to_recordset($3::json) as x(dedupe_key text, type text, payload json)
), ins as (
  insert into events as e (workspace_id, connection_id, type, dedupe_key, payload)
  select $1, $2, type, dedupe_key, payload from input_events
  on conflict (connection_id, dedupe_key) do update set duplicates = e.duplicates + 1
  returning e.id, e.dedupe_key, (xmax = 0) as inserted
), candidate_runs as (
  select * from json_to_recordset($4::json) as x(id uuid, dedupe_key text, subscription_id uuid)
), new_runs as (
  insert into runs (id, workspace_id, flow_id, version_id, event_id)
  select c.id, $1, ts.flow_id, ts.version_id, ins.id
  from candidate_runs c
  join ins on ins.dedupe_key = c.dedupe_key and ins.inserted
  join trigger_subscriptions ts on ts.id = c.subscription_id and ts.active
  returning id, version_id, event_id
), fresh_runs as (
  select nr.id, nr.version_id, ie.payload
  from new_runs nr join ins on ins.id = nr.event_id join input_events ie on ie.dedupe_key = ins.dedupe_key
), jobs as (
  ${insertRunJobsSql('fresh_runs')}
), inbound as (
  insert into messages (workspace_id, connection_id, provider, direction, channel, "from", "to", text, provider_message_id, status, conversation_key)
  select $1, $2, $5, 'inbound', m.channel, m."from", m."to", m.text, m.provider_message_id, m.status, m.conversation_key
  from json_to_recordset($6::json) as m(dedupe_key text, channel text, "from" text, "to" text, text text, provider_message_id text, status text, conversation_key text)
  join ins on ins.dedupe_key = m.dedupe_key and ins.inserted
  returning id
), status_updates as (
  update messages set status = s.status, error = coalesce(s.error, messages.error), updated_at = now()
  -- One delivery may carry several statuses of one message: an UPDATE applies only one source row per target, so take the furthest.
  from (
    select distinct on (x.provider_message_id) x.provider_message_id, x.status, x.error
    from json_to_recordset($7::json) as x(dedupe_key text, provider_message_id text, status text, error json)
    join ins on ins.dedupe_key = x.dedupe_key and ins.inserted
    order by x.provider_message_id, ${statusRankSql('x.status')} desc
  ) s
  where messages.connection_id = $2 and messages.provider_message_id = s.provider_message_id
    and ${statusRankSql('s.status')} > ${statusRankSql('messages.status')}
  returning messages.id
), delivery as (
  insert into webhook_deliveries (workspace_id, connection_id, outcome, event_ids, body)
  select $1, $2,
    case when exists (select 1 from ins where inserted) then 'accepted' else 'duplicate' end,
    coalesce((select jsonb_agg(id) from ins), '[]'::jsonb),
    case when exists (select 1 from ins where inserted) then $8::json end
  returning id
)
select
  (select count(*) from ins where inserted)::int as inserted,
  (select count(*) from ins where not inserted)::int as duplicates,
  coalesce((select json_agg(id) from new_runs), '[]') as run_ids,
  (select count(*) from jobs)::int as jobs,
  (select count(*) from inbound)::int as inbound,
  (select count(*) from status_updates)::int as status_updates,
  (select count(*) from delivery)::int as deliveries`;

/** Handles one webhook request for a connection and returns the answer for the provider. */
export async function ingestWebhook(
  deps: IngestDeps,
  connectionId: string,
  secret: string,
  req: WebhookRequest,
  /** Set when the body could not be decoded (e.g. invalid JSON); answered 400 after the signature check. */
  bodyError?: string,
): Promise<{ answer: WebhookAnswer; result: IngestResult }> {
  const conn = await deps.connections.get(connectionId);
  const none: IngestResult = { outcome: 'not_found', events: 0, duplicates: 0, runIds: [] };
  if (!conn) return { answer: errorAnswer(404, 'not_found', unknownUrl), result: none };
  if (!sameSecret(secret, conn.webhookSecret)) {
    await recordRejection(deps.pool, conn, 'wrong secret in the webhook URL');
    return { answer: errorAnswer(404, 'not_found', unknownUrl), result: none };
  }
  const hook = conn.provider.webhook;
  if (!hook) {
    await recordRejection(deps.pool, conn, `${conn.provider.title} connections do not receive webhooks`);
    return { answer: errorAnswer(404, 'not_found', `${conn.provider.title} connections do not receive webhooks.`), result: none };
  }
  const challenge = hook.challenge?.(req, conn.context);
  if (challenge) return { answer: challenge, result: { ...none, outcome: 'challenge' } };

  const rejected: IngestResult = { outcome: 'rejected', events: 0, duplicates: 0, runIds: [] };
  const verdict = hook.verify(req, conn.context);
  if (!verdict.ok) {
    deps.log.warn({ connectionId, reason: verdict.reason }, 'webhook rejected');
    await recordRejection(deps.pool, conn, verdict.reason);
    return { answer: errorAnswer(401, 'invalid_signature', `Webhook rejected: ${verdict.reason}.`), result: rejected };
  }
  let parsed: ParsedEvent[];
  try {
    if (bodyError) throw new WebhookParseError(bodyError);
    parsed = hook.parse(req, conn.context);
  } catch (err) {
    const reason = err instanceof WebhookParseError ? err.message : `could not read the request: ${(err as Error).message}`;
    deps.log.warn({ connectionId, reason }, 'webhook malformed');
    await recordRejection(deps.pool, conn, reason);
    return { answer: errorAnswer(400, 'malformed_webhook', `Webhook not understood: ${reason}.`), result: rejected };
  }
  const answerFor = () => hook.respond?.(parsed, req) ?? json(200, { ok: true, events: parsed.length });
  if (parsed.length === 0) {
    return { answer: answerFor(), result: { outcome: 'accepted', events: 0, duplicates: 0, runIds: [] } };
  }

  // The same key twice in one delivery is one event.
  const unique = [...new Map(parsed.map((e) => [e.dedupeKey, e])).values()];
  const subs = await deps.subscriptions.forConnection(conn.id);
  const candidates: Array<{ id: string; dedupe_key: string; subscription_id: string }> = [];
  for (const event of unique) {
    for (const sub of subs) if (matches(sub, event)) candidates.push({ id: randomUUID(), dedupe_key: event.dedupeKey, subscription_id: sub.id });
  }
  const inbound = unique.filter((e) => e.message).map((e) => ({
    dedupe_key: e.dedupeKey,
    channel: e.message!.channel,
    from: e.message!.from ?? null,
    to: e.message!.to ?? null,
    text: e.message!.text ?? null,
    provider_message_id: e.message!.providerMessageId ?? null,
    status: e.message!.status,
    conversation_key: e.message!.conversationKey ?? null,
  }));
  const statuses = unique.filter((e) => e.messageStatus).map((e) => ({
    dedupe_key: e.dedupeKey,
    provider_message_id: e.messageStatus!.providerMessageId,
    status: e.messageStatus!.status,
    error: e.messageStatus!.error ?? null,
  }));
  const { rows } = await deps.pool.query({
    name: 'ingest',
    text: ingestSql,
    values: [
      conn.workspaceId,
      conn.id,
      JSON.stringify(unique.map((e) => ({ dedupe_key: e.dedupeKey, type: e.type, payload: e.payload }))),
      JSON.stringify(candidates),
      conn.context.provider,
      JSON.stringify(inbound),
      JSON.stringify(statuses),
      JSON.stringify(req.body ?? null),
    ],
  });
  const row = rows[0] as { inserted: number; duplicates: number; run_ids: string[] };
  const result: IngestResult = {
    outcome: row.inserted > 0 ? 'accepted' : 'duplicate',
    events: row.inserted,
    duplicates: row.duplicates,
    runIds: row.run_ids,
  };
  deps.waker.wake(result.runIds.length);
  deps.onIngested?.(result);
  return { answer: answerFor(), result };
}
