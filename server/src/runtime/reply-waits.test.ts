// Settling a wait for a reply: a reply or the timeout, each once; settling again (a run resumed twice after a
// crash) answers the same; a wait resumed early waits on; the retention sweep removes waits long past.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { connectDatabase, type Database } from '../db/index.js';
import { createTestDatabase } from '../testing.js';
import { conversationKeyFor, REPLY_WAIT_KEEP_DAYS, resumeReplyWait, trimReplyWaits } from './reply-waits.js';

let database: Database;
const q = (text: string, params: unknown[] = []) => database.pool.query(text, params);

beforeAll(async () => {
  database = connectDatabase(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), 4);
});
afterAll(async () => {
  await database?.close();
});

const waiting = { conversation: '+5511998765432', expiresAt: '2026-12-04T09:00:00.000Z', timedOut: false, message: null };

/** A wait of a new run, due `inSeconds` from now (negative: past its time). */
async function wait(inSeconds: number, status = 'open', reply: object | null = null): Promise<string> {
  const run = randomUUID();
  await q(
    `insert into reply_waits (run_id, node_id, workspace_id, flow_id, connection_id, conversation_key, status, expires_at, reply)
     values ($1, 'wait', $2, $3, $4, '+5511998765432', $5, now() + $6::int * interval '1 second', $7)`,
    [run, randomUUID(), randomUUID(), randomUUID(), status, inSeconds, reply ? JSON.stringify(reply) : null],
  );
  return run;
}

describe('resumeReplyWait', () => {
  it('a wait past its time closes as timed out, and settling again answers the same', async () => {
    const run = await wait(-1);
    const first = await resumeReplyWait(database.pool, run, 'wait', waiting);
    expect(first).toMatchObject({ settled: true, handle: 'timeout', output: { conversation: '+5511998765432', timedOut: true, message: null } });
    expect((await q(`select status from reply_waits where run_id = $1`, [run])).rows[0].status).toBe('timed_out');
    expect(await resumeReplyWait(database.pool, run, 'wait', waiting)).toEqual(first);
  });

  it('a taken wait answers its reply, however often it is settled', async () => {
    const reply = { text: 'YES', from: '+5511998765432', at: '2026-12-03T09:05:00.000Z', provider: 'twilio', channel: 'sms' };
    const run = await wait(-1, 'taken', reply);
    for (let i = 0; i < 2; i++) {
      expect(await resumeReplyWait(database.pool, run, 'wait', waiting)).toMatchObject({ settled: true, handle: 'reply', output: { timedOut: false, message: reply } });
    }
  });

  it('a wait woken before its time with no reply waits on until its time', async () => {
    const run = await wait(600);
    const resumed = await resumeReplyWait(database.pool, run, 'wait', waiting);
    expect(resumed.settled).toBe(false);
    if (!resumed.settled) {
      expect(resumed.until.getTime()).toBeGreaterThan(Date.now() + 590_000);
      expect(resumed.wait).toMatchObject({ node_id: 'wait', conversation_key: '+5511998765432' });
    }
    expect((await q(`select status from reply_waits where run_id = $1`, [run])).rows[0].status).toBe('open');
  });

  it('a reply racing the timeout goes one way: once the wait is closed, a claim takes nothing', async () => {
    const run = await wait(-1);
    await resumeReplyWait(database.pool, run, 'wait', waiting);
    const claim = await q(`update reply_waits set status = 'taken' where run_id = $1 and status = 'open' returning 1`, [run]);
    expect(claim.rowCount).toBe(0);
  });

  it('a wait with no row (swept long after its time) goes on on timeout', async () => {
    expect(await resumeReplyWait(database.pool, randomUUID(), 'wait', waiting)).toMatchObject({ settled: true, handle: 'timeout', output: { conversation: waiting.conversation } });
  });
});

describe('the retention sweep', () => {
  it(`removes waits ${REPLY_WAIT_KEEP_DAYS} days past their time, whatever their status`, async () => {
    const old = await wait(-(REPLY_WAIT_KEEP_DAYS + 1) * 86400, 'taken');
    const recent = await wait(-86400, 'timed_out');
    const open = await wait(3600);
    expect(await trimReplyWaits(database.pool)).toBeGreaterThanOrEqual(1);
    const left = (await q(`select run_id from reply_waits where run_id = any($1::uuid[])`, [[old, recent, open]])).rows.map((r) => r.run_id);
    expect(left.sort()).toEqual([recent, open].sort());
  });
});

describe('conversationKeyFor', () => {
  it('keys an address as the connection’s provider keys its inbound messages', () => {
    expect(conversationKeyFor('twilio', '+55 (11) 99876-5432')).toBe('+5511998765432');
    expect(conversationKeyFor('whatsapp', '+55 11 99876-5432')).toBe('5511998765432');
    expect(conversationKeyFor('webhook', ' someone ')).toBe('someone');
  });
});
