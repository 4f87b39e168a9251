// The worker's maintenance: retention (retention.test.ts) runs when a worker starts and then every few
// minutes, not on every sweep: the delivery log keeps 14 days by default.
import { afterAll, describe, expect, it, inject } from 'vitest';
import { createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';

const started: TestBundles[] = [];
afterAll(async () => {
  for (const b of started) await b.close();
});

describe('worker maintenance', () => {
  it('drops deliveries older than 14 days when a worker starts, and keeps newer ones', async () => {
    const url = await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'));
    const first = await startTestBundles(url);
    started.push(first);
    const conn = (await first.api('POST', '/api/connections', { provider: 'webhook', name: 'Kept', config: {} })).body as { id: string };
    const { rows: ws } = await first.database.pool.query(`select workspace_id from connections where id = $1`, [conn.id]);
    await first.database.pool.query(`select bundles_ensure_partitions(current_date - 16, current_date)`);
    for (const age of ['15 days', '13 days']) {
      await first.database.pool.query(
        `insert into webhook_deliveries (id, workspace_id, connection_id, outcome, reason, received_at)
         values (bundles_uuid7_at(now() - $3::text::interval), $1, $2, 'rejected', $3::text, now() - $3::text::interval)`,
        [ws[0].workspace_id, conn.id, age],
      );
    }
    await first.close();

    const second = await startTestBundles(url, { setup: false });
    started.push(second);
    const { rows } = await second.database.pool.query(`select reason from webhook_deliveries where connection_id = $1 order by reason`, [conn.id]);
    expect(rows).toEqual([{ reason: '13 days' }]);
  });
});
