import { readFileSync } from 'node:fs';
import twilioSdk from 'twilio';
import { describe, expect, it } from 'vitest';
import { WebhookParseError, type WebhookRequest } from '../define.js';
import { testConnection, expectSecretFields } from '../testing.js';
import { encodeForm, signTwilioRequest, twilioInboundSms, twilioInboundWhatsApp, twilioStatusCallback } from '../../../tests/fakes/twilio.js';
import { parseForm } from './events.js';
import { twilioMessageReceived } from './message-received.js';
import { twilioMessageStatusChanged } from './message-status-changed.js';
import { emptyTwiml, twilio } from './provider.js';
import { signedUrlVariants, twilioSignature, validateTwilioSignature } from './signature.js';

const authToken = 'f00dcafef00dcafef00dcafef00dcafe';
const auth = { accountSid: 'AC6e1b3c7d9f0a2b4c6d8e0f1a3b5c7d9e', authToken };
const hookUrl = 'https://bundles.example.com/hooks/conn_1/s3cr3t';
const webhook = twilio.definition.webhook!;

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

function request(rawBody: string, opts: { url?: string; signature?: string | null } = {}): WebhookRequest {
  const url = opts.url ?? hookUrl;
  const signature = opts.signature === undefined ? signTwilioRequest(authToken, url, parseForm(rawBody)) : opts.signature;
  return {
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
    query: {},
    rawBody: Buffer.from(rawBody),
    body: parseForm(rawBody),
  };
}

const conn = (config: Partial<typeof auth & { publicUrl: string }> = {}) => testConnection('twilio', { ...auth, ...config }, hookUrl);

describe('X-Twilio-Signature', () => {
  const vector = {
    url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
    params: { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' },
    signature: '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
  };

  it('matches the PROVIDERS.md test vector', () => {
    expect(twilioSignature('12345', vector.url, vector.params)).toBe(vector.signature);
    expect(signTwilioRequest('12345', vector.url, vector.params)).toBe(vector.signature);
    expect(validateTwilioSignature('12345', vector.signature, vector.url, vector.params)).toBe(true);
    expect(validateTwilioSignature('12346', vector.signature, vector.url, vector.params)).toBe(false);
  });

  it('verifies the test vector through the provider, as a form POST', () => {
    const raw = encodeForm(vector.params);
    const req = request(raw, { url: vector.url, signature: vector.signature });
    const connection = testConnection('twilio', { accountSid: auth.accountSid, authToken: '12345' });
    expect(webhook.verify(req, connection)).toEqual({ ok: true });
    expect(webhook.verify({ ...req, rawBody: Buffer.from(raw.replace('Digits=1234', 'Digits=1235')) }, connection).ok).toBe(false);
  });

  it('accepts a good signature and refuses a bad or missing one', () => {
    const raw = fixture('inbound-sms.txt');
    expect(webhook.verify(request(raw), conn())).toEqual({ ok: true });
    expect(webhook.verify(request(raw, { signature: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }), conn()).ok).toBe(false);
    const missing = webhook.verify(request(raw, { signature: null }), conn());
    expect(missing).toEqual({ ok: false, reason: 'missing X-Twilio-Signature header' });
    // Signed with another token.
    const other = signTwilioRequest('another-token', hookUrl, parseForm(raw));
    expect(webhook.verify(request(raw, { signature: other }), conn()).ok).toBe(false);
  });

  it('accepts the URL with and without an explicit default port, like the SDK', () => {
    const raw = fixture('inbound-sms.txt');
    const params = parseForm(raw);
    const withPort = 'https://bundles.example.com:443/hooks/conn_1/s3cr3t?x=1';
    const withoutPort = 'https://bundles.example.com/hooks/conn_1/s3cr3t?x=1';
    // Twilio signed the URL with the port; the server sees it without, and the other way round.
    expect(webhook.verify(request(raw, { url: withoutPort, signature: signTwilioRequest(authToken, withPort, params) }), conn()).ok).toBe(true);
    expect(webhook.verify(request(raw, { url: withPort, signature: signTwilioRequest(authToken, withoutPort, params) }), conn()).ok).toBe(true);
    // A different port is a different URL.
    const otherPort = signTwilioRequest(authToken, 'https://bundles.example.com:8443/hooks/conn_1/s3cr3t?x=1', params);
    expect(webhook.verify(request(raw, { url: withoutPort, signature: otherPort }), conn()).ok).toBe(false);
    expect(signedUrlVariants(withoutPort)).toContain(withPort);
  });

  it('agrees with the official SDK on valid and invalid signatures', () => {
    const raw = fixture('inbound-whatsapp-media.txt');
    const params = Object.fromEntries(new URLSearchParams(raw));
    for (const url of [hookUrl, 'https://bundles.example.com:443/hooks/conn_1/s3cr3t', 'http://localhost:3000/hooks/a/b?q=1&r=a%20b']) {
      const good = signTwilioRequest(authToken, url, params);
      expect(twilioSdk.validateRequest(authToken, good, url, params)).toBe(true);
      expect(validateTwilioSignature(authToken, good, url, params)).toBe(true);
      const bad = signTwilioRequest(authToken, url + 'x', params);
      expect(twilioSdk.validateRequest(authToken, bad, url, params)).toBe(validateTwilioSignature(authToken, bad, url, params));
    }
  });

  it('checks the signature over publicUrl when a proxy hides the real URL', () => {
    const raw = fixture('inbound-sms.txt');
    const publicUrl = 'https://proxy.example.org/twilio/inbound';
    const signature = signTwilioRequest(authToken, publicUrl, parseForm(raw));
    // The server only knows its own URL; Twilio signed the proxy's.
    expect(webhook.verify(request(raw, { signature }), conn()).ok).toBe(false);
    expect(webhook.verify(request(raw, { signature }), conn({ publicUrl })).ok).toBe(true);
  });

  it('counts repeated form fields in sorted order', () => {
    const raw = 'To=%2B15550002222&MediaUrl=https%3A%2F%2Fb.example%2F2.jpg&MediaUrl=https%3A%2F%2Fa.example%2F1.jpg';
    expect(webhook.verify(request(raw), conn()).ok).toBe(true);
  });
});

describe('parse', () => {
  const received = twilioMessageReceived;
  const status = twilioMessageStatusChanged;

  it('turns every fixture into the trigger fixture it documents', () => {
    const cases: Array<[string, Record<string, unknown>]> = [
      ['inbound-sms.txt', received.fixtures![0]!],
      ['inbound-whatsapp-media.txt', received.fixtures![1]!],
      ['status-delivered.txt', status.fixtures![0]!],
      ['status-undelivered.txt', status.fixtures![1]!],
    ];
    for (const [file, expected] of cases) {
      const events = webhook.parse(request(fixture(file)), conn());
      expect(events, file).toHaveLength(1);
      expect(events[0]!.payload, file).toEqual(expected);
    }
  });

  it('parses an inbound SMS with its dedupe key and message record', () => {
    const [event] = webhook.parse(request(fixture('inbound-sms.txt')), conn());
    expect(event).toMatchObject({
      type: 'twilio.message_received',
      dedupeKey: 'SM3f2c1b0a9e8d7c6b5a4f3e2d1c0b9a8f',
      message: {
        direction: 'inbound',
        channel: 'sms',
        from: '+5511998765432',
        to: '+15550002222',
        text: 'STATUS A-17',
        providerMessageId: 'SM3f2c1b0a9e8d7c6b5a4f3e2d1c0b9a8f',
        status: 'received',
        conversationKey: '+5511998765432',
      },
    });
    expect(event!.messageStatus).toBeUndefined();
    expect(received.output.parse(event!.payload)).toEqual(event!.payload);
  });

  it('parses an inbound WhatsApp message with media, profile name and wa_id', () => {
    const [event] = webhook.parse(request(fixture('inbound-whatsapp-media.txt')), conn());
    expect(event!.payload).toMatchObject({ channel: 'whatsapp', profileName: 'Ana Souza', waId: '5511998765432', media: [{ contentType: 'image/jpeg' }] });
    expect(event!.message).toMatchObject({ channel: 'whatsapp', from: 'whatsapp:+5511998765432', conversationKey: 'whatsapp:+5511998765432' });
  });

  it('keeps WhatsApp quick-reply buttons', () => {
    const [event] = webhook.parse(request(fixture('inbound-whatsapp-button.txt')), conn());
    expect(event!.payload).toMatchObject({ body: 'Confirm order', buttonText: 'Confirm order', buttonPayload: 'confirm_A-17', channel: 'whatsapp' });
    expect(received.output.safeParse(event!.payload).success).toBe(true);
  });

  it('parses status callbacks with MessageSid:MessageStatus keys and a messageStatus update', () => {
    const [delivered] = webhook.parse(request(fixture('status-delivered.txt')), conn());
    expect(delivered).toMatchObject({
      type: 'twilio.message_status_changed',
      dedupeKey: 'SM1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f:delivered',
      messageStatus: { providerMessageId: 'SM1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f', status: 'delivered' },
    });
    expect(delivered!.message).toBeUndefined();
    expect(delivered!.messageStatus!.error).toBeUndefined();

    const [undelivered] = webhook.parse(request(fixture('status-undelivered.txt')), conn());
    expect(undelivered!.dedupeKey).toBe('SM7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d:undelivered');
    expect(undelivered!.messageStatus).toEqual({
      providerMessageId: 'SM7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d',
      status: 'undelivered',
      error: { code: 63016, message: 'Failed to send freeform message because you are outside the allowed window.' },
    });

    const [read] = webhook.parse(request(fixture('status-whatsapp-read.txt')), conn());
    expect(read!.payload).toMatchObject({ status: 'read', channel: 'whatsapp', to: '+5511998765432' });
    expect(status.output.safeParse(read!.payload).success).toBe(true);
  });

  it('parses what the fake builders produce', () => {
    const sms = webhook.parse(request(encodeForm(twilioInboundSms({ body: 'hi', messageSid: 'SMaaaa' }))), conn());
    expect(sms[0]).toMatchObject({ type: 'twilio.message_received', dedupeKey: 'SMaaaa', payload: { body: 'hi', channel: 'sms' } });
    const wa = webhook.parse(request(encodeForm(twilioInboundWhatsApp({ body: 'oi' }))), conn());
    expect(wa[0]!.payload).toMatchObject({ channel: 'whatsapp', body: 'oi', waId: '5511998765432' });
    const st = webhook.parse(request(encodeForm(twilioStatusCallback({ messageSid: 'SMbbbb', status: 'failed', errorCode: 30003 }))), conn());
    expect(st[0]).toMatchObject({ dedupeKey: 'SMbbbb:failed', messageStatus: { status: 'failed', error: { code: 30003 } } });
  });

  it('refuses a body that is no Twilio message webhook', () => {
    expect(() => webhook.parse(request('foo=bar'), conn())).toThrow(WebhookParseError);
  });

  it('answers inbound messages with empty TwiML and status callbacks with an empty 200', () => {
    const inReq = request(fixture('inbound-sms.txt'));
    const inbound = webhook.respond!(webhook.parse(inReq, conn()), inReq);
    expect(inbound).toEqual({ status: 200, contentType: 'text/xml', body: emptyTwiml });
    expect(emptyTwiml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const stReq = request(fixture('status-delivered.txt'));
    const st = webhook.respond!(webhook.parse(stReq, conn()), stReq);
    expect(st.status).toBe(200);
    expect(st.body).toBe('');
    // Duplicates may reach respond with no events: it still tells the two apart.
    expect(webhook.respond!([], inReq).contentType).toBe('text/xml');
    expect(webhook.respond!([], stReq).body).toBe('');
  });
});

describe('twilio.message_received match', () => {
  const sms = twilioMessageReceived.fixtures![0]!;
  const wa = twilioMessageReceived.fixtures![1]!;
  const cfg = (c: Record<string, unknown>) => twilioMessageReceived.config.parse(c);

  it('filters by channel', () => {
    expect(twilioMessageReceived.match!(sms, cfg({}))).toBe(true);
    expect(twilioMessageReceived.match!(sms, cfg({ channel: 'whatsapp' }))).toBe(false);
    expect(twilioMessageReceived.match!(wa, cfg({ channel: 'whatsapp' }))).toBe(true);
  });

  it('filters by receiving number in any notation', () => {
    expect(twilioMessageReceived.match!(sms, cfg({ to: '+1 555 000 2222' }))).toBe(true);
    expect(twilioMessageReceived.match!(sms, cfg({ to: '+15550003333' }))).toBe(false);
    expect(twilioMessageReceived.match!(wa, cfg({ to: 'whatsapp:+14155238886' }))).toBe(true);
  });

  it('filters by keyword on the first word, case-insensitively', () => {
    expect(twilioMessageReceived.match!(sms, cfg({ keyword: 'status' }))).toBe(true);
    expect(twilioMessageReceived.match!(sms, cfg({ keyword: 'STOP' }))).toBe(false);
    expect(twilioMessageReceived.match!({ ...sms, body: 'my status' }, cfg({ keyword: 'status' }))).toBe(false);
  });

  it('filters status changes by status', () => {
    const [delivered, undelivered] = twilioMessageStatusChanged.fixtures!;
    const only = twilioMessageStatusChanged.config.parse({ statuses: ['undelivered', 'failed'] });
    expect(twilioMessageStatusChanged.match!(delivered!, only)).toBe(false);
    expect(twilioMessageStatusChanged.match!(undelivered!, only)).toBe(true);
    expect(twilioMessageStatusChanged.match!(delivered!, twilioMessageStatusChanged.config.parse({}))).toBe(true);
  });
});

describe('twilio secrets', () => {
  it('marks exactly the credentials secret', () => {
    expectSecretFields(twilio, ['authToken']);
  });
});
