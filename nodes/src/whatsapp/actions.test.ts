import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, type LoggedMessage } from '../define.js';
import { nodeManifest, providerManifest, secretFields } from '../manifest.js';
import { testActionContext, testProviderContext } from '../testing.js';
import { startFakeWhatsApp, type FakeWhatsApp } from '../../../tests/fakes/whatsapp.js';
import { waDigits } from './graph.js';
import { whatsapp, whatsappMessageReceived, whatsappMessageStatusChanged, whatsappSendTemplate, whatsappSendText } from './index.js';

let fake: FakeWhatsApp;
beforeAll(async () => {
  fake = await startFakeWhatsApp({ templates: { order_update: 2, hello_world: 0 } });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const auth = () =>
  whatsapp.definition.auth.parse({
    accessToken: fake.accessToken,
    appSecret: 'app-secret',
    verifyToken: 'verify-me',
    phoneNumberId: '106540352242922',
    baseUrl: fake.url,
  }) as { accessToken: string; appSecret: string; verifyToken: string; phoneNumberId: string; apiVersion: string; baseUrl: string };

async function run<O>(action: { config: { parse(v: unknown): unknown }; execute(ctx: never): Promise<unknown> }, config: Record<string, unknown>, connection: Record<string, unknown> = auth()) {
  const ctx = testActionContext({ provider: 'whatsapp', config: action.config.parse(config), connection });
  const output = (await action.execute(ctx as never)) as O;
  return { output, messages: ctx.messages };
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('whatsapp.send_text', () => {
  it('posts the Cloud API text body with the Bearer token and digits-only to', async () => {
    const { output, messages } = await run(whatsappSendText, { to: '+55 (11) 99876-5432', text: 'Your order A-17 shipped' });
    const req = fake.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v21.0/106540352242922/messages');
    expect(req.headers.authorization).toBe(`Bearer ${fake.accessToken}`);
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '5511998765432',
      type: 'text',
      text: { body: 'Your order A-17 shipped', preview_url: false },
    });
    const id = fake.messages[0]!.id;
    expect(output).toEqual({ messageId: id, to: '5511998765432', waId: '5511998765432', status: 'accepted' });
    expect(messages).toEqual([
      { direction: 'outbound', channel: 'whatsapp', from: '106540352242922', to: '5511998765432', text: 'Your order A-17 shipped', providerMessageId: id, status: 'accepted', conversationKey: '5511998765432' },
    ]);
  });

  it('strips + - ( ) and spaces from numbers', () => {
    expect(waDigits('+1 (650) 555-1234')).toBe('16505551234');
  });

  it('classifies 131047 (outside the 24-hour window) as permanent with the Graph code and message', async () => {
    fake.failNext(1, { code: 131047 });
    const err = await failure(run(whatsappSendText, { to: '5511998765432', text: 'hi' }));
    expect(err).toMatchObject({ code: 131047, retryable: false, status: 400 });
    expect(err.message).toMatch(/^\(#131047\) Re-engagement message: Message failed to send because more than 24 hours/);
  });

  it('classifies 130429 as retryable even though Graph answers HTTP 400', async () => {
    fake.failNext(1, { code: 130429, retryAfter: 5 });
    const err = await failure(run(whatsappSendText, { to: '5511998765432', text: 'hi' }));
    expect(err).toMatchObject({ code: 130429, retryable: true, status: 400, retryAfterMs: 5000 });
    expect(err.message).toContain('(#130429) Rate limit hit');
  });

  it('classifies 80007 and 131056 as retryable and 100, 132000, 132001 as permanent', async () => {
    for (const [code, retryable] of [[80007, true], [131056, true], [100, false], [132000, false], [132001, false]] as const) {
      fake.failNext(1, { code });
      expect((await failure(run(whatsappSendText, { to: '5511998765432', text: 'hi' }))).retryable, String(code)).toBe(retryable);
    }
  });

  it('classifies a wrong token (190) as permanent with a clear message', async () => {
    const err = await failure(run(whatsappSendText, { to: '5511998765432', text: 'hi' }, { ...auth(), accessToken: 'expired' }));
    expect(err).toMatchObject({ code: 190, retryable: false, status: 401 });
    expect(err.message).toContain('access token is invalid or expired');
  });

  it('treats network failures as retryable', async () => {
    fake.failNext(1, { drop: true });
    expect(await failure(run(whatsappSendText, { to: '5511998765432', text: 'hi' }))).toMatchObject({ retryable: true });
  });
});

describe('whatsapp.send_template', () => {
  it('sends body parameters of type text', async () => {
    const { output, messages } = await run<{ messageId: string }>(whatsappSendTemplate, { to: '+1 650 555 1234', template: 'order_update', language: 'pt_BR', parameters: ['A-17', 3] });
    expect(fake.requests.at(-1)!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'template',
      template: { name: 'order_update', language: { code: 'pt_BR' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'A-17' }, { type: 'text', text: '3' }] }] },
    });
    expect(output.messageId).toBe(fake.messages[0]!.id);
    expect(messages[0]).toMatchObject({ direction: 'outbound', providerMessageId: output.messageId, conversationKey: '16505551234' });
  });

  it('sends a template without parameters without components', async () => {
    await run(whatsappSendTemplate, { to: '16505551234', template: 'hello_world', language: 'en_US' });
    expect(fake.requests.at(-1)!.body).toMatchObject({ template: { name: 'hello_world', language: { code: 'en_US' } } });
    expect((fake.requests.at(-1)!.body as { template: object }).template).not.toHaveProperty('components');
  });

  it('fails permanently on an unknown template (132001) and a parameter count mismatch (132000)', async () => {
    expect(await failure(run(whatsappSendTemplate, { to: '16505551234', template: 'nope', language: 'en_US' }))).toMatchObject({ code: 132001, retryable: false });
    expect(await failure(run(whatsappSendTemplate, { to: '16505551234', template: 'order_update', language: 'en_US', parameters: ['A-17'] }))).toMatchObject({ code: 132000, retryable: false });
  });
});

describe('whatsapp provider', () => {
  it('tests the connection by reading the phone number', async () => {
    expect(await whatsapp.definition.test!(testProviderContext('whatsapp', auth()))).toEqual({ ok: true, message: 'Connected to Bundles Store (+1 555-078-3881).' });
    const req = fake.requests.at(-1)!;
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/v21.0/106540352242922');
    expect(req.query).toEqual({ fields: 'display_phone_number,verified_name' });
    expect(req.headers.authorization).toBe(`Bearer ${fake.accessToken}`);
  });

  it('reports a rejected token (190)', async () => {
    const res = await whatsapp.definition.test!(testProviderContext('whatsapp', { ...auth(), accessToken: 'bad' }));
    expect(res.ok).toBe(false);
    expect(res.message).toMatch(/^WhatsApp rejected the access token \(190\)/);
  });

  it('reports an unknown phone number id', async () => {
    const res = await whatsapp.definition.test!(testProviderContext('whatsapp', { ...auth(), phoneNumberId: '999' }));
    expect(res).toMatchObject({ ok: false });
    expect(res.message).toContain('(100)');
  });

  const inbound = (lastInboundAt: Date | null): LoggedMessage => ({
    id: 'msg_1',
    createdAt: new Date(),
    lastInboundAt,
    direction: 'inbound',
    channel: 'whatsapp',
    from: '5511998765432',
    to: '106540352242922',
    text: 'Where is my order?',
    providerMessageId: 'wamid.X',
    status: 'received',
    conversationKey: '5511998765432',
  });

  it('replies with text within 24 hours of the last inbound message', async () => {
    const record = await whatsapp.definition.reply!(testProviderContext('whatsapp', auth()), inbound(new Date(Date.now() - 23 * 3600_000)), 'Tomorrow morning');
    expect(fake.requests.at(-1)!.body).toMatchObject({ to: '5511998765432', type: 'text', text: { body: 'Tomorrow morning' } });
    expect(fake.requests.at(-1)!.path).toBe('/v21.0/106540352242922/messages');
    expect(record).toMatchObject({ direction: 'outbound', channel: 'whatsapp', to: '5511998765432', providerMessageId: fake.messages[0]!.id, conversationKey: '5511998765432' });
  });

  it('refuses a free-form reply after 24 hours or without any inbound message', async () => {
    for (const at of [new Date(Date.now() - 25 * 3600_000), null]) {
      const err = await failure(whatsapp.definition.reply!(testProviderContext('whatsapp', auth()), inbound(at), 'late'));
      expect(err.retryable).toBe(false);
      expect(err.message).toBe('WhatsApp allows free-form replies only within 24 hours of the customer’s last message; send a template instead');
    }
    expect(fake.requests).toHaveLength(0);
  });
});

describe('whatsapp manifests', () => {
  it('converts every node to JSON Schema and every trigger fixture parses against its output', () => {
    for (const node of [whatsappMessageReceived, whatsappMessageStatusChanged, whatsappSendText, whatsappSendTemplate]) {
      const manifest = nodeManifest(node);
      expect(manifest.configSchema).toBeTypeOf('object');
      expect(manifest.outputSchema).toBeTypeOf('object');
      if (node.kind === 'trigger') {
        expect(node.fixtures!.length).toBeGreaterThan(0);
        for (const f of node.fixtures!) expect(node.output.parse(f)).toEqual(f);
      }
    }
    const out = nodeManifest(whatsappMessageReceived).outputSchema as { required: string[] };
    expect(out.required).toEqual(expect.arrayContaining(['messageId', 'from', 'name', 'type', 'text', 'phoneNumberId']));
  });

  it('marks the token and app secret secret, defaults the API version and explains the setup', () => {
    expect(secretFields(whatsapp.definition)).toEqual(['accessToken', 'appSecret']);
    expect(auth().apiVersion).toBe('v21.0');
    const setup = whatsapp.definition.setup!({ webhookUrl: 'https://bundles.example.com/hooks/c/s', config: { verifyToken: 'verify-me' } });
    expect(setup).toContain('https://bundles.example.com/hooks/c/s');
    expect(setup).toContain('"verify-me"');
    expect(setup).toContain('messages');
    expect(providerManifest(whatsapp.definition).hasWebhook).toBe(true);
  });
});
