// The one statement that stores a batch of webhook deliveries, and the batcher that groups them.
import type pg from 'pg';
import type { StepError } from '@bundles/shared';
import { statusRankSql } from './message-status.js';
import { providerIdIn } from '../db/schema/messages.js';
import { insertRunJobsSql } from './queue.js';
import { createBatcher, poolTurns, type Batcher } from './batcher.js';
import { newId } from '../ids.js';
import { sqlJson, withoutNulChars } from './sql-json.js';

/** What one webhook delivery stores. */
export interface IngestItem {
  workspaceId: string;
  connectionId: string;
  provider: string;
  /** The decoded body, only for a delivery that carried no event (events hold their payloads). */
  body: unknown;
  /** Why a delivery stored nothing else (it carried no event). */
  reason: string | null;
  /** `ttl`: seconds during which a repeat of the key is a duplicate. */
  events: Array<{ dedupe_key: string; subject: string; ttl: number; type: string; payload: Record<string, unknown> }>;
  candidates: Array<{
    id: string;
    ord: number;
    subject: string;
    search_key: string;
    subscription_id: string;
    lane: boolean;
    /** The trigger's condition threw: the run is stored failed with this error, and never queued. */
    error: StepError | null;
    conversation_key: string | null;
    /** The write whose first attempt this statement journals (see ingestJournaledWrite). */
    journal_node: string | null;
  }>;
  inbound: Array<Record<string, unknown>>;
  statuses: Array<Record<string, unknown>>;
}

export interface StoredJob {
  runId: string;
  jobId: string;
  versionId: string;
  flowId: string;
  lane: boolean;
  conversationKey: string | null;
  seq: number;
  journaled: string | null;
}

export interface IngestRow {
  inserted: number;
  duplicates: number;
  jobs: StoredJob[];
  /** Jobs of runs waiting for a reply that this delivery brought, made due now (core.wait_for_reply). */
  woken: number;
}

export type IngestWriter = Batcher<IngestItem, IngestRow>;

// One statement stores a batch of webhook deliveries (`req` numbers them): their events (a repeat of a
// live key only counts), the runs of the new events and their jobs, inbound messages, message statuses
// (which only move forward) and the delivery log. A run the in-process lane takes has its job inserted
// locked by the lane. Tables that grow are reached through id arrays or lateral index probes: the
// planner guesses 100 rows for json_to_recordset and would otherwise hash-join whole tables.
/** Exported for the test of its plan. */
export const ingestSql = `
with d as (
  select * from json_to_recordset($1::json) as x(req int, delivery_id uuid, workspace_id uuid, connection_id uuid, provider text, body json, reason text)
), input_events as (
  select x.req, x.dedupe_key, x.subject, x.ttl, x.type, x.payload, d.workspace_id, d.connection_id
  from json_to_recordset($2::json) as x(req int, dedupe_key text, subject text, ttl int, type text, payload json) join d on d.req = x.req
), keys as (
  insert into event_keys as k (connection_id, subject, key_hash, event_id, expires_at)
  -- In key order: two statements in flight that carry the same keys then lock them in the same order (no deadlock).
  select connection_id, subject, hashtextextended(dedupe_key, 0), bundles_uuid7(), now() + ttl * interval '1 second'
  from input_events order by connection_id, subject
  -- A live repeat of the subject's last key is a duplicate: no row comes back for it.
  on conflict (connection_id, subject) do update set key_hash = excluded.key_hash, event_id = excluded.event_id, expires_at = excluded.expires_at
    where k.key_hash <> excluded.key_hash or k.expires_at <= now()
  returning k.connection_id, k.subject, k.event_id
), ins_req as (
  select ie.req, ie.dedupe_key, ie.subject, ie.type, ie.workspace_id, ie.connection_id, ie.payload,
    coalesce(keys.event_id, live.event_id) as id, keys.event_id is not null as inserted
  from input_events ie
  left join keys on keys.connection_id = ie.connection_id and keys.subject = ie.subject
  -- Only a duplicate looks up the live event it repeats (limit 1 keeps this an index probe per row).
  left join lateral (select k0.event_id from event_keys k0
    where keys.event_id is null and k0.connection_id = ie.connection_id and k0.subject = ie.subject limit 1) live on true
), ins as (
  insert into events (id, workspace_id, connection_id, type, dedupe_key, payload, delivery_id)
  select i.id, i.workspace_id, i.connection_id, i.type, i.dedupe_key, i.payload, d.delivery_id from ins_req i join d on d.req = i.req where i.inserted
  returning id
), dup as (
  update events set duplicates = events.duplicates + 1
  -- The first condition holds no column: the plan tests it once and reads no partition when nothing repeats.
  where (select count(*) from ins_req where not inserted and id is not null) > 0
    and events.id = any(array(select id from ins_req where not inserted and id is not null))
  returning 1
), reply_targets as (
  -- A message a run waits for (core.wait_for_reply) goes to the oldest open wait of its conversation on its
  -- connection, and starts no run. Tested once (no column in it): a batch without messages reads no wait.
  select distinct on (o.run_id, o.node_id) o.run_id, o.node_id, m.event_id, m.req, m.reply
  from (
    select i.req, i.id as event_id, i.connection_id, x.conversation_key,
      json_build_object('text', x.text, 'from', x."from", 'at', to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'provider', d.provider, 'channel', x.channel) as reply
    from json_to_recordset($4::json) as x(req int, dedupe_key text, channel text, "from" text, text text, conversation_key text)
    join ins_req i on i.req = x.req and i.dedupe_key = x.dedupe_key and i.inserted
    join d on d.req = x.req
    where cardinality($8::text[]) > 0 and x.conversation_key is not null
  ) m
  cross join lateral (
    select w0.run_id, w0.node_id from reply_waits w0
    where w0.connection_id = m.connection_id and w0.conversation_key = m.conversation_key and w0.status = 'open' and w0.expires_at > now()
    order by w0.created_at limit 1
  ) o
  -- Two messages of one conversation in one batch: the first takes the wait, the second starts runs.
  order by o.run_id, o.node_id, m.req, m.event_id
), reply_claims as (
  update reply_waits w set status = 'taken', taken_by_event = t.event_id, reply = t.reply
  from reply_targets t
  -- The ids as an array: the primary key is probed, whatever the planner guesses of the batch; and tested
  -- once with no column, so that a batch without messages reads nothing.
  where cardinality($8::text[]) > 0 and w.run_id = any(array(select run_id from reply_targets))
    and w.run_id = t.run_id and w.node_id = t.node_id and w.status = 'open'
  returning w.run_id, w.node_id, t.event_id, t.req
), reply_wakes as (
  -- The waiting run's continuation job (due at the timeout, keyed by the wait: see reply-waits.ts) is due now.
  update graphile_worker._private_jobs j set run_at = now()
  from reply_claims rc
  where j.key = 'reply:' || rc.run_id || ':' || rc.node_id and j.locked_at is null
  returning rc.req
), candidate_runs as (
  select * from json_to_recordset($3::json) as x(req int, ord int, id uuid, subject text, search_key text, subscription_id uuid, lane boolean, error json,
    conversation_key text, journal_node text)
), new_runs as (
  -- A run whose first write is journaled here starts here: the row names that write (journal_node), whose
  -- first attempt is on record from now on (the executor then skips its own journal write).
  insert into runs (id, workspace_id, flow_id, version_id, event_id, status, error, started_at, finished_at, conversation_key, search_key, seq, journal_node)
  select c.id, i.workspace_id, ts.flow_id, ts.version_id, i.id, case when c.error is null then 'queued' else 'failed' end,
    c.error, case when c.error is null and c.journal_node is not null then now() end, case when c.error is not null then now() end, c.conversation_key, c.search_key,
    case when c.conversation_key is not null then nextval('runs_conversation_seq') end,
    case when c.error is null then c.journal_node end
  from candidate_runs c
  join ins_req i on i.req = c.req and i.subject = c.subject and i.inserted
  join trigger_subscriptions ts on ts.id = c.subscription_id and ts.active
  -- A reply a waiting run took starts nothing else.
  where not exists (select 1 from reply_claims rc where rc.event_id = i.id)
  -- Arrival order: runs of one conversation take their turns by seq.
  order by c.req, c.ord
  returning id, version_id, flow_id, event_id, status, conversation_key, seq
), fresh_runs as (
  select nr.id, nr.version_id, nr.flow_id, nr.conversation_key, nr.seq, i.payload, c.lane, c.journal_node
  from new_runs nr join ins_req i on i.id = nr.event_id join candidate_runs c on c.id = nr.id
  where nr.status = 'queued'
), jobs as (
  ${insertRunJobsSql('fresh_runs', '$6')}
), inbound as (
  -- A received message's run_id is the run that took it as its reply (the message log says which bundle).
  insert into messages (workspace_id, connection_id, provider, direction, channel, "from", "to", text, provider_message_id, status, conversation_key, run_id)
  select i.workspace_id, i.connection_id, d.provider, 'inbound', m.channel, m."from", m."to", m.text, m.provider_message_id, m.status, m.conversation_key, rc.run_id
  from json_to_recordset($4::json) as m(req int, dedupe_key text, channel text, "from" text, "to" text, text text, provider_message_id text, status text, conversation_key text)
  join ins_req i on i.req = m.req and i.dedupe_key = m.dedupe_key and i.inserted
  join d on d.req = m.req
  left join reply_claims rc on rc.event_id = i.id
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
  -- Tested once (no column in it): no partition is read when the batch carries no status.
  where cardinality($7::text[]) > 0 and ${providerIdIn('messages.provider_message_id', '$7')}
    and messages.connection_id = s.connection_id and messages.provider_message_id = s.provider_message_id
    and ${statusRankSql('s.status')} > ${statusRankSql('messages.status')}
  returning messages.id
), per_req as (
  -- Grouped once (a lateral count per delivery would scan the batch once per delivery).
  select d.req, d.delivery_id, d.workspace_id, d.connection_id, d.body, d.reason, coalesce(a.inserted, 0) as inserted,
    coalesce(a.duplicates, 0) as duplicates, coalesce(a.events, 0) as events, coalesce(a.event_ids, '[]'::jsonb) as event_ids
  from d left join (
    select i.req, (count(*) filter (where i.inserted))::int as inserted, (count(*) filter (where not i.inserted))::int as duplicates,
      count(*)::int as events, coalesce(jsonb_agg(i.id) filter (where i.id is not null), '[]'::jsonb) as event_ids
    from ins_req i group by i.req
  ) a on a.req = d.req
), delivery as (
  -- A delivery that stored events is logged by them (events.delivery_id); one that stored none has a row:
  -- a repeat (duplicate), or one that carried no event (accepted, its body kept).
  insert into webhook_deliveries (id, workspace_id, connection_id, outcome, reason, event_ids, body)
  select p.delivery_id, p.workspace_id, p.connection_id, case when p.events = 0 then 'accepted' else 'duplicate' end, p.reason, p.event_ids, p.body
  from per_req p where p.inserted = 0
  returning 1
), jobs_by_req as (
  select c.req, json_agg(json_build_object('runId', j.run_id, 'jobId', j.id::text, 'versionId', j.version_id, 'flowId', j.flow_id,
      'lane', j.lane, 'conversationKey', j.conversation_key, 'seq', j.seq, 'journaled', j.journaled)) as jobs
  from jobs j join candidate_runs c on c.id = j.run_id group by c.req
)
select p.req, p.inserted, p.duplicates, coalesce(jr.jobs, '[]') as jobs,
  (select count(*)::int from reply_wakes wk where wk.req = p.req) as woken
from per_req p left join jobs_by_req jr on jr.req = p.req order by p.req`;

/** Ingest statements in flight at once per process: one, so that webhooks arriving meanwhile share the next. */
export const ingestStatementsInFlight = 1;

/**
 * Webhooks that arrive while an ingest statement is in flight share the next one: one commit for many.
 * Two deliveries carrying events of the same subject never share a statement (ON CONFLICT sees a row once),
 * so the second waits and is judged against the first.
 */
export function createIngestWriter(pool: pg.Pool, laneId: () => string | null): IngestWriter {
  return createBatcher<IngestItem, IngestRow, pg.PoolClient>(
    async (items, client) => {
      const at = <T>(rows: T[], req: number) => rows.map((r) => ({ req, ...r }));
      const { rows } = await client.query({
        name: 'ingest',
        text: ingestSql,
        values: [
          sqlJson(items.map((it, req) => ({ req, delivery_id: newId(), workspace_id: it.workspaceId, connection_id: it.connectionId, provider: it.provider, body: it.body ?? null, reason: it.reason }))),
          sqlJson(items.flatMap((it, req) => at(it.events, req))),
          sqlJson(items.flatMap((it, req) => at(it.candidates, req))),
          sqlJson(items.flatMap((it, req) => at(it.inbound, req))),
          sqlJson(items.flatMap((it, req) => at(it.statuses, req))),
          laneId(),
          items.flatMap((it) => it.statuses.map((x) => withoutNulChars(String(x.provider_message_id)))),
          items.flatMap((it) => it.inbound.flatMap((m) => (typeof m.conversation_key === 'string' ? [withoutNulChars(m.conversation_key)] : []))),
        ],
      });
      return rows as IngestRow[];
    },
    {
      maxInFlight: ingestStatementsInFlight,
      maxBatch: 64,
      // Formed once a connection is free: the webhooks arriving while a run write holds it join this batch.
      turn: poolTurns(pool),
      fits: (batch, item) => {
        const subjects = item.events.map((e) => e.subject);
        return !batch.some((b) => b.connectionId === item.connectionId && b.events.some((e) => subjects.includes(e.subject)));
      },
    },
  );
}

export type RejectionWriter = Batcher<{ workspaceId: string; connectionId: string; reason: string }, void>;

/** Rejected deliveries, logged with their reason; rejections arriving together share one insert. */
export function createRejectionWriter(pool: pg.Pool): RejectionWriter {
  return createBatcher(
    async (items: Array<{ workspaceId: string; connectionId: string; reason: string }>, client: pg.PoolClient) => {
      await client.query({
        name: 'deliveries_rejected',
        text: `insert into webhook_deliveries (workspace_id, connection_id, outcome, reason)
               select w, c, 'rejected', r from unnest($1::uuid[], $2::uuid[], $3::text[]) as x(w, c, r)`,
        values: [items.map((i) => i.workspaceId), items.map((i) => i.connectionId), items.map((i) => i.reason.slice(0, 500))],
      });
      return items.map(() => undefined);
    },
    { maxInFlight: 1, maxBatch: 256, turn: poolTurns(pool) },
  );
}
