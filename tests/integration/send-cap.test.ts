// The daily send cap of a messaging connection, end to end: counted in PostgreSQL across processes, at the
// cap a send waits for the next day of the workspace's time zone or fails with daily_cap_reached, a send the
// provider refused is given back, and the connection answers today's figure.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, startTestBundles, takeSend, type TestBundles } from '@bundles/server/testing';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { createConnection, jobsOf, listRuns, postJson, runDetail, startChainFlow, stepOf, twilioConfig, type ApiRunDetail } from '../support/providers.js';
import { waitFor } from '../support/wait.js';

let dbUrl: string;
let b: TestBundles;
let twilio: FakeTwilio;

beforeAll(async () => {
  dbUrl = await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'));
  [b, twilio] = await Promise.all([startTestBundles(dbUrl), startFakeTwilio()]);
});
afterAll(async () => {
  await b?.close();
  await twilio?.close();
});

let flowCount = 0;
/** A webhook bundle that sends one SMS per event through a new Twilio connection with this config added. */
async function cappedBundle(extra: Record<string, unknown>) {
  const n = ++flowCount;
  const sms = await createConnection(b, 'twilio', `Twilio SMS ${n}`, { ...twilioConfig(twilio), ...extra });
  const hook = await createConnection(b, 'webhook', `Order hook ${n}`, {});
  const flowId = await startChainFlow(b, `Order SMS ${n}`, [
    { id: 'trigger', type: 'core.webhook', connectionId: hook.id, config: {} },
    { id: 'sms', type: 'twilio.send_sms', connectionId: sms.id, config: { from: '+15550002222', to: '{{ trigger.body.phone }}', body: 'Order {{ trigger.body.order }} is paid' } },
  ]);
  // A number per bundle and event: what reached the fake is told apart by it.
  const phone = (i: number) => `+55119${String(n).padStart(2, '0')}${String(i).padStart(6, '0')}`;
  const post = async (count: number, first = 0) => {
    for (let i = first; i < first + count; i++) expect((await postJson(hook.webhookUrl!, { order: `A-${n}-${i}`, phone: phone(i) })).status).toBe(200);
  };
  const sentAtFake = () => twilio.messages.filter((m) => m.to.startsWith(`+55119${String(n).padStart(2, '0')}`));
  return { sms, flowId, post, sentAtFake };
}

/** Waits until the bundle has `count` runs that all stopped in one of `states`, and answers their details. */
async function runsSettledIn(flowId: string, count: number, states: string[], bundles = b): Promise<ApiRunDetail[]> {
  const runs = await waitFor(`${count} runs of ${flowId} in ${states.join('/')}`, async () => {
    const list = await listRuns(bundles, flowId);
    if (list.length < count || !list.every((r) => states.includes(r.status))) return null;
    const details = await Promise.all(list.map((r) => runDetail(bundles, r.id)));
    // A waiting run counts once its step says why (not a run queued again meanwhile).
    return details.every((d) => d.status !== 'waiting' || stepOf(d, 'sms').error?.code === 'daily_cap_reached') ? details : null;
  }, 30_000);
  return runs;
}

async function usage(connectionId: string) {
  const res = await b.api('GET', `/api/connections/${connectionId}/usage`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { today: number; cap: number | null; day: string };
}

const dayIn = (timeZone: string, at = new Date()) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);

/** The next local midnight of a zone, as an instant (searched by the minute: zones move by whole minutes). */
function nextMidnight(timeZone: string, from = new Date()): Date {
  const today = dayIn(timeZone, from);
  let t = Math.ceil(from.getTime() / 60_000) * 60_000;
  while (dayIn(timeZone, new Date(t)) === today) t += 60_000;
  return new Date(t);
}

describe('the daily send cap', () => {
  it("cap 3, 5 events, atCap wait: 3 SMS at the fake, 2 runs waiting until the next day with the reason, usage 3 / 3", async () => {
    const { sms, flowId, post, sentAtFake } = await cappedBundle({ dailyCap: 3 });
    expect(sms.config).toMatchObject({ dailyCap: 3 });
    await post(5);
    const runs = await runsSettledIn(flowId, 5, ['succeeded', 'waiting']);
    expect(runs.filter((r) => r.status === 'succeeded')).toHaveLength(3);
    const waiting = runs.filter((r) => r.status === 'waiting');
    expect(waiting).toHaveLength(2);
    // Both waiting runs decided not to send: the fake got exactly the three that were counted.
    expect(sentAtFake()).toHaveLength(3);
    const midnight = nextMidnight('UTC');
    for (const run of waiting) {
      const step = stepOf(run, 'sms');
      expect(step.status).toBe('waiting');
      expect(step.error).toMatchObject({ code: 'daily_cap_reached', provider: 'twilio' });
      expect(step.error!.message).toContain('3 of 3 messages sent today');
      expect(step.error!.message).toContain(midnight.toISOString());
      // No worker holds it: a job continues the run at the next UTC midnight (the workspace has no zone set).
      const jobs = await jobsOf(b, run.id);
      expect(jobs.map((j) => j.runAt.toISOString())).toEqual([midnight.toISOString()]);
    }
    expect(await usage(sms.id)).toEqual({ today: 3, cap: 3, day: dayIn('UTC') });
    // The cap taken off (null clears a field): the next event is sent at once.
    const patched = await b.api('PATCH', `/api/connections/${sms.id}`, { config: { dailyCap: null } });
    expect(patched.status).toBe(200);
    expect(patched.body.config).not.toHaveProperty('dailyCap');
    expect(await usage(sms.id)).toMatchObject({ today: 3, cap: null });
    await post(1, 5);
    await waitFor('the sixth SMS', async () => sentAtFake().length === 4);
  }, 60_000);

  it('cap 3, 5 events, atCap fail: 3 SMS at the fake, 2 runs failed with daily_cap_reached', async () => {
    const { sms, flowId, post, sentAtFake } = await cappedBundle({ dailyCap: 3, atCap: 'fail' });
    await post(5);
    const runs = await runsSettledIn(flowId, 5, ['succeeded', 'failed']);
    expect(runs.filter((r) => r.status === 'succeeded')).toHaveLength(3);
    const failed = runs.filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(2);
    for (const run of failed) {
      expect(stepOf(run, 'sms').error).toMatchObject({ code: 'daily_cap_reached', retryable: false });
      expect(stepOf(run, 'sms').error!.message).toMatch(/daily send cap of "Twilio SMS \d+" is reached: 3 of 3/);
      expect(await jobsOf(b, run.id)).toEqual([]);
    }
    expect(sentAtFake()).toHaveLength(3);
    expect(await usage(sms.id)).toMatchObject({ today: 3, cap: 3 });
  }, 60_000);

  it('a second process on the same database never takes the count past the cap', async () => {
    const second = await startTestBundles(dbUrl, { setup: false });
    second.token = b.token;
    try {
      const { sms, flowId, post, sentAtFake } = await cappedBundle({ dailyCap: 4 });
      await post(10);
      const runs = await runsSettledIn(flowId, 10, ['succeeded', 'waiting']);
      expect(runs.filter((r) => r.status === 'succeeded')).toHaveLength(4);
      expect(sentAtFake()).toHaveLength(4);
      expect(await usage(sms.id)).toMatchObject({ today: 4, cap: 4 });
    } finally {
      await second.close();
    }
  }, 90_000);

  it('concurrent takes on two pools: exactly the cap is taken', async () => {
    const sms = await createConnection(b, 'twilio', 'Twilio race', { ...twilioConfig(twilio), dailyCap: 7 });
    const second = await startTestBundles(dbUrl, { setup: false, role: 'web' });
    try {
      const { rows } = await b.database.pool.query('select workspace_id from connections where id = $1', [sms.id]);
      const ws = rows[0].workspace_id as string;
      const takes = await Promise.all(Array.from({ length: 40 }, (_, i) => takeSend((i % 2 ? second : b).database.pool, sms.id, ws, 7)));
      expect(takes.filter((t) => t.taken)).toHaveLength(7);
      expect(takes.filter((t) => !t.taken).every((t) => !t.taken && t.count === 7)).toBe(true);
      expect(await usage(sms.id)).toMatchObject({ today: 7, cap: 7 });
    } finally {
      await second.close();
    }
  }, 60_000);

  it('a send Twilio refuses is given back: the count stays at what was sent', async () => {
    const { sms, flowId, post, sentAtFake } = await cappedBundle({ dailyCap: 2, atCap: 'fail' });
    twilio.failNext(1, { status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    await post(1);
    const [refused] = await runsSettledIn(flowId, 1, ['failed']);
    expect(stepOf(refused!, 'sms').error).toMatchObject({ code: 21211 });
    expect(await usage(sms.id)).toMatchObject({ today: 0, cap: 2 });
    await post(2, 1);
    const runs = await runsSettledIn(flowId, 3, ['succeeded', 'failed']);
    expect(runs.filter((r) => r.status === 'succeeded')).toHaveLength(2);
    expect(sentAtFake()).toHaveLength(2);
    expect(await usage(sms.id)).toMatchObject({ today: 2, cap: 2 });
  }, 60_000);

  it("the counted day is the workspace's: a zone a day ahead counts on its date, and waits until its midnight", async () => {
    const bad = await b.api('PUT', '/api/settings/time-zone', { timeZone: 'Mars/Olympus' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.issues).toEqual([expect.objectContaining({ field: 'timeZone' })]);
    expect((await b.api('PUT', '/api/settings/time-zone', { timeZone: '+01:00' })).status).toBe(422);
    // UTC+14 and UTC-11: 25 hours apart, so their dates always differ.
    const ahead = await b.api('PUT', '/api/settings/time-zone', { timeZone: 'pacific/kiritimati' });
    expect(ahead.body).toEqual({ timeZone: 'Pacific/Kiritimati' });
    expect((await b.api('GET', '/api/settings/time-zone')).body).toEqual({ timeZone: 'Pacific/Kiritimati' });
    try {
      const { sms, flowId, post } = await cappedBundle({ dailyCap: 1 });
      await post(2);
      const runs = await runsSettledIn(flowId, 2, ['succeeded', 'waiting']);
      expect(await usage(sms.id)).toEqual({ today: 1, cap: 1, day: dayIn('Pacific/Kiritimati') });
      const { rows } = await b.database.pool.query('select day::text as day, count from send_counts where connection_id = $1', [sms.id]);
      expect(rows).toEqual([{ day: dayIn('Pacific/Kiritimati'), count: 1 }]);
      const waiting = runs.find((r) => r.status === 'waiting')!;
      expect((await jobsOf(b, waiting.id)).map((j) => j.runAt.toISOString())).toEqual([nextMidnight('Pacific/Kiritimati').toISOString()]);
      // In a zone a day behind, today is another date, with nothing counted yet.
      await b.api('PUT', '/api/settings/time-zone', { timeZone: 'Pacific/Pago_Pago' });
      expect(await usage(sms.id)).toEqual({ today: 0, cap: 1, day: dayIn('Pacific/Pago_Pago') });
      expect(dayIn('Pacific/Pago_Pago')).not.toBe(dayIn('Pacific/Kiritimati'));
    } finally {
      await b.api('PUT', '/api/settings/time-zone', { timeZone: 'UTC' });
    }
  }, 60_000);

  it('a connection without a cap counts nothing and answers no cap; a cap out of bounds is refused naming the field', async () => {
    const { sms, flowId, post, sentAtFake } = await cappedBundle({});
    await post(2);
    await runsSettledIn(flowId, 2, ['succeeded']);
    expect(sentAtFake()).toHaveLength(2);
    expect(await usage(sms.id)).toMatchObject({ today: 0, cap: null });
    const { rows } = await b.database.pool.query('select 1 from send_counts where connection_id = $1', [sms.id]);
    expect(rows).toEqual([]);
    const res = await b.api('POST', '/api/connections', { provider: 'twilio', name: 'Bad cap', config: { ...twilioConfig(twilio), dailyCap: 0 } });
    expect(res.status).toBe(422);
    expect(res.body.error.details.issues).toEqual([expect.objectContaining({ field: 'dailyCap' })]);
    const hook = await b.api('POST', '/api/connections', { provider: 'webhook', name: 'Hook with cap', config: { dailyCap: 5 } });
    // A provider that sends no messages has no cap: the field is not part of its config and is not kept.
    expect(hook.status).toBe(201);
    expect(hook.body.config).not.toHaveProperty('dailyCap');
  }, 60_000);
});
