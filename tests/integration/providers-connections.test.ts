// The connection API against the fakes: secrets never come back, RetailCRM's name rule, and
// "Test connection" succeeding against each fake and failing with the provider's own message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestBundles } from '@bundles/server/testing';
import { startFakeRetailcrm, type FakeRetailcrm } from '../fakes/retailcrm.js';
import { startFakeTokopedia, type FakeTokopedia } from '../fakes/tokopedia.js';
import { startFakeTwilio, type FakeTwilio } from '../fakes/twilio.js';
import { startFakeWhatsApp, type FakeWhatsApp } from '../fakes/whatsapp.js';
import {
  createConnection,
  retailcrmConfig,
  startProviderBundles,
  tokopediaConfig,
  twilioConfig,
  whatsappConfig,
  type ApiConnection,
} from '../support/providers.js';

let b: TestBundles;
let twilio: FakeTwilio;
let wa: FakeWhatsApp;
let crm: FakeRetailcrm;
let tkpd: FakeTokopedia;

beforeAll(async () => {
  [b, twilio, wa, crm, tkpd] = await Promise.all([startProviderBundles(), startFakeTwilio(), startFakeWhatsApp(), startFakeRetailcrm(), startFakeTokopedia()]);
});
afterAll(async () => {
  await b?.close();
  await Promise.all([twilio?.close(), wa?.close(), crm?.close(), tkpd?.close()]);
});

interface Case {
  provider: string;
  name: string;
  config: () => Record<string, unknown>;
  secrets: string[];
  /** The config with a wrong credential, and the message the test then answers. */
  wrong: () => Record<string, unknown>;
  ok: () => string;
  failure: () => string;
}

const cases: Case[] = [
  {
    provider: 'twilio',
    name: 'Twilio SMS',
    config: () => twilioConfig(twilio),
    secrets: ['authToken'],
    wrong: () => ({ authToken: 'wrong-auth-token' }),
    ok: () => 'Connected to Twilio account "Bundles test account" (active).',
    failure: () => 'Twilio rejected the credentials (20003): Authenticate. Check the Account SID and auth token in the Twilio Console.',
  },
  {
    provider: 'whatsapp',
    name: 'Shop WhatsApp',
    config: () => whatsappConfig(wa),
    secrets: ['accessToken', 'appSecret'],
    wrong: () => ({ accessToken: 'EAAGexpired' }),
    ok: () => 'Connected to Bundles Store (+1 555-078-3881).',
    failure: () =>
      'WhatsApp rejected the access token (190): (#190) Invalid OAuth access token - Cannot parse access token — the access token is invalid or expired: create a new (system user) token and update the connection',
  },
  {
    provider: 'retailcrm',
    name: 'Shop RetailCRM',
    config: () => retailcrmConfig(crm),
    secrets: ['apiKey', 'mgToken'],
    wrong: () => ({ apiKey: 'wrong-api-key' }),
    ok: () => `Connected to ${crm.url}: shop myshop.`,
    failure: () => 'RetailCRM refused the API key (Wrong "apiKey" value.: check the API key (Settings → Integration → API keys) and its permissions).',
  },
  {
    provider: 'tokopedia',
    name: 'Toko Budi',
    config: () => tokopediaConfig(tkpd),
    secrets: ['clientSecret', 'webhookSecret'],
    wrong: () => ({ clientSecret: 'wrong-client-secret' }),
    ok: () => 'Connected: token issued and the chat list of shop 123456 is readable.',
    failure: () => 'Tokopedia refused the client id and secret (client authentication failed): check them in the Tokopedia developer console',
  },
];

function secretValues(config: Record<string, unknown>, names: string[]): string[] {
  return names.map((n) => String(config[n]));
}

describe.each(cases)('$provider connection', (c) => {
  let conn: ApiConnection;

  it('never returns a secret, and lists which secrets are set', async () => {
    conn = await createConnection(b, c.provider, c.name, c.config());
    const secrets = secretValues(c.config(), c.secrets);
    const read = await b.api('GET', `/api/connections/${conn.id}`);
    const list = await b.api('GET', `/api/connections?provider=${c.provider}`);
    for (const res of [read, list]) {
      expect(res.status).toBe(200);
      const text = JSON.stringify(res.body);
      for (const s of secrets) expect(text).not.toContain(s);
    }
    for (const body of [conn, read.body as ApiConnection]) {
      expect(body.secretsSet).toEqual(c.secrets);
      for (const name of c.secrets) expect(body.config).not.toHaveProperty(name);
      expect(body.status).toBe('untested');
    }
    expect((list.body as ApiConnection[]).map((x) => x.id)).toEqual([conn.id]);
    expect(read.body.webhookUrl).toBe(conn.webhookUrl);
  });

  it('tests ok against the fake, then fails with the provider’s message after a wrong key, then recovers', async () => {
    const ok = await b.api('POST', `/api/connections/${conn.id}/test`);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, message: c.ok() });
    expect((await b.api('GET', `/api/connections/${conn.id}`)).body).toMatchObject({ status: 'ok', lastTest: { ok: true, message: c.ok() } });

    // The editor sends the public config it shows plus the secret typed in again.
    const patched = await b.api('PATCH', `/api/connections/${conn.id}`, { config: { ...conn.config, ...c.wrong() } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.secretsSet).toEqual(c.secrets);
    expect(JSON.stringify(patched.body)).not.toContain(Object.values(c.wrong())[0]);
    const bad = await b.api('POST', `/api/connections/${conn.id}/test`);
    expect(bad.status).toBe(200);
    expect(bad.body).toEqual({ ok: false, message: c.failure() });
    expect((await b.api('GET', `/api/connections/${conn.id}`)).body).toMatchObject({ status: 'broken', lastTest: { ok: false, message: c.failure() } });

    // The right secret makes the test pass again; secrets left out of a later PATCH keep their stored value.
    const [name] = Object.keys(c.wrong());
    expect((await b.api('PATCH', `/api/connections/${conn.id}`, { config: { ...conn.config, [name!]: c.config()[name!] } })).status).toBe(200);
    expect((await b.api('POST', `/api/connections/${conn.id}/test`)).body).toEqual({ ok: true, message: c.ok() });
    const renamed = await b.api('PATCH', `/api/connections/${conn.id}`, { name: `${c.name} (main)`, config: conn.config });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body.secretsSet).toEqual(c.secrets);
    expect((await b.api('POST', `/api/connections/${conn.id}/test`)).body).toEqual({ ok: true, message: c.ok() });
  });
});

describe('connection validation', () => {
  it('refuses a RetailCRM connection named with fewer than 5 characters', async () => {
    const res = await b.api('POST', '/api/connections', { provider: 'retailcrm', name: 'Shop', config: retailcrmConfig(crm) });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: { code: 'invalid_connection', message: 'The name must have at least 5 characters.', details: { issues: [{ field: 'name', message: 'at least 5 characters' }] } },
    });
    // Five characters are enough, and other providers take short names.
    expect((await b.api('POST', '/api/connections', { provider: 'retailcrm', name: 'Shop1', config: retailcrmConfig(crm) })).status).toBe(201);
    expect((await b.api('POST', '/api/connections', { provider: 'twilio', name: 'SMS', config: twilioConfig(twilio) })).status).toBe(201);
  });

  it('refuses a connection without a required secret, naming the field', async () => {
    const { apiKey: _apiKey, ...config } = retailcrmConfig(crm);
    const res = await b.api('POST', '/api/connections', { provider: 'retailcrm', name: 'Shop RetailCRM 2', config });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_connection');
    expect(res.body.error.details.issues).toEqual([{ field: 'apiKey', message: 'is required' }]);
  });
});
