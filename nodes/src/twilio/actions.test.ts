import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError, type LoggedMessage } from '../define.js';
import { nodeManifest, providerManifest, secretFields } from '../manifest.js';
import { testActionContext, testProviderContext } from '../testing.js';
import { startFakeTwilio, type FakeTwilio } from '../../../tests/fakes/twilio.js';
import { twilioError } from './client.js';
import { twilio, twilioMessageReceived, twilioMessageStatusChanged, twilioSendSms, twilioSendWhatsapp } from './index.js';

let fake: FakeTwilio;
beforeAll(async () => {
  fake = await startFakeTwilio({ unsubscribed: ['+5511900000000'] });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const auth = () => ({ accountSid: fake.accountSid, authToken: fake.authToken, baseUrl: fake.url });

async function run<C, O>(action: { config: { parse(v: unknown): C }; execute(ctx: never): Promise<O | unknown> }, config: Record<string, unknown>, connection = auth()) {
  const ctx = testActionContext({ provider: 'twilio', config: action.config.parse(config), connection });
  const output = (await action.execute(ctx as never)) as O;
  return { output, messages: ctx.messages, ctx };
}

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

describe('twilio.send_sms', () => {
  it('posts the form Twilio expects with Basic auth and returns the message', async () => {
    const { output, messages } = await run(twilioSendSms, { from: '+15550002222', to: '+5511998765432', body: 'Order A-17 is paid' });
    expect(fake.messages).toHaveLength(1);
    const req = fake.requests.at(-1)!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/Messages.json`);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers.authorization).toBe('Basic ' + Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64'));
    expect(req.form).toEqual({ To: '+5511998765432', From: '+15550002222', Body: 'Order A-17 is paid', StatusCallback: 'http://127.0.0.1/hooks/test/secret' });
    const sent = fake.messages[0]!;
    expect(output).toEqual({ sid: sent.sid, status: 'queued', to: '+5511998765432', from: '+15550002222', segments: 1, dateCreated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(messages).toEqual([
      { direction: 'outbound', channel: 'sms', from: '+15550002222', to: '+5511998765432', text: 'Order A-17 is paid', providerMessageId: sent.sid, status: 'queued', conversationKey: '+5511998765432' },
    ]);
  });

  it('writes international numbers with spaces and dashes as E.164', async () => {
    await run(twilioSendSms, { from: '+1 555 000-2222', to: '+55 (11) 99876-5432', body: 'hi' });
    expect(fake.requests.at(-1)!.form).toMatchObject({ From: '+15550002222', To: '+5511998765432' });
  });

  it('reads num_segments (a string) into a number', async () => {
    const { output } = await run(twilioSendSms, { from: '+15550002222', to: '+5511998765432', body: 'Olá! '.repeat(30) });
    expect(output).toMatchObject({ segments: 3 });
  });

  it('refuses a body over 1600 characters before sending', () => {
    expect(twilioSendSms.config.safeParse({ from: '+1', to: '+2', body: 'x'.repeat(1601) }).success).toBe(false);
  });

  it('classifies 21610 (unsubscribed) as permanent with Twilio’s code and message', async () => {
    const err = await failure(run(twilioSendSms, { from: '+15550002222', to: '+5511900000000', body: 'hi' }));
    expect(err).toMatchObject({ code: 21610, message: 'Attempt to send to unsubscribed recipient', retryable: false, status: 400 });
    expect(fake.messages).toHaveLength(0);
  });

  it('classifies 21211 (invalid To) as permanent', async () => {
    const err = await failure(run(twilioSendSms, { from: '+15550002222', to: '12345', body: 'hi' }));
    expect(err).toMatchObject({ code: 21211, retryable: false });
    expect(err.message).toContain('is not a valid phone number');
  });

  it('classifies 429 as retryable with Retry-After in milliseconds', async () => {
    fake.failNext(1, { status: 429, retryAfter: 2 });
    const err = await failure(run(twilioSendSms, { from: '+15550002222', to: '+5511998765432', body: 'hi' }));
    expect(err).toMatchObject({ code: 20429, retryable: true, retryAfterMs: 2000, status: 429 });
    // The next attempt goes through.
    await run(twilioSendSms, { from: '+15550002222', to: '+5511998765432', body: 'hi' });
    expect(fake.deliveries.get('+5511998765432\nhi')).toBe(1);
  });

  it('classifies 5xx and network failures as retryable', async () => {
    fake.failNext(1, { status: 503 });
    expect(await failure(run(twilioSendSms, { from: '+15550002222', to: '+5511998765432', body: 'hi' }))).toMatchObject({ retryable: true, status: 503 });
    fake.failNext(1, { drop: true });
    expect(await failure(run(twilioSendSms, { from: '+15550002222', to: '+5511998765432', body: 'hi' }))).toMatchObject({ retryable: true, code: 'network_error' });
  });

  it('classifies wrong credentials (20003) as permanent', async () => {
    const err = await failure(run(twilioSendSms, { from: '+15550002222', to: '+5511998765432', body: 'hi' }, { ...auth(), authToken: 'wrong' }));
    expect(err).toMatchObject({ code: 20003, retryable: false, status: 401 });
  });

  it('maps the documented codes', () => {
    for (const [status, code] of [[400, 21211], [400, 21610], [400, 21608], [401, 20003], [404, 20404], [400, 21617]] as const) {
      expect(twilioError(status, { code, message: 'x' }).retryable, String(code)).toBe(false);
    }
    expect(twilioError(429, { code: 20429, message: 'Too Many Requests' }, { 'retry-after': '3' })).toMatchObject({ retryable: true, retryAfterMs: 3000 });
    expect(twilioError(500, { code: 20500, message: 'x' }).retryable).toBe(true);
    expect(twilioError(502, 'Bad gateway').retryable).toBe(true);
  });
});

describe('twilio.send_whatsapp', () => {
  it('prefixes whatsapp: on From and To and sends free-form text', async () => {
    const { output, messages } = await run(twilioSendWhatsapp, { from: '+14155238886', to: '+5511998765432', body: 'Your order shipped' });
    expect(fake.requests.at(-1)!.form).toMatchObject({ From: 'whatsapp:+14155238886', To: 'whatsapp:+5511998765432', Body: 'Your order shipped' });
    expect(output).toMatchObject({ to: 'whatsapp:+5511998765432', from: 'whatsapp:+14155238886', status: 'queued' });
    expect(messages[0]).toMatchObject({ channel: 'whatsapp', conversationKey: 'whatsapp:+5511998765432' });
  });

  it('does not double the prefix', async () => {
    await run(twilioSendWhatsapp, { from: 'whatsapp:+14155238886', to: 'whatsapp:+55 11 99876-5432', body: 'x' });
    expect(fake.requests.at(-1)!.form).toMatchObject({ From: 'whatsapp:+14155238886', To: 'whatsapp:+5511998765432' });
  });

  it('sends a Content template with ContentVariables as a JSON string', async () => {
    const contentSid = 'HX' + '0123456789abcdef0123456789abcdef';
    await run(twilioSendWhatsapp, { from: '+14155238886', to: '+5511998765432', contentSid, contentVariables: { '1': 'A-17', '2': '3pm' } });
    const form = fake.requests.at(-1)!.form;
    expect(form.ContentSid).toBe(contentSid);
    expect(form.ContentVariables).toBe('{"1":"A-17","2":"3pm"}');
    expect(form.Body).toBeUndefined();
    expect(fake.messages[0]!.contentVariablesParsed).toEqual({ '1': 'A-17', '2': '3pm' });
  });

  it('requires a body or a Content SID', async () => {
    const err = await failure(run(twilioSendWhatsapp, { from: '+14155238886', to: '+5511998765432' }));
    expect(err.retryable).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('twilio provider', () => {
  it('tests the connection by fetching the account', async () => {
    const ok = await twilio.definition.test!(testProviderContext('twilio', auth()));
    expect(ok).toEqual({ ok: true, message: 'Connected to Twilio account "Bundles test account" (active).' });
    expect(fake.requests.at(-1)!.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}.json`);
  });

  it('reports rejected credentials with 20003', async () => {
    const res = await twilio.definition.test!(testProviderContext('twilio', { ...auth(), authToken: 'nope' }));
    expect(res.ok).toBe(false);
    expect(res.message).toMatch(/^Twilio rejected the credentials \(20003\): Authenticate/);
  });

  it('reports an unreachable API', async () => {
    const res = await twilio.definition.test!(testProviderContext('twilio', { ...auth(), baseUrl: 'http://127.0.0.1:9' }));
    expect(res.ok).toBe(false);
    expect(res.message).toContain('network_error');
  });

  it('lists the account’s numbers as senders', async () => {
    const options = await twilio.definition.options!.senders!(testProviderContext('twilio', auth()));
    expect(options).toEqual([
      { value: '+15550002222', label: '+15550002222 ((555) 000-2222)' },
      { value: '+14155238886', label: '+14155238886 (WhatsApp sender)' },
    ]);
    expect(fake.requests.at(-1)!.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/IncomingPhoneNumbers.json`);
  });

  it('memoizes one SDK client per connection', async () => {
    const ctx = testProviderContext('twilio', auth());
    await twilio.definition.test!(ctx);
    await twilio.definition.test!(ctx);
    expect([...ctx.connection.memo.keys()].filter((k) => k.startsWith('twilio.client:'))).toHaveLength(1);
  });

  const inbound = (channel: 'sms' | 'whatsapp', lastInboundAt: Date | null): LoggedMessage => ({
    id: 'msg_1',
    createdAt: new Date(),
    lastInboundAt,
    direction: 'inbound',
    channel,
    from: channel === 'whatsapp' ? 'whatsapp:+5511998765432' : '+5511998765432',
    to: channel === 'whatsapp' ? 'whatsapp:+14155238886' : '+15550002222',
    text: 'hi',
    providerMessageId: 'SMx',
    status: 'received',
    conversationKey: channel === 'whatsapp' ? 'whatsapp:+5511998765432' : '+5511998765432',
  });

  it('replies by SMS from the number the customer wrote to', async () => {
    const record = await twilio.definition.reply!(testProviderContext('twilio', auth()), inbound('sms', new Date(Date.now() - 3 * 86400_000)), 'Thanks!');
    expect(fake.requests.at(-1)!.form).toMatchObject({ From: '+15550002222', To: '+5511998765432', Body: 'Thanks!' });
    expect(record).toMatchObject({ direction: 'outbound', channel: 'sms', conversationKey: '+5511998765432', providerMessageId: fake.messages[0]!.sid });
  });

  it('replies on WhatsApp inside 24 hours and refuses outside', async () => {
    const record = await twilio.definition.reply!(testProviderContext('twilio', auth()), inbound('whatsapp', new Date(Date.now() - 3600_000)), 'On its way');
    expect(fake.requests.at(-1)!.form).toMatchObject({ From: 'whatsapp:+14155238886', To: 'whatsapp:+5511998765432', Body: 'On its way' });
    expect(record.channel).toBe('whatsapp');
    const err = await failure(twilio.definition.reply!(testProviderContext('twilio', auth()), inbound('whatsapp', new Date(Date.now() - 25 * 3600_000)), 'late'));
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('24 hours');
    expect(fake.messages).toHaveLength(1);
  });
});

describe('twilio manifests', () => {
  it('converts every node to JSON Schema and every trigger fixture parses against its output', () => {
    for (const node of [twilioMessageReceived, twilioMessageStatusChanged, twilioSendSms, twilioSendWhatsapp]) {
      const manifest = nodeManifest(node);
      expect(manifest.configSchema).toBeTypeOf('object');
      expect(manifest.outputSchema).toBeTypeOf('object');
      if (node.kind === 'trigger') {
        expect(node.fixtures!.length).toBeGreaterThan(0);
        for (const f of node.fixtures!) expect(node.output.parse(f)).toEqual(f);
      }
    }
    const body = (nodeManifest(twilioSendSms).configSchema as { properties: Record<string, Record<string, unknown>> }).properties.body!;
    expect(body).toMatchObject({ 'x-widget': 'template', 'x-sms': true, maxLength: 1600 });
    expect((nodeManifest(twilioSendSms).configSchema as { properties: Record<string, Record<string, unknown>> }).properties.from!['x-options']).toBe('senders');
  });

  it('marks the auth token secret and explains the setup', () => {
    expect(secretFields(twilio.definition)).toEqual(['authToken']);
    const manifest = providerManifest(twilio.definition, 'https://bundles.example.com/hooks/c/s');
    expect(manifest.hasWebhook).toBe(true);
    expect(manifest.setup).toContain('https://bundles.example.com/hooks/c/s');
    expect(manifest.setup).toContain('Public webhook URL');
  });
});
