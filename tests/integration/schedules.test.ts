// core.schedule end to end on a process pair (two Bundles, one database, both running the tick loop) whose
// clock the test moves: each tick fires once across both processes, several missed ticks fire once, a tick missed while both were
// down fires once when they start again, a tick
// later than the catch-up window fires none; a bad cron is refused on Start with the field named, the
// inspector's preview answers the next three ticks, and the Test tab runs a schedule bundle on its sample.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '@bundles/server/testing';
import { startSink, type Sink } from '../support/sink.js';
import { listRuns, startChainFlow, waitForFinishedRuns } from '../support/providers.js';
import { waitFor } from '../support/wait.js';

let web: TestBundles;
let worker: TestBundles;
let sink: Sink;
let clockMs = Date.parse('2026-12-01T09:00:30.000Z');
const clock = () => new Date(clockMs);
const setClock = (iso: string) => (clockMs = Date.parse(iso));

let databaseUrl: string;
/** The process pair; both look for due ticks every few milliseconds, so their passes overlap as they would under load. */
async function startPair(token?: string) {
  web = await startTestBundles(databaseUrl, { clock, scheduleTickMs: 5, ...(token ? { setup: false } : {}) });
  if (token) web.token = token;
  worker = await startTestBundles(databaseUrl, { clock, scheduleTickMs: 5, role: 'worker', setup: false });
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'));
  sink = await startSink();
  await startPair();
});
afterAll(async () => {
  await worker?.close();
  await web?.close();
  await sink?.close();
});

const scheduleBundle = (name: string, config: Record<string, unknown>) =>
  startChainFlow(web, name, [
    { id: 'tick', type: 'core.schedule', config },
    { id: 'report', type: 'core.http_request', config: { url: `${sink.url}/ticks/${encodeURIComponent(name)}`, method: 'POST', body: { scheduledAt: '{{ trigger.scheduledAt }}', firedAt: '{{ trigger.firedAt }}' } } },
  ]);

/** The ticks the bundle's finished runs were for, oldest first, and what the bundle told the sink. */
async function ticksOf(flowId: string, count: number) {
  const runs = await waitForFinishedRuns(web, flowId, count);
  return runs.map((r) => {
    expect(r.status).toBe('succeeded');
    return (r.steps.find((s) => s.nodeId === 'tick')!.output as { scheduledAt: string }).scheduledAt;
  });
}
const told = (name: string) => sink.requests.filter((r) => r.url === `/ticks/${encodeURIComponent(name)}`).map((r) => JSON.parse(r.body) as { scheduledAt: string; firedAt: string });
const nextAtOf = async (flowId: string) =>
  (
    await web.database.pool.query<{ next_at: Date }>(
      `select s.next_at from schedules s join trigger_subscriptions t on t.id = s.subscription_id where t.flow_id = $1 and t.active`,
      [flowId],
    )
  ).rows.map((r) => r.next_at.toISOString());

describe('core.schedule', () => {
  it('fires each tick once across a process pair, and several missed ticks once', async () => {
    const names = Array.from({ length: 8 }, (_, i) => `Every minute ${String.fromCharCode(65 + i)}`);
    const flows = await Promise.all(names.map((n) => scheduleBundle(n, { everyMinutes: 1 })));
    for (const f of flows) expect(await nextAtOf(f)).toEqual(['2026-12-01T09:01:00.000Z']);

    setClock('2026-12-01T09:01:00.300Z');
    for (const f of flows) expect(await ticksOf(f, 1)).toEqual(['2026-12-01T09:01:00.000Z']);
    setClock('2026-12-01T09:02:00.300Z');
    for (const f of flows) expect(await ticksOf(f, 2)).toEqual(['2026-12-01T09:01:00.000Z', '2026-12-01T09:02:00.000Z']);
    // Five ticks missed (09:03 to 09:07) and the 09:08 one due: one run, for 09:08.
    setClock('2026-12-01T09:08:10.000Z');
    for (const f of flows) expect(await ticksOf(f, 3)).toEqual(['2026-12-01T09:01:00.000Z', '2026-12-01T09:02:00.000Z', '2026-12-01T09:08:00.000Z']);
    // A later tick is the signal that every process has passed the earlier ones: no doubles came meanwhile.
    setClock('2026-12-01T09:09:00.300Z');
    for (const f of flows) {
      expect(await ticksOf(f, 4)).toEqual(['2026-12-01T09:01:00.000Z', '2026-12-01T09:02:00.000Z', '2026-12-01T09:08:00.000Z', '2026-12-01T09:09:00.000Z']);
      expect(await listRuns(web, f)).toHaveLength(4);
    }
    for (const n of names) {
      expect(told(n)).toEqual([
        { scheduledAt: '2026-12-01T09:01:00.000Z', firedAt: '2026-12-01T09:01:00.300Z' },
        { scheduledAt: '2026-12-01T09:02:00.000Z', firedAt: '2026-12-01T09:02:00.300Z' },
        { scheduledAt: '2026-12-01T09:08:00.000Z', firedAt: '2026-12-01T09:08:10.000Z' },
        { scheduledAt: '2026-12-01T09:09:00.000Z', firedAt: '2026-12-01T09:09:00.300Z' },
      ]);
    }
    // The Runs page finds a tick's run by its time.
    const found = await web.api('GET', `/api/runs?flowId=${flows[0]}&q=${encodeURIComponent('2026-12-01T09:08:00.000Z')}`);
    expect(found.body.items).toHaveLength(1);
    // The Test tab offers a bundle its own ticks, not the other schedules'.
    const recorded = await web.api('GET', `/api/flows/${flows[0]}/events`);
    expect(recorded.body.map((e: { summary: string }) => e.summary)).toEqual(['2026-12-01T09:09:00.000Z', '2026-12-01T09:08:00.000Z', '2026-12-01T09:02:00.000Z', '2026-12-01T09:01:00.000Z']);
    // …and tests it on one of them.
    const onTick = await web.api('POST', `/api/flows/${flows[0]}/test`, { eventId: recorded.body[1].id });
    expect(onTick.status, JSON.stringify(onTick.body)).toBe(200);
    expect(onTick.body.status).toBe('succeeded');
    expect(onTick.body.trigger).toEqual({ scheduledAt: '2026-12-01T09:08:00.000Z', firedAt: '2026-12-01T09:08:10.000Z' });
    // Stopped, a schedule has no tick left to fire.
    for (const f of flows) {
      expect((await web.api('POST', `/api/flows/${f}/stop`)).status).toBe(200);
      expect(await nextAtOf(f)).toEqual([]);
    }
  }, 60_000);

  it('fires a tick 10 minutes late once, and none later than the catch-up window', async () => {
    setClock('2026-12-01T09:30:00.000Z');
    const flowId = await scheduleBundle('Hourly report', { everyMinutes: 60, backfillMinutes: 20 });
    expect(await nextAtOf(flowId)).toEqual(['2026-12-01T10:00:00.000Z']);

    // Every process is down from 09:59 to 10:10: the 10:00 tick fires once when they start again.
    setClock('2026-12-01T09:59:00.000Z');
    const token = web.token;
    await Promise.all([worker.close(), web.close()]);
    setClock('2026-12-01T10:10:00.000Z');
    await startPair(token);
    expect(await ticksOf(flowId, 1)).toEqual(['2026-12-01T10:00:00.000Z']);
    expect(told('Hourly report')).toEqual([{ scheduledAt: '2026-12-01T10:00:00.000Z', firedAt: '2026-12-01T10:10:00.000Z' }]);
    expect(await nextAtOf(flowId)).toEqual(['2026-12-01T11:00:00.000Z']);

    // Down (or stuck) from 10:59 to 11:30: the 11:00 tick is 30 minutes late, over the 20 allowed. It is passed over
    // (next_at moves on to 12:00) without a run.
    setClock('2026-12-01T11:30:00.000Z');
    await waitFor('the late tick to be passed over', async () => (await nextAtOf(flowId))[0] === '2026-12-01T12:00:00.000Z');
    setClock('2026-12-01T12:00:00.300Z');
    expect(await ticksOf(flowId, 2)).toEqual(['2026-12-01T10:00:00.000Z', '2026-12-01T12:00:00.000Z']);
    expect(await listRuns(web, flowId)).toHaveLength(2);
    expect((await web.api('POST', `/api/flows/${flowId}/stop`)).status).toBe(200);
  }, 60_000);

  it('goes on firing the other schedules when one cannot be worked out', async () => {
    setClock('2026-12-01T13:00:30.000Z');
    const broken = await scheduleBundle('Broken schedule', { everyMinutes: 1 });
    const fine = await scheduleBundle('Fine schedule', { everyMinutes: 1 });
    // A config that no longer parses (as a newer rule could make it), with a tick due before the fine one's.
    await web.database.pool.query(
      `with s as (update trigger_subscriptions set config = '{"cron":"0 25 * * *"}' where flow_id = $1 and active returning id)
       update schedules set next_at = '2026-12-01T13:00:59Z' from s where subscription_id = s.id`,
      [broken],
    );
    setClock('2026-12-01T13:01:00.300Z');
    expect(await ticksOf(fine, 1)).toEqual(['2026-12-01T13:01:00.000Z']);
    await waitFor('the broken schedule to be put off an hour', async () => (await nextAtOf(broken))[0] === '2026-12-01T14:01:00.300Z');
    expect(await listRuns(web, broken)).toEqual([]);
    for (const f of [broken, fine]) expect((await web.api('POST', `/api/flows/${f}/stop`)).status).toBe(200);
  });

  it('refuses a bad cron on Start with the field named, and previews the next three ticks', async () => {
    const graph = { nodes: [{ id: 'tick', type: 'core.schedule', config: { cron: '0 25 * * *', timezone: 'Europe/Berlin' }, position: { x: 0, y: 0 } }], edges: [] };
    const flow = await web.api('POST', '/api/flows', { name: 'Bad cron', graph });
    expect(flow.status).toBe(201);
    expect(flow.body.problems).toEqual([{ nodeId: 'tick', field: 'cron', message: 'Constraint error, got value 25 expected range 0-23' }]);
    const refused = await web.api('POST', `/api/flows/${flow.body.id}/start`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.details.issues).toEqual([{ nodeId: 'tick', field: 'cron', message: 'Constraint error, got value 25 expected range 0-23' }]);

    setClock('2026-12-01T12:00:00.000Z');
    const preview = await web.api('GET', `/api/node-types/core.schedule/preview?cron=${encodeURIComponent('0 9 * * 1-5')}&timezone=Europe/Berlin`);
    expect(preview.status).toBe(200);
    // Tuesday 1 December 2026, after 09:00 in Berlin (08:00 UTC): Wednesday, Thursday, Friday.
    expect(preview.body).toEqual({ next: ['2026-12-02T08:00:00.000Z', '2026-12-03T08:00:00.000Z', '2026-12-04T08:00:00.000Z'] });
    const bad = await web.api('GET', `/api/node-types/core.schedule/preview?cron=${encodeURIComponent('0 9 * *')}`);
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid_schedule');
    expect(bad.body.error.details.issues).toEqual([{ field: 'cron', message: expect.stringContaining('a cron has 5 fields') }]);
    const zone = await web.api('GET', `/api/node-types/core.schedule/preview?cron=${encodeURIComponent('0 9 * * *')}&timezone=Mars/Olympus`);
    expect(zone.status).toBe(422);
    expect(zone.body.error.details.issues).toEqual([{ field: 'timezone', message: expect.stringContaining('is not a time zone') }]);
  });

  it('tests a schedule bundle now, on the sample its output schema gives', async () => {
    const graph = {
      nodes: [
        { id: 'tick', type: 'core.schedule', config: { cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' }, position: { x: 0, y: 0 } },
        { id: 'note', type: 'core.set', config: { fields: { text: 'Report for {{ trigger.scheduledAt }}' } }, position: { x: 300, y: 0 } },
      ],
      edges: [{ source: 'tick', target: 'note' }],
    };
    const flow = await web.api('POST', '/api/flows', { name: 'Weekday report', graph });
    expect(flow.body.problems).toEqual([]);
    const sample = await web.api('GET', `/api/flows/${flow.body.id}/test-sample`);
    expect(sample.body.payload).toEqual({ scheduledAt: expect.any(String), firedAt: expect.any(String) });
    expect(Number.isNaN(Date.parse(sample.body.payload.scheduledAt))).toBe(false);
    const test = await web.api('POST', `/api/flows/${flow.body.id}/test`, { payload: sample.body.payload });
    expect(test.status, JSON.stringify(test.body)).toBe(200);
    expect(test.body.status).toBe('succeeded');
    expect(test.body.steps.find((s: { nodeId: string }) => s.nodeId === 'note').output).toEqual({ text: `Report for ${sample.body.payload.scheduledAt}` });
    // A test is not a tick: the bundle, never started, has no runs.
    expect(await listRuns(web, flow.body.id)).toEqual([]);
  });
});
