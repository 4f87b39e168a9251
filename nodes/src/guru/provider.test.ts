import { describe, expect, it } from 'vitest';
import { WebhookParseError, type DeliverySummary, type WebhookRequest } from '../define.js';
import { providerManifest } from '../manifest.js';
import { expectSecretFields, testConnection, testProviderContext } from '../testing.js';
import { guruDeactivationBody, guruEticketBody, guruFixtureToken, guruSubscriptionBody, guruTransactionBody } from '../../../tests/fakes/guru.js';
import { guru, type GuruConnectionConfig } from './provider.js';

const config: GuruConnectionConfig = { apiToken: guruFixtureToken };
const conn = testConnection('guru', config);
const webhook = guru.definition.webhook!;

/** A request as the server hands it over: JSON parsed when it is JSON (`parsed: false` leaves only the bytes). */
function request(body: unknown, parsed = true): WebhookRequest {
  const rawBody = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return { method: 'POST', url: 'https://bundles.example.com/hooks/c/s', headers: { 'content-type': 'application/json' }, query: {}, rawBody, body: parsed ? body : null };
}
const verify = (body: unknown, parsed = true, c = conn) => webhook.verify(request(body, parsed), c as never);
const parse = (body: unknown, parsed = true) => webhook.parse(request(body, parsed), conn as never);

describe('guru webhook verification (api_token in the body)', () => {
  it('accepts the account token, parsed or from the raw bytes', () => {
    expect(verify(guruTransactionBody())).toEqual({ ok: true });
    expect(verify(guruSubscriptionBody(), false)).toEqual({ ok: true });
    expect(verify(guruEticketBody())).toEqual({ ok: true });
  });

  it('refuses another token, a missing one, and one that is not text', () => {
    expect(verify(guruTransactionBody({}, 'X'.repeat(40)))).toEqual({ ok: false, reason: expect.stringMatching(/^api_token does not match/) });
    expect(verify(guruTransactionBody({}, guruFixtureToken.slice(0, 39)))).toMatchObject({ ok: false });
    expect(verify(guruTransactionBody({ api_token: undefined }))).toEqual({ ok: false, reason: expect.stringMatching(/^the body has no api_token/) });
    expect(verify(guruTransactionBody({ api_token: '' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/no api_token/) });
    for (const token of [12345, ['IvzhnHH4Y9c3qAaW05UTi5IfQ89MsWl43E6XnsBL'], { value: guruFixtureToken }, true]) {
      expect(verify(guruTransactionBody({ api_token: token }))).toEqual({ ok: false, reason: 'api_token in the body is not text' });
    }
  });

  it('refuses bodies that are no JSON object, and a connection without a token', () => {
    for (const body of ['not json', '[1,2]', 'null', '"IvzhnHH4Y9c3qAaW05UTi5IfQ89MsWl43E6XnsBL"']) {
      expect(verify(body, false)).toEqual({ ok: false, reason: 'the body is not a JSON object, so it carries no api_token' });
    }
    expect(verify(guruTransactionBody(), true, testConnection('guru', { apiToken: '' }))).toMatchObject({ ok: false, reason: expect.stringMatching(/no account token/) });
  });

  it('reads a body wrapped in a delivery-log envelope, token included', () => {
    const wrapped = { attempts: 1, connection: 'webhook', payload: guruTransactionBody(), queue: 'webhooks', request_id: 'b0c3', url: 'https://x' };
    expect(verify(wrapped)).toEqual({ ok: true });
    expect(parse(wrapped)[0]!.dedupeKey).toBe('transaction:9c3f4e2a-6b1d-4f7e-9a52-3d8e1f0b7c41:approved');
    expect(verify({ ...wrapped, payload: guruTransactionBody({}, 'wrong') })).toMatchObject({ ok: false });
  });
});

describe('guru webhook parse', () => {
  it('a transaction → one guru.transaction event keyed by its state', () => {
    const events = parse(guruTransactionBody());
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'guru.transaction',
      keyKind: 'state',
      subject: 'transaction:9c3f4e2a-6b1d-4f7e-9a52-3d8e1f0b7c41',
      dedupeKey: 'transaction:9c3f4e2a-6b1d-4f7e-9a52-3d8e1f0b7c41:approved',
    });
    const refunded = parse(guruTransactionBody({ status: 'refunded' }))[0]!;
    expect(refunded.subject).toBe(events[0]!.subject);
    expect(refunded.dedupeKey).toBe('transaction:9c3f4e2a-6b1d-4f7e-9a52-3d8e1f0b7c41:refunded');
    // The same transaction posted again (a new X-Request-ID, other fields changed) has the same key.
    expect(parse(guruTransactionBody({ dates: { updated_at: '2025-05-14T13:00:00Z' } }))[0]!.dedupeKey).toBe(events[0]!.dedupeKey);
  });

  it('a subscription → one guru.subscription event keyed by code and last_status', () => {
    const [event] = parse(guruSubscriptionBody());
    expect(event).toMatchObject({ type: 'guru.subscription', keyKind: 'state', subject: 'subscription:sub_K2m9Qx7Lw4Rt8Vz1', dedupeKey: 'subscription:sub_K2m9Qx7Lw4Rt8Vz1:canceled' });
    expect(parse(guruSubscriptionBody({ last_status: 'active' }))[0]!.dedupeKey).toBe('subscription:sub_K2m9Qx7Lw4Rt8Vz1:active');
  });

  it('escapes ":" inside ids, so two different transactions never share a key', () => {
    const a = parse(guruTransactionBody({ id: 'a:b', status: 'c' }))[0]!;
    const b = parse(guruTransactionBody({ id: 'a', status: 'b:c' }))[0]!;
    expect(a.dedupeKey).toBe('transaction:a%3Ab:c');
    expect(a.dedupeKey).not.toBe(b.dedupeKey);
  });

  it('eticket and webhook_deactivation carry no event; an unknown type neither', () => {
    expect(parse(guruEticketBody())).toEqual([]);
    expect(parse(guruDeactivationBody())).toEqual([]);
    expect(parse(guruTransactionBody({ webhook_type: 'affiliation' }))).toEqual([]);
  });

  it('refuses bodies it cannot key: no webhook_type, a transaction without id or status, a subscription without code', () => {
    expect(() => parse(guruTransactionBody({ webhook_type: undefined }))).toThrow(new WebhookParseError('Guru webhook without webhook_type'));
    expect(() => parse(guruTransactionBody({ id: undefined }))).toThrow(new WebhookParseError('Guru transaction webhook without id'));
    expect(() => parse(guruTransactionBody({ status: { code: 'approved' } }))).toThrow(new WebhookParseError('Guru transaction webhook without status'));
    expect(() => parse(guruSubscriptionBody({ subscription_code: undefined, id: undefined }))).toThrow(WebhookParseError);
    expect(() => parse(guruSubscriptionBody({ last_status: '' }))).toThrow(WebhookParseError);
    expect(() => parse('[]', false)).toThrow(WebhookParseError);
  });

  it('a subscription without subscription_code is named by its id', () => {
    expect(parse(guruSubscriptionBody({ subscription_code: undefined }))[0]!.subject).toBe('subscription:sub_K2m9Qx7Lw4Rt8Vz1');
  });
});

describe('guru connection', () => {
  it('marks exactly the account token secret', () => {
    expectSecretFields(guru, ['apiToken']);
  });

  it('explains the setup next to the webhook URL', () => {
    const setup = providerManifest(guru.definition, 'https://bundles.example.com/hooks/conn_1/s3cr3t').setup!;
    expect(setup).toContain('https://bundles.example.com/hooks/conn_1/s3cr3t');
    expect(setup).toMatch(/Configurações → Webhooks/);
    expect(setup).toMatch(/Minha Conta → API/);
    expect(setup).toMatch(/Assinaturas/);
  });

  it('"Test connection" answers from the delivery log', async () => {
    const test = (d: DeliverySummary) => guru.definition.test!(testProviderContext('guru', config, async () => d));
    expect(await test({ lastAccepted: null, lastRejected: null })).toMatchObject({ ok: null, message: expect.stringMatching(/^Nothing has arrived yet/) });
    expect(await test({ lastAccepted: { at: new Date('2025-05-14T12:31:19Z') }, lastRejected: null })).toEqual({ ok: true, message: 'Last delivery from Guru arrived 2025-05-14 12:31 UTC' });
  });
});
