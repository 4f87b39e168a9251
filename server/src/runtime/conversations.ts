// Runs of one flow and one conversation (a customer writing) run one at a time, in arrival order, across
// processes. A run that finds an earlier one of its conversation unfinished (queued, running, or waiting
// for a delay or a retry) parks: it keeps no job. The run that finishes wakes the next one. Both sides
// take the conversation's advisory lock first and then look in a statement of their own (a fresh
// snapshot), so a finishing run always sees a run that parked, and a parking run a run that finished.
import type pg from 'pg';

export interface ConversationRun {
  id: string;
  flowId: string;
  conversationKey: string;
  seq: number;
}

const unfinished = `('queued', 'running', 'waiting')`;

async function withConversationLock<T>(pool: pg.Pool, run: Pick<ConversationRun, 'flowId' | 'conversationKey'>, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock(hashtextextended($1, 7242))', [`${run.flowId}\n${run.conversationKey}`]);
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Whether the run may execute now. If an earlier run of its conversation is unfinished, the run parks
 * (its job, when it is the lane's, is deleted) and this answers false.
 */
export async function takeTurn(pool: pg.Pool, run: ConversationRun, laneJobId: string | null): Promise<boolean> {
  return withConversationLock(pool, run, async (client) => {
    const { rows } = await client.query(
      `select exists(select 1 from runs where flow_id = $1 and conversation_key = $2 and seq < $3 and status in ${unfinished}) as blocked`,
      [run.flowId, run.conversationKey, run.seq],
    );
    if (!rows[0]?.blocked) {
      await client.query('update runs set parked = false where id = $1 and parked', [run.id]);
      return true;
    }
    await client.query(`update runs set parked = true, status = 'queued' where id = $1`, [run.id]);
    if (laneJobId) await client.query('delete from graphile_worker._private_jobs where id = $1', [laneJobId]);
    return false;
  });
}

/** After a run of a conversation is done (or stopped uncertain), queues the next one if it parked. */
export async function passTurn(pool: pg.Pool, run: Pick<ConversationRun, 'flowId' | 'conversationKey'>): Promise<void> {
  await withConversationLock(pool, run, async (client) => {
    await client.query(
      `with next as (
         select id, parked from runs where flow_id = $1 and conversation_key = $2 and status in ${unfinished} order by seq limit 1
       ), woken as (
         update runs set parked = false from next where runs.id = next.id and next.parked returning runs.id
       )
       select graphile_worker.add_job('run', json_build_object('runId', id::text), max_attempts => 25) from woken`,
      [run.flowId, run.conversationKey],
    );
  });
}

/** Parked runs whose predecessors are all done (a waker that crashed before it woke them): queued again. */
export async function wakeForgottenRuns(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query(
    `select distinct flow_id, conversation_key from runs r
     where parked and not exists (
       select 1 from runs p where p.flow_id = r.flow_id and p.conversation_key = r.conversation_key and p.seq < r.seq and p.status in ${unfinished})`,
  );
  for (const r of rows) await passTurn(pool, { flowId: r.flow_id, conversationKey: r.conversation_key });
  return rows.length;
}
