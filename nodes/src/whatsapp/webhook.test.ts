import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WebhookParseError, type WebhookRequest } from '../define.js';
import { testConnection, expectSecretFields } from '../testing.js';
import { signWhatsAppBody, whatsappChallengeQuery, whatsappInboundPayload, whatsappStatusPayload, whatsappTextMessage } from '../../../tests/fakes/whatsapp.js';
import { whatsappMessageReceived } from './message-received.js';
import { whatsappMessageStatusChanged } from './message-status-changed.js';
import { whatsapp, whatsappSignature } from './provider.js';

const auth = {
  accessToken: 'EAAGtoken',
  appSecret: '3c9f1a7be2d04c55a1f0e6b7d8c9a0b1',
  verifyToken: 'bundles-verify-7f3a',
  phoneNumberId: '106540352242922',
  apiVersion: 'v21.0',
};
const conn = testConnection('whatsapp', auth, 'https://bundles.example.com/hooks/conn_2/s3cr3t');
const webhook = whatsapp.definition.webhook!;

function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
}

function post(raw: string, signature: string | null = signWhatsAppBody(auth.appSecret, raw)): WebhookRequest {
  return {
    method: 'POST',
    url: conn.webhookUrl,
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
    query: {},
    rawBody: Buffer.from(raw),
    body: JSON.parse(raw),
  };
}

function get(query: Record<string, string>): WebhookRequest {
  return { method: 'GET', url: conn.webhookUrl + '?' + new URLSearchParams(query).toString(), headers: {}, query, rawBody: Buffer.alloc(0), body: undefined };
}

const parse = (name: string) => webhook.parse(post(fixture(name)), conn);

describe('verify-token challenge', () => {
  it('answers the challenge when the verify token matches', () => {
    expect(webhook.challenge!(get(whatsappChallengeQuery(auth.verifyToken, '1158201444')), conn)).toEqual({ status: 200, contentType: 'text/plain', body: '1158201444' });
  });

  it('refuses a wrong token, a missing token and another mode with 403', () => {
    expect(webhook.challenge!(get(whatsappChallengeQuery('guess', '1')), conn)!.status).toBe(403);
    expect(webhook.challenge!(get({ 'hub.mode': 'subscribe', 'hub.challenge': '1' }), conn)!.status).toBe(403);
    expect(webhook.challenge!(get({ ...whatsappChallengeQuery(auth.verifyToken, '1'), 'hub.mode': 'unsubscribe' }), conn)!.status).toBe(403);
  });

  it('leaves POSTs alone', () => {
    expect(webhook.challenge!(post(fixture('text.json')), conn)).toBeNull();
  });
});

describe('X-Hub-Signature-256', () => {
  it('accepts sha256= lowercase hex HMAC of the raw body', () => {
    const raw = fixture('text.json');
    expect(whatsappSignature(auth.appSecret, raw)).toBe(signWhatsAppBody(auth.appSecret, raw));
    expect(signWhatsAppBody(auth.appSecret, raw)).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(webhook.verify(post(raw), conn)).toEqual({ ok: true });
  });

  it('refuses a bad, a missing and another secret’s signature', () => {
    const raw = fixture('text.json');
    expect(webhook.verify(post(raw, 'sha256=' + '0'.repeat(64)), conn).ok).toBe(false);
    expect(webhook.verify(post(raw, null), conn)).toEqual({ ok: false, reason: 'missing X-Hub-Signature-256 header' });
    expect(webhook.verify(post(raw, signWhatsAppBody('other-secret', raw)), conn).ok).toBe(false);
  });

  it('checks the raw bytes, not a re-serialization', () => {
    const raw = fixture('text.json');
    const spaced = JSON.stringify(JSON.parse(raw), null, 2);
    const req = { ...post(raw), rawBody: Buffer.from(spaced) };
    expect(webhook.verify(req, conn).ok).toBe(false);
  });
});

describe('parse', () => {
  it('turns fixtures into the trigger fixtures they document', () => {
    const [text] = parse('text.json');
    const media = parse('media.json');
    const interactive = parse('interactive.json');
    expect([text!.payload, media[0]!.payload, interactive[0]!.payload]).toEqual(whatsappMessageReceived.fixtures);
    expect(parse('statuses.json').map((e) => e.payload)).toEqual(whatsappMessageStatusChanged.fixtures);
  });

  it('makes every message of a multi-entry, multi-change POST its own event', () => {
    const events = parse('multi.json');
    expect(events.map((e) => [e.type, e.dedupeKey, e.key])).toEqual([
      ['whatsapp.message_received', 'wamid.HBgNNTUxMTk5ODc2NTQzMhUCABIYFjNFQjAxMTExMTExMTExMTExMTExAA==', '106540352242922'],
      ['whatsapp.message_received', 'wamid.HBgNNTUxMTk5ODc2NTQzMhUCABIYFjNFQjAyMjIyMjIyMjIyMjIyMjIyAA==', '106540352242922'],
      ['whatsapp.message_received', 'wamid.HBgNNTUxMTkxMjM0NTY3OBUCABIYFjNFQjAzMzMzMzMzMzMzMzMzMzMzAA==', '106540352242923'],
      ['whatsapp.message_status_changed', 'wamid.HBgNNTUxMTk5ODc2NTQzMhUCABEYEjQ2QkI2RkY0QzdBMzE0NTI1OAA=:read', '106540352242922'],
      ['whatsapp.message_received', 'wamid.HBgNNTUxMTk5ODc2NTQzMhUCABIYFjNFQjA0NDQ0NDQ0NDQ0NDQ0NDQ0AA==', '106540352242922'],
    ]);
    expect(events[2]!.payload).toMatchObject({ from: '5511912345678', name: 'Bruno Lima', text: 'Olá' });
    expect(events[0]!.message).toEqual({
      direction: 'inbound',
      channel: 'whatsapp',
      from: '5511998765432',
      to: '106540352242922',
      text: 'Hi',
      providerMessageId: 'wamid.HBgNNTUxMTk5ODc2NTQzMhUCABIYFjNFQjAxMTExMTExMTExMTExMTExAA==',
      status: 'received',
      conversationKey: '5511998765432',
    });
  });

  it('normalizes every media type', () => {
    const events = parse('media.json');
    expect(events.map((e) => [e.payload.type, e.payload.text, e.payload.mediaId, e.payload.mimeType])).toEqual([
      ['image', 'Receipt for A-17', '1034295881577425', 'image/jpeg'],
      ['audio', '', '873619624612345', 'audio/ogg; codecs=opus'],
      ['video', 'The box arrived like this', '1189201745532101', 'video/mp4'],
      ['document', 'nota-fiscal-A-17.pdf', '2201378300467611', 'application/pdf'],
      ['sticker', '', '918273645501928', 'image/webp'],
    ]);
  });

  it('normalizes button and list replies with their ids and context', () => {
    const [button, list] = parse('interactive.json');
    expect(button!.payload).toMatchObject({ type: 'interactive', text: 'Track order', payload: 'track_A-17', context: { id: 'wamid.HBgNNTUxMTk5ODc2NTQzMhUCABEYEjQ2QkI2RkY0QzdBMzE0NTI1OAA=' } });
    expect(list!.payload).toMatchObject({ type: 'interactive', text: 'Tomorrow 9–12', payload: 'slot_tomorrow_am' });
    const [templateButton] = parse('button.json');
    expect(templateButton!.payload).toMatchObject({ type: 'button', text: 'Confirm delivery', payload: 'CONFIRM_A-17' });
  });

  it('normalizes locations, contacts and reactions', () => {
    expect(parse('location.json')[0]!.payload).toMatchObject({
      type: 'location',
      text: '📍 -23.561414,-46.655881 MASP',
      location: { latitude: -23.561414, longitude: -46.655881, name: 'MASP', address: 'Av. Paulista, 1578 - Bela Vista, São Paulo' },
    });
    expect(parse('contacts.json')[0]!.payload).toMatchObject({ type: 'contacts', text: 'Bruno Lima, Carla' });
    expect(parse('reaction.json')[0]!.payload).toMatchObject({ type: 'reaction', text: '👍' });
  });

  it('parses every fixture into payloads that fit the output schemas', () => {
    for (const name of ['text.json', 'media.json', 'interactive.json', 'button.json', 'location.json', 'contacts.json', 'reaction.json', 'multi.json', 'statuses.json']) {
      for (const event of parse(name)) {
        const schema = event.type === 'whatsapp.message_received' ? whatsappMessageReceived.output : whatsappMessageStatusChanged.output;
        expect(schema.safeParse(event.payload).success, `${name} ${event.dedupeKey}`).toBe(true);
        expect(event.payload).toHaveProperty('phoneNumberId', event.key);
      }
    }
  });

  it('parses statuses with id:status keys and messageStatus errors', () => {
    const [delivered, failed] = parse('statuses.json');
    expect(delivered).toMatchObject({ dedupeKey: 'wamid.HBgNNTUxMTk5ODc2NTQzMhUCABEYEjQ2QkI2RkY0QzdBMzE0NTI1OAA=:delivered', messageStatus: { status: 'delivered' } });
    expect(delivered!.messageStatus!.error).toBeUndefined();
    expect(failed!.messageStatus).toEqual({
      providerMessageId: 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjg5QTc3RDE0QjZGRTIxQ0E5MgA=',
      status: 'failed',
      error: {
        code: 131047,
        message: '(#131047) Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
      },
    });
  });

  it('parses what the fake builders produce', () => {
    const payload = whatsappInboundPayload([whatsappTextMessage({ id: 'wamid.A', text: 'one' }), whatsappTextMessage({ id: 'wamid.B', text: 'two' })]);
    expect(webhook.parse(post(JSON.stringify(payload)), conn).map((e) => e.dedupeKey)).toEqual(['wamid.A', 'wamid.B']);
    const statuses = whatsappStatusPayload([{ id: 'wamid.A', status: 'failed', error: { code: 131047, title: 'Re-engagement message' } }]);
    expect(webhook.parse(post(JSON.stringify(statuses)), conn)[0]).toMatchObject({ dedupeKey: 'wamid.A:failed', messageStatus: { error: { code: 131047 } } });
  });

  it('refuses a body that is no WhatsApp webhook', () => {
    expect(() => webhook.parse(post('{"hello":"world"}'), conn)).toThrow(WebhookParseError);
  });
});

describe('trigger routing', () => {
  it('routes by phone number id, or takes all when left empty', () => {
    expect(whatsappMessageReceived.key!(whatsappMessageReceived.config.parse({ phoneNumberId: '106540352242922' }))).toBe('106540352242922');
    expect(whatsappMessageReceived.key!(whatsappMessageReceived.config.parse({}))).toBeNull();
    expect(whatsappMessageStatusChanged.key!(whatsappMessageStatusChanged.config.parse({ phoneNumberId: ' ' }))).toBeNull();
  });

  it('filters by message type and status', () => {
    const [text, image] = whatsappMessageReceived.fixtures!;
    const onlyImages = whatsappMessageReceived.config.parse({ types: ['image'] });
    expect(whatsappMessageReceived.match!(text!, onlyImages)).toBe(false);
    expect(whatsappMessageReceived.match!(image!, onlyImages)).toBe(true);
    const [delivered, failed] = whatsappMessageStatusChanged.fixtures!;
    const onlyFailed = whatsappMessageStatusChanged.config.parse({ statuses: ['failed'] });
    expect(whatsappMessageStatusChanged.match!(delivered!, onlyFailed)).toBe(false);
    expect(whatsappMessageStatusChanged.match!(failed!, onlyFailed)).toBe(true);
  });
});

describe('whatsapp secrets', () => {
  it('marks exactly the credentials secret', () => {
    expectSecretFields(whatsapp, ['accessToken', 'appSecret']);
  });
});
