import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookParseError, type WebhookRequest } from '../define.js';
import { nodeManifest, providerManifest } from '../manifest.js';
import { expectSecretFields, testConnection, testProviderContext } from '../testing.js';
import { decodeForm } from '../webhooks.js';
import { startFakeSalesmanago, type FakeSalesmanago } from '../../../tests/fakes/salesmanago.js';
import { salesmanago, type SalesmanagoConnectionConfig } from './provider.js';
import { salesmanagoContactConsentChanged } from './contact-consent-changed.js';
import { salesmanagoCallbackBodies, salesmanagoCallbackQueries, salesmanagoConsentFixtures } from './fixtures/consent-callback.js';
import * as nodes from './index.js';

const hookUrl = 'https://bundles.example.com/hooks/conn_1/s3cret';
const webhook = salesmanago.definition.webhook!;
const conn = testConnection<SalesmanagoConnectionConfig>('salesmanago', { server: 'app3', clientId: 'c', apiKey: 'k', apiSecret: 's', owner: 'o@example.com' }, hookUrl);

/** A request as the server hands it over: the query decoded as a form (`+` is a space), the body as its content type says. */
function callback(query: string, raw = '', contentType = '', method = 'POST'): WebhookRequest {
  let body: unknown = null;
  if (raw && contentType.includes('json')) body = JSON.parse(raw);
  else if (raw && contentType.includes('form')) body = decodeForm(raw);
  else if (raw) body = raw;
  return { method, url: `${hookUrl}?${query}`, headers: contentType ? { 'content-type': contentType } : {}, query: decodeForm(query), rawBody: Buffer.from(raw), body };
}
const parse = (req: WebhookRequest) => webhook.parse(req, conn as never);

describe('salesmanago consent callbacks', () => {
  it('verifies every request: the secret URL is the credential, SALESmanago signs nothing', () => {
    expect(webhook.verify(callback(salesmanagoCallbackQueries.optOut), conn as never)).toEqual({ ok: true });
  });

  it('reads the kind from ?kind= and the e-mail SALESmanago filled in, GET or POST', () => {
    expect(parse(callback(salesmanagoCallbackQueries.optOut))).toEqual([
      { type: 'salesmanago.contact_consent', dedupeKey: 'contact:ana.souza@example.com:opt_out', keyKind: 'state', subject: 'contact:ana.souza@example.com', payload: salesmanagoConsentFixtures[0] },
    ]);
    // The address's + arrives as a space once the query is decoded.
    const [optIn] = parse(callback(salesmanagoCallbackQueries.optIn, '', '', 'GET'));
    expect(optIn!.payload).toEqual(salesmanagoConsentFixtures[1]);
    expect(optIn!.dedupeKey).toBe('contact:jan.kowalski+news@example.pl:opt_in');
  });

  it('falls back to what the body says: e-mail, contactId and kind', () => {
    const [form] = parse(callback('kind=opt_out', salesmanagoCallbackBodies.form, 'application/x-www-form-urlencoded'));
    expect(form!.payload).toEqual({ email: 'ana.souza@example.com', kind: 'opt_out', contactId: '0f5d3b1e-7c55-4d0b-9a8f-3f1c2a9b6e41' });
    const [json] = parse(callback('', salesmanagoCallbackBodies.json, 'application/json'));
    expect(json!.payload).toEqual(salesmanagoConsentFixtures[2]);
    // The URL's kind wins over the body's.
    expect(parse(callback('kind=opt_out', salesmanagoCallbackBodies.json, 'application/json'))[0]!.payload).toMatchObject({ kind: 'opt_out' });
    const [text] = parse(callback('kind=opt_in', 'email=x%40example.com', 'text/plain'));
    expect(text!.payload).toEqual({ email: 'x@example.com', kind: 'opt_in' });
  });

  it('keys a state per contact: a repeat is the same key, the other kind is not', () => {
    const a = parse(callback('kind=opt_out&email=Ana@Example.com'))[0]!;
    expect(parse(callback('kind=opt_out&email=ana@example.com'))[0]!.dedupeKey).toBe(a.dedupeKey);
    const b = parse(callback('kind=opt_in&email=ana@example.com'))[0]!;
    expect(b.dedupeKey).not.toBe(a.dedupeKey);
    expect(b.subject).toBe(a.subject);
  });

  it('refuses callbacks without a kind or an e-mail, and the placeholder left unfilled', () => {
    expect(() => parse(callback('email=ana@example.com'))).toThrow(/opt_in or opt_out/);
    expect(() => parse(callback('kind=opt_out'))).toThrow(WebhookParseError);
    expect(() => parse(callback('kind=opt_out&email=$email$'))).toThrow(/&email=\$email\$/);
    expect(() => parse(callback('kind=opt_out&email=not-an-address'))).toThrow(WebhookParseError);
    expect(() => parse(callback('kind=opt_out', '{"email":', 'text/plain'))).toThrow(WebhookParseError);
  });

  it('the trigger matches the kinds chosen (none = both); its fixtures fit its output', () => {
    const match = salesmanagoContactConsentChanged.match!;
    expect(match({ email: 'a@example.com', kind: 'opt_out' }, { kinds: [] })).toBe(true);
    expect(match({ email: 'a@example.com', kind: 'opt_out' }, { kinds: ['opt_out'] })).toBe(true);
    expect(match({ email: 'a@example.com', kind: 'opt_in' }, { kinds: ['opt_out'] })).toBe(false);
    for (const f of salesmanagoConsentFixtures) expect(salesmanagoContactConsentChanged.output.safeParse(f).success).toBe(true);
  });

  it('setup gives the two callback URLs built from the webhook URL, with the placeholder as SALESmanago wants it', () => {
    const text = salesmanago.definition.setup!({ webhookUrl: hookUrl, config: {} });
    expect(text).toContain(`${hookUrl}?kind=opt_in&email=$email$`);
    expect(text).toContain(`${hookUrl}?kind=opt_out&email=$email$`);
    expect(text).toMatch(/Integration Center → Callbacks/);
    expect(providerManifest(salesmanago.definition, hookUrl).setup).toContain('kind=opt_out');
  });
});

describe('salesmanago test connection', () => {
  let fake: FakeSalesmanago;
  beforeAll(async () => {
    fake = await startFakeSalesmanago();
  });
  afterAll(() => fake.close());
  const cfg = (over: Partial<SalesmanagoConnectionConfig> = {}): SalesmanagoConnectionConfig => ({ server: 'app3', clientId: fake.clientId, apiKey: 'bundles', apiSecret: fake.apiSecret, owner: fake.owner, baseUrl: fake.url, ...over });

  it('asks hasContact for the owner: ok with valid credentials', async () => {
    expect(await salesmanago.definition.test!(testProviderContext('salesmanago', cfg()))).toEqual({ ok: true, message: `Connected to ${fake.url} as ${fake.owner}.` });
    expect(fake.requests.at(-1)).toMatchObject({ path: '/api/contact/hasContact', json: { email: fake.owner, owner: fake.owner } });
  });

  it('is not ok with the vendor’s message when refused', async () => {
    const res = await salesmanago.definition.test!(testProviderContext('salesmanago', cfg({ apiSecret: 'nope' })));
    expect(res.ok).toBe(false);
    expect(res.message).toMatch(/^Not authenticated/);
  });
});

describe('salesmanago definitions', () => {
  it('marks exactly the API secret secret', () => {
    expectSecretFields(salesmanago, ['apiSecret']);
  });

  it('lists its node types and builds their manifests; the export is on the provider', () => {
    const list = Object.values(nodes).filter((n) => typeof n === 'object' && n !== null && 'kind' in n);
    expect(list.map((n) => (n as { id: string }).id).sort()).toEqual(['salesmanago.add_purchase', 'salesmanago.contact_consent_changed', 'salesmanago.upsert_contact']);
    expect(nodes.salesmanagoModule.nodeTypes.map((n) => n.id).sort()).toEqual(['salesmanago.add_purchase', 'salesmanago.contact_consent_changed', 'salesmanago.upsert_contact']);
    for (const node of nodes.salesmanagoModule.nodeTypes) expect(nodeManifest(node).configSchema).toHaveProperty('type', 'object');
    expect(nodeManifest(nodes.salesmanagoUpsertContact).effect).toBe('write');
    expect(nodeManifest(nodes.salesmanagoAddPurchase).effect).toBe('write');
    expect(nodes.salesmanagoAddPurchase.reconcile).toBeTypeOf('function');
    expect(nodes.salesmanagoUpsertContact.idempotent).toBe(true);
    expect(nodes.salesmanagoAddPurchase.idempotent).toBe(false);
    expect(salesmanago.definition.exports?.retailcrm).toMatchObject({ title: 'Export from RetailCRM', sources: ['retailcrm'] });
  });
});
