// Template pickers through the API: GET /api/connections/:id/options/<source> lists Twilio Content
// templates and WhatsApp message templates from the fakes, with their text and variables; a WhatsApp
// connection without its business account id answers 422 asking for it; rejected credentials 502 with
// the provider's code and message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { startFakeWhatsApp, type FakeWhatsApp } from '../fakes/whatsapp.js';
import { createConnection, startProviderBundles, twilioConfig, whatsappConfig } from '../support/providers.js';

let b: TestBundles;
let twilio: FakeTwilio;
let wa: FakeWhatsApp;

beforeAll(async () => {
  [b, twilio, wa] = await Promise.all([startProviderBundles(), startFakeTwilio(), startFakeWhatsApp()]);
});
afterAll(async () => {
  await b?.close();
  await Promise.all([twilio?.close(), wa?.close()]);
});

describe('GET /api/connections/:id/options (template pickers)', () => {
  it('lists Twilio Content templates across pages with their text and variables', async () => {
    const seeded = twilio.setContents([
      { friendlyName: 'order_shipped', language: 'en', variables: { '1': 'Ana', '2': 'A-17' }, types: { 'twilio/text': { body: 'Hi {{1}}, order {{2}} shipped' } } },
      ...Array.from({ length: 120 }, (_, i) => ({ friendlyName: `notice_${i}`, language: 'en', types: { 'twilio/text': { body: `Notice ${i}` } } })),
    ]);
    const conn = await createConnection(b, 'twilio', 'Twilio templates', twilioConfig(twilio));
    const res = await b.api('GET', `/api/connections/${conn.id}/options/contentTemplates`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toHaveLength(121);
    expect(res.body[0]).toEqual({
      value: seeded[0]!.sid,
      label: 'order_shipped (en)',
      description: 'twilio/text',
      details: { text: 'Hi {{1}}, order {{2}} shipped', variables: [{ key: '1', example: 'Ana' }, { key: '2', example: 'A-17' }], languages: ['en'] },
    });
    expect(twilio.requests.filter((r) => r.path === '/v1/Content')).toHaveLength(2);
  });

  it('answers rejected Twilio credentials with 502 and Twilio’s code and message', async () => {
    const conn = await createConnection(b, 'twilio', 'Twilio wrong token', { ...twilioConfig(twilio), authToken: 'wrong-token' });
    const res = await b.api('GET', `/api/connections/${conn.id}/options/contentTemplates`);
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({ code: 'provider_error', message: 'Twilio did not list contentTemplates (20003): Authenticate', details: { provider: 'twilio', code: 20003, status: 401 } });
    expect(JSON.stringify(res.body)).not.toContain('wrong-token');
  });

  it('lists WhatsApp templates with their parameters, a pending one disabled with its status', async () => {
    wa.setMessageTemplates([
      { name: 'order_update', language: 'pt_BR', body: 'Olá {{1}}, pedido {{2}}', examples: ['Ana', 'A-17'] },
      { name: 'promo', language: 'pt_BR', status: 'PENDING', body: 'Promo {{1}}' },
    ]);
    const conn = await createConnection(b, 'whatsapp', 'WhatsApp templates', { ...whatsappConfig(wa), wabaId: wa.wabaId });
    const res = await b.api('GET', `/api/connections/${conn.id}/options/templates`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual([
      {
        value: 'order_update',
        label: 'order_update (pt_BR)',
        description: 'UTILITY · APPROVED · 2 parameters',
        sets: { language: 'pt_BR' },
        details: { text: 'Olá {{1}}, pedido {{2}}', variables: [{ key: '1', type: 'text', example: 'Ana' }, { key: '2', type: 'text', example: 'A-17' }], languages: ['pt_BR'] },
      },
      {
        value: 'promo',
        label: 'promo (pt_BR)',
        description: 'UTILITY · PENDING · 1 parameter',
        disabled: true,
        disabledReason: 'PENDING: only approved templates can be sent',
        sets: { language: 'pt_BR' },
        details: { text: 'Promo {{1}}', variables: [{ key: '1', type: 'text' }], languages: ['pt_BR'] },
      },
    ]);
    expect((await b.api('GET', `/api/connections/${conn.id}`)).body.config).toMatchObject({ wabaId: wa.wabaId });
  });

  it('asks for the WhatsApp Business Account id with a 422 when the connection has none', async () => {
    const before = wa.requests.length;
    const conn = await createConnection(b, 'whatsapp', 'WhatsApp without WABA', whatsappConfig(wa));
    const res = await b.api('GET', `/api/connections/${conn.id}/options/templates`);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_config');
    expect(res.body.error.message).toMatch(/^Set the WhatsApp Business Account id on the connection/);
    expect(wa.requests.length).toBe(before);
  });

  it('answers 404 for an option list the provider does not have', async () => {
    const conn = await createConnection(b, 'whatsapp', 'WhatsApp other', whatsappConfig(wa));
    const res = await b.api('GET', `/api/connections/${conn.id}/options/nope`);
    expect(res.status).toBe(404);
  });
});
