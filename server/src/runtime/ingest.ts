// Webhook ingest: verify, parse, then store events, runs, jobs and the delivery in one statement; only then answer.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { getNodeType, WebhookParseError, type Logger, type ParsedEvent, type WebhookAnswer, type WebhookRequest } from '@bundles/nodes';
import { sameSecret, type ConnectionStore, type LoadedConnection } from './connections.js';
import { statusRankSql } from './message-status.js';
import type { SubscriptionCache, Subscription } from './subscriptions.js';
import { insertRunJobsSql, type Waker } from './queue.js';
import { createBatcher, type Batcher } from './batcher.js';
import { sqlJson, withoutNulChars } from './sql-json.js';
import type { Lane } from './lane.js';

export interface IngestDeps {
  pool: pg.Pool;
  connections: ConnectionStore;
  subscriptions: SubscriptionCache;
  log: Logger;
  waker: Waker;
  writer: IngestWriter;
  /** This process's executor, when it runs one: it takes new runs straight from ingest. */
  lane: Lane | null;
  onIngested?(result: IngestResult): void;
}

/** What one webhook delivery stores. */
interface IngestItem {
  workspaceId: string;
  connectionId: string;
  provider: string;
  body: unknown;
  events: Array<{ dedupe_key: string; type: string; payload: Record<string, unknown> }>;
  candidates: Array<{ id: string; dedupe_key: string; subscription_id: string; lane: boolean }>;
  inbound: Array<Record<string, unknown>>;
  statuses: Array<Record<string, unknown>>;
}

interface StoredJob {
  runId: string;
  jobId: string;
  versionId: string;
  lane: boolean;
}

interface IngestRow {
  inserted: number;
  duplicates: number;
  jobs: StoredJob[];
}

export type IngestWriter = Batcher<IngestItem, IngestRow>;

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

// One statement stores a batch of webhook deliveries (`req` numbers them): their events (a duplicate only
// counts), the runs of the new events and their jobs, inbound messages, message statuses (which only move
// forward) and the delivery log. A run the in-process lane takes has its job inserted locked by the lane.
const ingestSql = `
with d as (
  select * from json_to_recordset($1::json) as x(req int, workspace_id uuid, connection_id uuid, provider text, body json)
), input_events as (
  select x.req, x.dedupe_key, x.type, x.payload, d.workspace_id, d.connection_id
  from json_to_recordset($2::json) as x(req int, dedupe_key text, type text, payload json) join d on d.req = x.req
), ins as (
  insert into events as e (workspace_id, connection_id, type, dedupe_key, payload)
  -- In key order: two statements in flight that carry the same keys then lock them in the same order (no deadlock).
  select workspace_id, connection_id, type, dedupe_key, payload from input_events order by connection_id, dedupe_key
  on conflict (connection_id, dedupe_key) do update set duplicates = e.duplicates + 1
  returning e.id, e.connection_id, e.dedupe_key, (xmax = 0) as inserted
), ins_req as (
  select ins.id, ins.dedupe_key, ins.inserted, ie.req, ie.workspace_id, ie.connection_id, ie.payload
  from ins join input_events ie on ie.connection_id = ins.connection_id and ie.dedupe_key = ins.dedupe_key
), candidate_runs as (
  select * from json_to_recordset($3::json) as x(req int, id uuid, dedupe_key text, subscription_id uuid, lane boolean)
), new_runs as (
  insert into runs (id, workspace_id, flow_id, version_id, event_id)
  select c.id, i.workspace_id, ts.flow_id, ts.version_id, i.id
  from candidate_runs c
  join ins_req i on i.req = c.req and i.dedupe_key = c.dedupe_key and i.inserted
  join trigger_subscriptions ts on ts.id = c.subscription_id and ts.active
  returning id, version_id, event_id
), fresh_runs as (
  select nr.id, nr.version_id, i.payload, c.lane
  from new_runs nr join ins_req i on i.id = nr.event_id join candidate_runs c on c.id = nr.id
), jobs as (
  ${insertRunJobsSql('fresh_runs', '$6')}
), inbound as (
  insert into messages (workspace_id, connection_id, provider, direction, channel, "from", "to", text, provider_message_id, status, conversation_key)
  select i.workspace_id, i.connection_id, d.provider, 'inbound', m.channel, m."from", m."to", m.text, m.provider_message_id, m.status, m.conversation_key
  from json_to_recordset($4::json) as m(req int, dedupe_key text, channel text, "from" text, "to" text, text text, provider_message_id text, status text, conversation_key text)
  join ins_req i on i.req = m.req and i.dedupe_key = m.dedupe_key and i.inserted
  join d on d.req = m.req
  returning id
), status_updates as (
  update messages set status = s.status, error = coalesce(s.error, messages.error), updated_at = now()
  -- Several statuses of one message may arrive together: an UPDATE applies only one source row per target, so take the furthest.
  from (
    select distinct on (i.connection_id, x.provider_message_id) i.connection_id, x.provider_message_id, x.status, x.error
    from json_to_recordset($5::json) as x(req int, dedupe_key text, provider_message_id text, status text, error json)
    join ins_req i on i.req = x.req and i.dedupe_key = x.dedupe_key and i.inserted
    order by i.connection_id, x.provider_message_id, ${statusRankSql('x.status')} desc
  ) s
  -- The message ids again as an array, so the planner probes the index rather than scanning messages.
  where messages.provider_message_id = any($7::text[])
    and messages.connection_id = s.connection_id and messages.provider_message_id = s.provider_message_id
    and ${statusRankSql('s.status')} > ${statusRankSql('messages.status')}
  returning messages.id
), per_req as (
  select d.req, d.workspace_id, d.connection_id, d.body, a.inserted, a.duplicates, a.event_ids
  from d cross join lateral (
    select (count(*) filter (where i.inserted))::int as inserted, (count(*) filter (where not i.inserted))::int as duplicates,
      coalesce(jsonb_agg(i.id), '[]'::jsonb) as event_ids
    from ins_req i where i.req = d.req
  ) a
), delivery as (
  insert into webhook_deliveries (workspace_id, connection_id, outcome, event_ids, body)
  select workspace_id, connection_id, case when inserted > 0 then 'accepted' else 'duplicate' end, event_ids,
    case when inserted > 0 then body end
  from per_req
  returning 1
)
select p.req, p.inserted, p.duplicates,
  coalesce((select json_agg(json_build_object('runId', j.run_id, 'jobId', j.id::text, 'versionId', j.version_id, 'lane', j.lane))
    from jobs j join candidate_runs c on c.id = j.run_id where c.req = p.req), '[]') as jobs
from per_req p order by p.req`;

/**
 * Webhooks that arrive while an ingest statement is in flight share the next one: one commit for many.
 * Two deliveries carrying the same event key never share a statement (ON CONFLICT sees a row once),
 * so the second one waits and is counted as a duplicate of the first.
 */
/** Ingest statements in flight at once per process: one, so that webhooks arriving meanwhile share the next. */
export const ingestStatementsInFlight = 1;

export function createIngestWriter(pool: pg.Pool, laneId: () => string | null): IngestWriter {
  return createBatcher<IngestItem, IngestRow>(
    async (items) => {
      const at = <T>(rows: T[], req: number) => rows.map((r) => ({ req, ...r }));
      const { rows } = await pool.query({
        name: 'ingest',
        text: ingestSql,
        values: [
          sqlJson(items.map((it, req) => ({ req, workspace_id: it.workspaceId, connection_id: it.connectionId, provider: it.provider, body: it.body ?? null }))),
          sqlJson(items.flatMap((it, req) => at(it.events, req))),
          sqlJson(items.flatMap((it, req) => at(it.candidates, req))),
          sqlJson(items.flatMap((it, req) => at(it.inbound, req))),
          sqlJson(items.flatMap((it, req) => at(it.statuses, req))),
          laneId(),
          items.flatMap((it) => it.statuses.map((x) => withoutNulChars(String(x.provider_message_id)))),
        ],
      });
      return rows as IngestRow[];
    },
    {
      maxInFlight: ingestStatementsInFlight,
      maxBatch: 64,
      fits: (batch, item) => {
        const keys = item.events.map((e) => e.dedupe_key);
        return !batch.some((b) => b.connectionId === item.connectionId && b.events.some((e) => keys.includes(e.dedupe_key)));
      },
    },
  );
}

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
  const candidates: IngestItem['candidates'] = [];
  for (const event of unique) {
    for (const sub of subs) if (matches(sub, event)) candidates.push({ id: randomUUID(), dedupe_key: event.dedupeKey, subscription_id: sub.id, lane: false });
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
  // The runs this process's lane has room for are executed here, without a trip through the queue.
  const lane = deps.lane;
  const granted = lane ? lane.reserve(candidates.length) : 0;
  for (let i = 0; i < granted; i++) candidates[i]!.lane = true;
  let row: IngestRow;
  try {
    row = await deps.writer.submit({
      workspaceId: conn.workspaceId,
      connectionId: conn.id,
      provider: conn.context.provider,
      body: req.body ?? null,
      events: unique.map((e) => ({ dedupe_key: e.dedupeKey, type: e.type, payload: e.payload })),
      candidates,
      inbound,
      statuses,
    });
  } catch (err) {
    if (granted) lane!.release(granted);
    throw err;
  }
  let taken = 0;
  if (granted) {
    const byKey = new Map(unique.map((e) => [e.dedupeKey, e.payload]));
    const payloadOf = new Map(candidates.map((c) => [c.id, byKey.get(c.dedupe_key)!]));
    for (const job of row.jobs) {
      if (!job.lane) continue;
      lane!.push({ runId: job.runId, jobId: job.jobId, versionId: job.versionId, payload: payloadOf.get(job.runId)! });
      taken++;
    }
    if (granted > taken) lane!.release(granted - taken);
  }
  const queued = row.jobs.length - taken;
  const result: IngestResult = {
    outcome: row.inserted > 0 ? 'accepted' : 'duplicate',
    events: row.inserted,
    duplicates: row.duplicates,
    runIds: row.jobs.map((j) => j.runId),
  };
  deps.waker.wake(queued);
  deps.onIngested?.(result);
  return { answer: answerFor(), result };
}
