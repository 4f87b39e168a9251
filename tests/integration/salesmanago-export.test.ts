// "Export from RetailCRM" into SALESmanago over the API, as a background job: 250 customers and 400 paid orders
// (paginated on the fake RetailCRM), the worker killed with SIGKILL in the middle, another worker resuming
// from the checkpoint; the fake SALESmanago then holds 250 contacts and one purchase per paid order, and a
// second export adds no purchase.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, startTestBundles, testSecretKey, type TestBundles } from '@bundles/server/testing';
import { startFakeRetailcrm, type FakeRetailcrm } from '../fakes/retailcrm.js';
import { startFakeSalesmanago, type FakeSalesmanago } from '../fakes/salesmanago.js';
import { createConnection, retailcrmConfig, type ApiConnection } from '../support/providers.js';
import { waitFor } from '../support/wait.js';

const root = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
let databaseUrl: string;
let web: TestBundles;
let rescuer: TestBundles | undefined;
let doomed: ChildProcess | undefined;
let crm: FakeRetailcrm;
let sm: FakeSalesmanago;
let crmConn: ApiConnection;
let smConn: ApiConnection;

const day = (i: number) => `2024-0${1 + (i % 6)}-1${i % 10} 10:00:00`;

/** A `--role worker` process of its own, so that it can be killed; resolves once it runs. */
async function startWorkerProcess(): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts', '--role', 'worker'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, BUNDLES_SECRET_KEY: testSecretKey, BUNDLES_HEARTBEAT_MS: '300', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let out = '';
  child.stdout!.on('data', (c) => (out += String(c)));
  await waitFor('the worker process to run', async () => out.includes('Bundles worker is running'), 90_000, 50);
  return { child, exited };
}

interface ApiExport {
  status: string;
  done: number;
  total: number;
  failed: number;
  errors: string[];
  report: string | null;
}
const exportState = async (id: string): Promise<ApiExport> => (await web.api('GET', `/api/connections/${smConn.id}/exports/${id}`)).body as ApiExport;
const settled = (id: string) =>
  waitFor(`export ${id} to end`, async () => {
    const s = await exportState(id);
    return s.status === 'succeeded' || s.status === 'failed' ? s : null;
  }, 90_000, 100);

beforeAll(async () => {
  databaseUrl = await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'));
  [web, crm, sm] = await Promise.all([startTestBundles(databaseUrl, { role: 'web' }), startFakeRetailcrm(), startFakeSalesmanago()]);
  for (let i = 0; i < 250; i++) crm.addCustomer({ firstName: `Buyer${i}`, lastName: 'Teste', email: `buyer${i}@example.com`, createdAt: day(i) });
  for (let i = 0; i < 430; i++) {
    const status = i >= 400 ? 'not-paid' : 'paid';
    crm.addOrder({ status: 'complete', email: `buyer${i % 250}@example.com`, totalSumm: 100 + i, payments: { [`p${i}`]: { id: i + 1, status, type: 'bank-card', amount: 100 + i, paidAt: day(i) } } });
  }
  crmConn = await createConnection(web, 'retailcrm', 'Shop RetailCRM', retailcrmConfig(crm));
  smConn = await createConnection(web, 'salesmanago', 'Shop SALESmanago', { server: 'app3', clientId: sm.clientId, apiKey: 'bundles', apiSecret: sm.apiSecret, owner: sm.owner, baseUrl: sm.url });
}, 120_000);
afterAll(async () => {
  doomed?.kill('SIGKILL');
  await rescuer?.close();
  await web?.close();
  await crm?.close();
  await sm?.close();
});

describe('export from RetailCRM into SALESmanago', () => {
  it('refuses a source it cannot export from, with the field named', async () => {
    const res = await web.api('POST', `/api/connections/${smConn.id}/exports`, { sourceConnectionId: smConn.id, customers: true, orders: true });
    expect(res.status).toBe(422);
    expect(res.body.error.details.issues[0].field).toBe('sourceConnectionId');
  });

  it('survives a SIGKILL of its worker in the middle, resumes from the checkpoint, and sends no purchase twice', async () => {
    const worker = await startWorkerProcess();
    doomed = worker.child;
    // A slow vendor: the customers take seconds, so the worker dies while it upserts them.
    sm.slowDown(8);
    const started = await web.api('POST', `/api/connections/${smConn.id}/exports`, { sourceConnectionId: crmConn.id, customers: true, orders: true, tags: 'retailcrm, bundles' });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id = started.body.id as string;
    const again = await web.api('POST', `/api/connections/${smConn.id}/exports`, { sourceConnectionId: crmConn.id, customers: true, orders: false });
    expect(again.status).toBe(409);

    const midway = await waitFor('the first pages to be saved', async () => {
      const s = await exportState(id);
      return s.done >= 100 ? s : null;
    }, 60_000, 20);
    worker.child.kill('SIGKILL');
    expect(await worker.exited).toBeNull();
    expect(midway.status).toBe('running');
    expect(midway.done).toBeLessThan(650);
    const contactsAtKill = sm.contacts.size;

    sm.slowDown(0);
    rescuer = await startTestBundles(databaseUrl, { role: 'worker', setup: false, workerStaleMs: 1500, heartbeatMs: 300 });
    const end = await settled(id);
    expect(end, JSON.stringify(end)).toMatchObject({ status: 'succeeded', done: 650, total: 650, failed: 0 });
    expect(end.report).toMatch(/250 contacts upserted/);
    expect(contactsAtKill).toBeLessThan(250);
    expect(sm.contacts.size).toBe(250);
    expect(sm.contacts.get('buyer7@example.com')?.tags).toEqual(expect.arrayContaining(['RETAILCRM', 'BUNDLES']));
    const paidIds = crm.orders.slice(0, 400).map((o) => String(o.id)).sort();
    expect(sm.events.map((e) => e.externalId).sort()).toEqual(paidIds);

    // Again: contacts are updated in place, no purchase goes out a second time.
    const second = await web.api('POST', `/api/connections/${smConn.id}/exports`, { sourceConnectionId: crmConn.id, customers: true, orders: true });
    expect(second.status).toBe(201);
    const end2 = await settled(second.body.id as string);
    expect(end2.status).toBe('succeeded');
    expect(end2.report).toMatch(/0 purchases added, 400 duplicates/);
    expect(sm.contacts.size).toBe(250);
    expect(sm.events).toHaveLength(400);
    const list = await web.api('GET', `/api/connections/${smConn.id}/exports`);
    expect(list.body.map((e: { status: string }) => e.status)).toEqual(['succeeded', 'succeeded']);
  }, 240_000);
});
