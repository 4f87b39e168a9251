// A run's first write, when nothing runs before it and its unknown outcome can be settled without a person
// (looked up, or repeated), has its attempt journaled by the ingest statement that creates the run: one
// statement less per run. A write nobody can be asked about is journaled only when it is about to call.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '@bundles/server/testing';
import { createConnection, postHook, startChainFlow, stepOf, twilioConfig, waitForFinishedRuns, type FlowNode } from '../support/providers.js';
import { startFakeTwilio } from '../fakes/twilio.js';

// Web only: nothing executes the runs, so what ingest wrote is all there is.
let b: TestBundles;
beforeAll(async () => {
  b = await startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate')), { role: 'web' });
});
afterAll(async () => {
  await b?.close();
});

let n = 0;
async function stepsAfterIngest(first: FlowNode, loadOrder = false) {
  const crm = await createConnection(b, 'retailcrm', `Shop orders ${++n}`, { domain: 'myshop.retailcrm.ru', apiKey: 'rcrm-key-0001' });
  const flowId = await startChainFlow(b, `Journal ${n}`, [{ id: 'trigger', type: 'retailcrm.order_changed', connectionId: crm.id, config: { statuses: ['paid'], loadOrder } }, first]);
  expect((await postHook(crm.webhookUrl!, { 'content-type': 'application/x-www-form-urlencoded' }, `type=order&status=paid&id=${n}&event=status`)).status).toBe(200);
  const { rows } = await b.database.pool.query(
    `select s.node_id, s.status, s.attempts from steps s join runs r on r.id = s.run_id where r.flow_id = $1
     union all select j.node_id, 'running', j.attempts from step_journal j join runs r on r.id = j.run_id where r.flow_id = $1
     union all select r.journal_node, 'running', 1 from runs r where r.flow_id = $1 and r.journal_node is not null`,
    [flowId],
  );
  return rows;
}

const accounts = async () => ({
  twilio: (await createConnection(b, 'twilio', `Twilio ${n}`, { accountSid: 'AC' + 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6', authToken: 'f00dcafef00dcafef00dcafef00dcafe' })).id,
  whatsapp: (await createConnection(b, 'whatsapp', `WhatsApp ${n}`, { accessToken: 'EAAGtoken', appSecret: 'meta-app-secret-0001', verifyToken: 'v', phoneNumberId: '106540352242922' })).id,
});

describe('the journal written with the run', () => {
  it('a Twilio SMS right after the trigger: its first attempt is journaled by ingest', async () => {
    const { twilio } = await accounts();
    const rows = await stepsAfterIngest({ id: 'sms', type: 'twilio.send_sms', connectionId: twilio, config: { from: '+15550002222', to: '+15550001111', body: 'Order {{ trigger.id }} is paid' } });
    expect(rows).toEqual([{ node_id: 'sms', status: 'running', attempts: 1 }]);
  });

  it('a WhatsApp text right after the trigger: nothing yet (its journal would end it uncertain after a crash before the call)', async () => {
    const { whatsapp } = await accounts();
    expect(await stepsAfterIngest({ id: 'wa', type: 'whatsapp.send_text', connectionId: whatsapp, config: { to: '5511998765432', text: 'Paid' } })).toEqual([]);
  });

  it('a trigger that loads the order first: nothing yet (the load runs before the write)', async () => {
    const { twilio } = await accounts();
    const sms: FlowNode = { id: 'sms', type: 'twilio.send_sms', connectionId: twilio, config: { from: '+15550002222', to: '+15550001111', body: 'Paid' } };
    expect(await stepsAfterIngest(sms, true)).toEqual([]);
  });
});

describe('an attempt journaled by ingest, when the process that ran it died', () => {
  it('is looked up by the worker that takes the run over: the SMS that went out is not sent again', async () => {
    const twilio = await startFakeTwilio();
    const url = await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'));
    const web = await startTestBundles(url, { role: 'web' });
    let worker: TestBundles | undefined;
    try {
      const conn = await createConnection(web, 'twilio', 'Twilio', twilioConfig(twilio));
      const crm = await createConnection(web, 'retailcrm', 'Shop orders', { domain: 'myshop.retailcrm.ru', apiKey: 'rcrm-key-0001' });
      const flowId = await startChainFlow(web, 'Taken over', [
        { id: 'trigger', type: 'retailcrm.order_changed', connectionId: crm.id, config: { statuses: ['paid'] } },
        { id: 'sms', type: 'twilio.send_sms', connectionId: conn.id, config: { from: '+15550002222', to: '+15550001111', body: 'Order {{ trigger.id }} is paid' } },
      ]);
      expect((await postHook(crm.webhookUrl!, { 'content-type': 'application/x-www-form-urlencoded' }, 'type=order&status=paid&id=777&event=status')).status).toBe(200);
      const journaled = await web.database.pool.query(`select journal_node, status from runs where flow_id = $1`, [flowId]);
      expect(journaled.rows).toEqual([{ journal_node: 'sms', status: 'queued' }]);
      // The SMS went out, and the process died before it wrote the outcome: Twilio has it, the run does not.
      const sent = await fetch(`${twilio.url}/2010-04-01/Accounts/${twilio.accountSid}/Messages.json`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${twilio.accountSid}:${twilio.authToken}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ From: '+15550002222', To: '+15550001111', Body: 'Order 777 is paid' }),
      });
      expect(sent.status).toBe(201);
      // Its job's first attempt was that process's: the worker's is the second (not a fresh run, so it reads the journal).
      const job = await web.database.pool.query(
        `update graphile_worker._private_jobs set attempts = 1 where payload->>'runId' in (select id::text from runs where flow_id = $1) returning id`,
        [flowId],
      );
      expect(job.rowCount).toBe(1);
      worker = await startTestBundles(url, { role: 'worker', setup: false });
      const [run] = await waitForFinishedRuns(web, flowId);
      expect(run!.status, JSON.stringify(run!.error)).toBe('succeeded');
      expect(twilio.messages.filter((m) => m.body === 'Order 777 is paid')).toHaveLength(1);
      const step = stepOf(run!, 'sms');
      // One attempt, the ingest's: the lookup found what it had done.
      expect(step.attempts).toBe(1);
      expect(step.output).toMatchObject({ sid: twilio.messages[0]!.sid, to: '+15550001111', from: '+15550002222' });
      const after = await web.database.pool.query(`select journal_node from runs where flow_id = $1`, [flowId]);
      expect(after.rows).toEqual([{ journal_node: null }]);
    } finally {
      await worker?.close();
      await web.close();
      await twilio.close();
    }
  });
});
