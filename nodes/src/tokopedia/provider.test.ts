import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookParseError, type WebhookRequest } from '../define.js';
import { nodeManifest, providerManifest, secretFields } from '../manifest.js';
import { testConnection, testProviderContext, expectSecretFields } from '../testing.js';
import {
  signedTokopediaWebhook,
  signTokopediaBody,
  startFakeTokopedia,
  tokopediaChatPayload,
  tokopediaImagePayload,
  tokopediaProductPayload,
  type FakeTokopedia,
} from '../../../tests/fakes/tokopedia.js';
import { tokopedia, type TokopediaConnectionConfig } from './provider.js';
import { tokopediaChatMessageReceived } from './chat-message-received.js';
import { tokopediaReply } from './reply.js';
import { tokopediaChatMessageFixtures, tokopediaChatNotifications } from './fixtures/chat-message.js';

const secret = 'whsec-tokopedia-1';
const config: TokopediaConnectionConfig = { fsId: '13004', clientId: 'id', clientSecret: 's', shopId: '123456', webhookSecret: secret };
const conn = testConnection('tokopedia', config);
const webhook = tokopedia.definition.webhook!;

function request(rawBody: string, headers: Record<string, string>, parsed = true): WebhookRequest {
  return { method: 'POST', url: 'https://bundles.example.com/hooks/c/s', headers, query: {}, rawBody: Buffer.from(rawBody), body: parsed ? JSON.parse(rawBody) : undefined };
}

describe('tokopedia webhook signature', () => {
  it('accepts the HMAC of the raw body', () => {
    const { rawBody, headers } = signedTokopediaWebhook(secret);
    expect(webhook.verify(request(rawBody, headers), conn as never)).toEqual({ ok: true });
    expect(webhook.verify(request(rawBody, { 'Authorization-Hmac': signTokopediaBody(secret, rawBody).toUpperCase() }), conn as never)).toEqual({ ok: true });
  });

  it('rejects a wrong signature, another secret, a changed body and a missing header', () => {
    const { rawBody, headers } = signedTokopediaWebhook(secret);
    expect(webhook.verify(request(rawBody, { 'authorization-hmac': 'ab'.repeat(32) }), conn as never)).toMatchObject({ ok: false });
    expect(webhook.verify(request(rawBody, { 'authorization-hmac': signTokopediaBody('other', rawBody) }), conn as never)).toMatchObject({ ok: false });
    expect(webhook.verify(request(rawBody.replace('Hello', 'Hullo'), headers), conn as never)).toMatchObject({ ok: false });
    expect(webhook.verify(request(rawBody, {}), conn as never)).toEqual({ ok: false, reason: 'missing Authorization-Hmac header' });
  });
});

describe('tokopedia webhook parse', () => {
  const parse = (payload: Record<string, unknown>, parsed = true) => {
    const { rawBody, headers } = signedTokopediaWebhook(secret, payload);
    return webhook.parse(request(rawBody, headers, parsed), conn as never);
  };

  it('parses every notification fixture into its trigger fixture', () => {
    const notifications = [tokopediaChatNotifications.text, tokopediaChatNotifications.product, tokopediaChatNotifications.image, tokopediaChatNotifications.invoice];
    notifications.forEach((n, i) => {
      const [event] = parse(n);
      expect(event!.type).toBe('tokopedia.chat_message');
      expect(event!.payload).toEqual(tokopediaChatMessageFixtures[i]);
    });
  });

  it('every trigger fixture parses against the output schema, and the manifests build', () => {
    for (const f of tokopediaChatMessageFixtures) expect(tokopediaChatMessageReceived.output.safeParse(f).success).toBe(true);
    expect(tokopediaChatMessageReceived.output.safeParse({ ...tokopediaChatMessageFixtures[0], msgId: 10000 }).success).toBe(false);
    for (const node of [tokopediaChatMessageReceived, tokopediaReply]) expect(nodeManifest(node).outputSchema).toHaveProperty('type', 'object');
    expect(secretFields(tokopedia.definition).sort()).toEqual(['clientSecret', 'webhookSecret']);
    expect(providerManifest(tokopedia.definition).setup).toContain('/register');
  });

  it('logs the inbound message keyed by buyer', () => {
    const [event] = parse(tokopediaChatPayload());
    expect(event!.message).toEqual({
      direction: 'inbound', channel: 'tokopedia_chat', from: '654321', to: '123456', text: 'Hello World', providerMessageId: '10000', status: 'received', conversationKey: '654321',
    });
  });

  it('dedupes by msg_id and content: a retry is the same, another text in the same conversation is not', () => {
    const a = parse(tokopediaChatPayload())[0]!.dedupeKey;
    expect(parse(tokopediaChatPayload())[0]!.dedupeKey).toBe(a);
    expect(parse(tokopediaChatPayload({ message: 'Masih ada?' }))[0]!.dedupeKey).not.toBe(a);
    expect(a).toMatch(/^msg:10000:[0-9a-f]{16}$/);
    expect(parse(tokopediaProductPayload())[0]!.dedupeKey).not.toBe(parse(tokopediaImagePayload())[0]!.dedupeKey);
  });

  it('reads raw bytes when the body was not parsed, and refuses notifications without ids', () => {
    expect(parse(tokopediaChatPayload(), false)[0]!.payload).toMatchObject({ msgId: '10000', text: 'Hello World' });
    expect(() => parse(tokopediaChatPayload({ msg_id: undefined }))).toThrow(WebhookParseError);
    expect(() => webhook.parse(request('[]', {}), conn as never)).toThrow(WebhookParseError);
  });
});

describe('tokopedia test connection', () => {
  let fake: FakeTokopedia;
  beforeAll(async () => {
    fake = await startFakeTokopedia();
  });
  afterAll(() => fake.close());
  const cfg = (): TokopediaConnectionConfig => ({ fsId: fake.fsId, clientId: fake.clientId, clientSecret: fake.clientSecret, shopId: fake.shopId, webhookSecret: secret, authUrl: fake.url, baseUrl: fake.url });

  it('gets a token, then lists one message', async () => {
    expect(await tokopedia.definition.test!(testProviderContext('tokopedia', cfg()))).toMatchObject({ ok: true });
    const list = fake.requests.at(-1)!;
    expect(list.path).toBe(`/v1/chat/fs/${fake.fsId}/messages`);
    expect(list.query).toEqual({ shop_id: fake.shopId, page: '1', per_page: '1' });
    expect(list.headers.authorization).toBe(`Bearer ${fake.tokensIssued.at(-1)}`);
  });

  it('says the IP must be whitelisted on 403', async () => {
    fake.setIpWhitelisted(false);
    const res = await tokopedia.definition.test!(testProviderContext('tokopedia', cfg()));
    fake.setIpWhitelisted(true);
    expect(res.ok).toBe(false);
    expect(res.message).toMatch(/whitelisted/);
  });

  it('says the client credentials are wrong', async () => {
    const res = await tokopedia.definition.test!(testProviderContext('tokopedia', { ...cfg(), clientSecret: 'nope' }));
    expect(res).toEqual({ ok: false, message: expect.stringMatching(/refused the client id and secret/) });
  });
});

describe('tokopedia secrets', () => {
  it('marks exactly the credentials secret', () => {
    expectSecretFields(tokopedia, ['clientSecret', 'webhookSecret']);
  });
});
