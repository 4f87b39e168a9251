import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../define.js';
import { testActionContext, testConnection, testProviderContext } from '../testing.js';
import { startFakeTokopedia, type FakeTokopedia } from '../../../tests/fakes/tokopedia.js';
import { tokopedia, type TokopediaConnectionConfig } from './provider.js';
import { tokopediaReply } from './reply.js';

let fake: FakeTokopedia;
let config: TokopediaConnectionConfig;
beforeAll(async () => {
  fake = await startFakeTokopedia();
});
afterAll(() => fake.close());
beforeEach(() => {
  config = { fsId: fake.fsId, clientId: fake.clientId, clientSecret: fake.clientSecret, shopId: fake.shopId, webhookSecret: 'w', authUrl: fake.url, baseUrl: fake.url };
  fake.setTokenTtl(86400);
});

/** Action contexts sharing one connection (and so its memo), as steps of one process do. */
function contexts() {
  const connection = testConnection('tokopedia', config);
  return (cfg: Record<string, unknown>) => ({ ...testActionContext({ provider: 'tokopedia', config: tokopediaReply.config.parse(cfg), connection: config }), connection });
}
const tokenRequests = () => fake.requests.filter((r) => r.path === '/token').length;
const errorOf = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as ProviderError);

describe('tokopedia.reply', () => {
  it('replies with the shop id as a number, Bearer token, and logs the message', async () => {
    const ctx = contexts()({ text: 'Terimakasih', msgId: '10000', buyerId: 654321 });
    const out = await tokopediaReply.execute(ctx);
    expect(out).toEqual({ msgId: '10000', text: 'Terimakasih' });
    const req = fake.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/v1/chat/fs/${fake.fsId}/messages/10000/reply`);
    expect(req.json).toEqual({ shop_id: Number(fake.shopId), message: 'Terimakasih' });
    expect(req.headers.authorization).toBe(`Bearer ${fake.tokensIssued.at(-1)}`);
    const tokenReq = fake.requests.filter((r) => r.path === '/token').at(-1)!;
    expect(tokenReq.query).toEqual({ grant_type: 'client_credentials' });
    expect(tokenReq.headers.authorization).toBe(`Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`);
    expect(ctx.messages).toEqual([
      { direction: 'outbound', channel: 'tokopedia_chat', from: fake.shopId, to: '654321', text: 'Terimakasih', providerMessageId: '10000', status: 'sent', conversationKey: '654321' },
    ]);
  });

  it('caches the token: one token request for two replies', async () => {
    const make = contexts();
    const before = tokenRequests();
    await Promise.all([tokopediaReply.execute(make({ text: 'a', msgId: 1 })), tokopediaReply.execute(make({ text: 'b', msgId: 2 }))]);
    await tokopediaReply.execute(make({ text: 'c', msgId: 3 }));
    expect(tokenRequests() - before).toBe(1);
    expect(fake.replies.slice(-3).map((r) => r.message).sort()).toEqual(['a', 'b', 'c']);
  });

  it('renews the token after it expires', async () => {
    fake.setTokenTtl(2);
    const make = contexts();
    const before = tokenRequests();
    await tokopediaReply.execute(make({ text: 'a', msgId: 1 }));
    await tokopediaReply.execute(make({ text: 'b', msgId: 1 }));
    expect(tokenRequests() - before).toBe(1);
    await new Promise((r) => setTimeout(r, 1050));
    await tokopediaReply.execute(make({ text: 'c', msgId: 1 }));
    expect(tokenRequests() - before).toBe(2);
  });

  it('a 401 drops the cached token and retries once', async () => {
    const make = contexts();
    await tokopediaReply.execute(make({ text: 'a', msgId: 1 }));
    fake.revokeTokens();
    const before = tokenRequests();
    await tokopediaReply.execute(make({ text: 'after rotation', msgId: 1 }));
    expect(tokenRequests() - before).toBe(1);
    expect(fake.replies.at(-1)!.message).toBe('after rotation');
  });

  it('refuses attachments permanently, before any call', async () => {
    const before = fake.requests.length;
    const err = await errorOf(tokopediaReply.execute(contexts()({ text: 'see photo', msgId: 1, attachmentUrl: 'https://x.test/a.jpg' })));
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ retryable: false, code: 'attachments_not_supported' });
    expect(err!.message).toMatch(/text only/);
    expect(fake.requests.length).toBe(before);
  });

  it('needs a msg_id: the seller cannot start a chat', async () => {
    for (const msgId of [undefined, '', '{{ trigger.msgId }}']) {
      const err = await errorOf(tokopediaReply.execute(contexts()({ text: 'hi', msgId })));
      expect(err).toMatchObject({ retryable: false, code: 'no_msg_id' });
    }
  });

  it('429 is retryable with retryAfterMs from X-Ratelimit-Reset-After', async () => {
    fake.failNext(1, { status: 429, body: { header: { process_time: 0.001, messages: '', reason: 'too many requests', error_code: 'RATE_LIMIT' }, data: null } });
    const err = await errorOf(tokopediaReply.execute(contexts()({ text: 'hi', msgId: 1 })));
    expect(err).toMatchObject({ retryable: true, status: 429, retryAfterMs: 1500, code: 'RATE_LIMIT' });
  });

  it('403 is permanent and asks about the IP whitelist; 400 gives Tokopedia’s reason', async () => {
    fake.setIpWhitelisted(false);
    const err = await errorOf(tokopediaReply.execute(contexts()({ text: 'hi', msgId: 1 })));
    fake.setIpWhitelisted(true);
    expect(err).toMatchObject({ retryable: false, status: 403 });
    expect(err!.message).toMatch(/^call refused: is this server's IP whitelisted in Tokopedia\?/);
    config = { ...config, shopId: '999' };
    const bad = await errorOf(tokopediaReply.execute(contexts()({ text: 'hi', msgId: 1 })));
    expect(bad).toMatchObject({ retryable: false, status: 400, message: 'Tokopedia: invalid shop_id format' });
  });

  it('5xx is retryable', async () => {
    fake.failNext(1, { status: 502 });
    expect(await errorOf(tokopediaReply.execute(contexts()({ text: 'hi', msgId: 1 })))).toMatchObject({ retryable: true, status: 502 });
  });

  it('the reply hook answers a logged buyer message in its conversation', async () => {
    const record = await tokopedia.definition.reply!(testProviderContext('tokopedia', config), {
      id: 'm1', direction: 'inbound', channel: 'tokopedia_chat', from: '654321', to: fake.shopId, text: 'Hello World', providerMessageId: '10000',
      status: 'received', conversationKey: '654321', createdAt: new Date(), lastInboundAt: new Date(),
    }, 'Halo Budi');
    expect(record).toMatchObject({ direction: 'outbound', channel: 'tokopedia_chat', to: '654321', conversationKey: '654321', providerMessageId: '10000', text: 'Halo Budi' });
    expect(fake.replies.at(-1)).toMatchObject({ msgId: '10000', message: 'Halo Budi' });
  });
});
