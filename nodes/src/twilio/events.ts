// Twilio webhook bodies → event payloads: inbound messages and status callbacks (no SDK needed here).
import { z } from 'zod';
import { decodeForm, firstField, webhookLimits, type FormFields } from '../webhooks.js';

export const messageReceivedEvent = 'twilio.message_received';
export const messageStatusChangedEvent = 'twilio.message_status_changed';

export const channelSchema = z.enum(['sms', 'whatsapp']);

export const messageReceivedOutput = z.object({
  messageSid: z.string(),
  /** The customer's number in E.164 (without the `whatsapp:` prefix; see `channel`). */
  from: z.string(),
  /** The number the customer wrote to, in E.164. */
  to: z.string(),
  body: z.string(),
  channel: channelSchema,
  media: z.array(z.object({ url: z.string(), contentType: z.string() })),
  profileName: z.string().optional(),
  waId: z.string().optional(),
  numSegments: z.number().optional(),
  buttonText: z.string().optional(),
  buttonPayload: z.string().optional(),
  messagingServiceSid: z.string().optional(),
  accountSid: z.string().optional(),
});
export type MessageReceivedPayload = z.infer<typeof messageReceivedOutput>;

export const messageStatusChangedOutput = z.object({
  messageSid: z.string(),
  status: z.string(),
  from: z.string().optional(),
  to: z.string().optional(),
  errorCode: z.number().optional(),
  errorMessage: z.string().optional(),
  channel: channelSchema,
  accountSid: z.string().optional(),
});
export type MessageStatusChangedPayload = z.infer<typeof messageStatusChangedOutput>;

export type FormParams = FormFields;

/** Decodes a form-urlencoded body (bounded, linear); repeated fields become arrays. */
export const parseForm = (raw: string): FormParams => decodeForm(raw);

export const first = firstField;

/** `NumMedia` as a count Twilio can mean: a whole number from 0 to 10 (anything else counts as 0). */
export function mediaCount(value: string | undefined): number {
  const n = Number(value ?? '0');
  return Number.isInteger(n) && n > 0 ? Math.min(n, webhookLimits.media) : 0;
}

const whatsappPrefix = 'whatsapp:';

export function stripChannelPrefix(address: string): string {
  return address.startsWith(whatsappPrefix) ? address.slice(whatsappPrefix.length) : address;
}

export function channelOf(params: FormParams): 'sms' | 'whatsapp' {
  if (first(params, 'ChannelPrefix') === 'whatsapp') return 'whatsapp';
  const from = first(params, 'From') ?? '';
  const to = first(params, 'To') ?? '';
  return from.startsWith(whatsappPrefix) || to.startsWith(whatsappPrefix) ? 'whatsapp' : 'sms';
}

/**
 * A status callback carries `MessageStatus` (and `SmsStatus`) with anything but `received`;
 * an inbound message carries `SmsStatus=received` and no other status.
 */
export function isStatusCallback(params: FormParams): boolean {
  const status = first(params, 'MessageStatus') ?? first(params, 'SmsStatus');
  return status !== undefined && status !== 'received' && status !== 'receiving';
}

function optional<T>(key: string, value: T | undefined): Record<string, T> {
  return value === undefined || value === '' ? {} : { [key]: value };
}

export function inboundPayload(params: FormParams, messageSid: string): MessageReceivedPayload {
  const numMedia = mediaCount(first(params, 'NumMedia'));
  const media: MessageReceivedPayload['media'] = [];
  for (let i = 0; i < numMedia; i++) {
    const url = first(params, `MediaUrl${i}`);
    if (url) media.push({ url, contentType: first(params, `MediaContentType${i}`) ?? 'application/octet-stream' });
  }
  const segments = first(params, 'NumSegments');
  return {
    messageSid,
    from: stripChannelPrefix(first(params, 'From') ?? ''),
    to: stripChannelPrefix(first(params, 'To') ?? ''),
    body: first(params, 'Body') ?? '',
    channel: channelOf(params),
    media,
    ...optional('profileName', first(params, 'ProfileName')),
    ...optional('waId', first(params, 'WaId')),
    ...(segments !== undefined && Number.isFinite(Number(segments)) ? { numSegments: Number(segments) } : {}),
    ...optional('buttonText', first(params, 'ButtonText')),
    ...optional('buttonPayload', first(params, 'ButtonPayload')),
    ...optional('messagingServiceSid', first(params, 'MessagingServiceSid')),
    ...optional('accountSid', first(params, 'AccountSid')),
  };
}

export function statusPayload(params: FormParams, messageSid: string): MessageStatusChangedPayload {
  const errorCode = first(params, 'ErrorCode');
  const from = first(params, 'From');
  const to = first(params, 'To');
  return {
    messageSid,
    status: (first(params, 'MessageStatus') ?? first(params, 'SmsStatus')) as string,
    ...optional('from', from === undefined ? undefined : stripChannelPrefix(from)),
    ...optional('to', to === undefined ? undefined : stripChannelPrefix(to)),
    ...(errorCode && Number.isFinite(Number(errorCode)) ? { errorCode: Number(errorCode) } : {}),
    ...optional('errorMessage', first(params, 'ErrorMessage')),
    channel: channelOf(params),
    ...optional('accountSid', first(params, 'AccountSid')),
  };
}
