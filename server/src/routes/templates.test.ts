// /api/templates over a whole Bundles on its own database: the list, a bundle made from a template, the 404 and 422s.
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { addTestMember, createTestDatabase, startTestBundles, type TestBundles } from '../testing.js';
import { createApiToken } from '../services/tokens.js';
import { startFakeTwilio, type FakeTwilio } from '../../../tests/fakes/twilio.js';
import { startFakeTokopedia, type FakeTokopedia } from '../../../tests/fakes/tokopedia.js';

let b: TestBundles;
let twilio: FakeTwilio;
let tkpd: FakeTokopedia;
let otherToken = '';
const conn: Record<string, string> = {};

const create = async (provider: string, name: string, config: Record<string, unknown>) => {
  const res = await b.api('POST', '/api/connections', { provider, name, config });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
};

beforeAll(async () => {
  [b, twilio, tkpd] = await Promise.all([startTestBundles(await createTestDatabase(inject('pgBaseUrl'), inject('pgTemplate'))), startFakeTwilio(), startFakeTokopedia()]);
  conn.tokopedia = await create('tokopedia', 'Toko Budi', { fsId: tkpd.fsId, clientId: tkpd.clientId, clientSecret: tkpd.clientSecret, shopId: tkpd.shopId, webhookSecret: 'w', authUrl: tkpd.url, baseUrl: tkpd.url });
  conn.crm = await create('retailcrm', 'My shop', { domain: 'myshop.retailcrm.ru', apiKey: 'k', site: 'myshop', baseUrl: 'http://127.0.0.1:9' });
  conn.guru = await create('guru', 'Guru account', { apiToken: 'T'.repeat(40) });
  conn.twilio = await create('twilio', 'Twilio SMS', { accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.url });
  // Another workspace with a RetailCRM connection of its own.
  const { pool, db } = b.database;
  const ws = await pool.query<{ id: string }>(`insert into workspaces (name) values ('Other shop') returning id`);
  const userId = await addTestMember(pool, ws.rows[0]!.id, 'other@example.com');
  otherToken = await createApiToken(db, userId, ws.rows[0]!.id, 'test');
  const other = await b.app!.inject({ method: 'POST', url: '/api/connections', headers: { authorization: `Bearer ${otherToken}` }, payload: { provider: 'retailcrm', name: 'Their shop', config: { domain: 'x.retailcrm.ru', apiKey: 'k' } } });
  expect(other.statusCode).toBe(201);
  conn.otherCrm = JSON.parse(other.body).id;
});
afterAll(async () => {
  await b?.close();
  await twilio?.close();
  await tkpd?.close();
});

const use = (id: string, body: unknown) => b.api('POST', `/api/templates/${id}/use`, body);

describe('/api/templates', () => {
  it('lists the templates with their roles, inputs and graph', async () => {
    const res = await b.api('GET', '/api/templates');
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThanOrEqual(8);
    const lead = res.body.find((t: { id: string }) => t.id === 'tokopedia-chat-retailcrm-lead');
    expect(lead).toMatchObject({
      title: expect.any(String),
      providers: ['tokopedia', 'retailcrm'],
      roles: [
        { role: 'tokopedia', provider: 'tokopedia', title: expect.any(String) },
        { role: 'crm', provider: 'retailcrm', title: expect.any(String) },
      ],
      inputs: [],
    });
    expect(lead.graph.nodes.map((n: { type: string }) => n.type)).toEqual(['tokopedia.chat_message_received', 'retailcrm.find_or_create_customer', 'retailcrm.create_order', 'tokopedia.reply']);
  });

  it('asks for a login', async () => {
    const res = await b.app!.inject({ method: 'GET', url: '/api/templates' });
    expect(res.statusCode).toBe(401);
  });

  it('makes a bundle in the caller’s workspace with the connections filled in, which then starts', async () => {
    const res = await use('tokopedia-chat-retailcrm-lead', { name: 'Tokopedia leads', connections: { tokopedia: conn.tokopedia, crm: conn.crm } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ name: 'Tokopedia leads', status: 'draft' });
    expect(res.body.graph.nodes.map((n: { id: string; connectionId: string }) => [n.id, n.connectionId])).toEqual([
      ['trigger', conn.tokopedia],
      ['customer', conn.crm],
      ['lead', conn.crm],
      ['reply', conn.tokopedia],
    ]);
    expect(res.body.graph.edges).toHaveLength(3);
    expect((await b.api('GET', `/api/flows/${res.body.id}`)).status).toBe(200);
    const started = await b.api('POST', `/api/flows/${res.body.id}/start`);
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.status).toBe('running');
  });

  it('fills "From" with the Twilio account’s first number', async () => {
    const res = await use('guru-sale-sms', { name: 'Guru SMS', connections: { guru: conn.guru, twilio: conn.twilio } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const sms = res.body.graph.nodes.find((n: { id: string }) => n.id === 'sms');
    expect(sms.config.from).toBe(twilio.numbers[0]!.phoneNumber);
  });

  it('answers 404 for an unknown template', async () => {
    const res = await use('no-such-template', { name: 'x', connections: {} });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('answers 422 naming a missing role, a connection of the wrong provider, another workspace’s connection', async () => {
    const missing = await use('tokopedia-chat-retailcrm-lead', { name: 'x', connections: { tokopedia: conn.tokopedia } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.details.issues).toEqual([{ field: 'connections.crm', message: expect.stringMatching(/^choose a RetailCRM connection for /) }]);
    expect(missing.body.error.message).toContain('connections.crm');

    const wrong = await use('tokopedia-chat-retailcrm-lead', { name: 'x', connections: { tokopedia: conn.tokopedia, crm: conn.guru } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.details.issues).toEqual([{ field: 'connections.crm', message: expect.stringContaining('is a Digital Manager Guru connection') }]);

    const foreign = await use('tokopedia-chat-retailcrm-lead', { name: 'x', connections: { tokopedia: conn.tokopedia, crm: conn.otherCrm } });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.details.issues).toEqual([{ field: 'connections.crm', message: `connection ${conn.otherCrm} does not exist in this workspace` }]);

    const flows = (await b.api('GET', '/api/flows')).body as Array<{ name: string }>;
    expect(flows.filter((f) => f.name === 'x')).toEqual([]);
  });

  it('answers 422 naming a missing input', async () => {
    const whatsapp = await create('whatsapp', 'Shop WhatsApp', { accessToken: 't', appSecret: 's', verifyToken: 'v', phoneNumberId: '1', baseUrl: 'http://127.0.0.1:9' });
    const res = await use('whatsapp-message-retailcrm-order', { name: 'x', connections: { whatsapp, crm: conn.crm }, inputs: { chat_id: ' ' } });
    expect(res.status).toBe(422);
    expect(res.body.error.details.issues).toEqual([{ field: 'inputs.chat_id', message: expect.stringMatching(/^give "/) }]);
    const given = await use('whatsapp-message-retailcrm-order', { name: 'WhatsApp orders', connections: { whatsapp, crm: conn.crm }, inputs: { chat_id: '42' } });
    expect(given.status, JSON.stringify(given.body)).toBe(201);
    expect(given.body.graph.nodes.find((n: { id: string }) => n.id === 'chat').config.chatId).toBe('42');
    // The other workspace is asked for its own connections: ours do not count there.
    const other = await b.app!.inject({
      method: 'POST',
      url: '/api/templates/whatsapp-message-retailcrm-order/use',
      headers: { authorization: `Bearer ${otherToken}` },
      payload: { name: 'x', connections: { crm: conn.otherCrm } },
    });
    expect(other.statusCode).toBe(422);
    expect(JSON.parse(other.body).error.details.issues).toEqual([{ field: 'connections.whatsapp', message: expect.stringMatching(/^choose a WhatsApp/) }]);
  });
});
