// WhatsApp Cloud API webhook bodies → one event per message and per status.
import { z } from 'zod';
import { WebhookParseError, type ParsedEvent } from '../define.js';

export const messageReceivedEvent = 'whatsapp.message_received';
export const messageStatusChangedEvent = 'whatsapp.message_status_changed';

export const messageReceivedOutput = z.object({
  messageId: z.string(),
  /** The customer's WhatsApp id (digits of their number). */
  from: z.string(),
  /** The customer's profile name ('' when the webhook does not carry one). */
  name: z.string(),
  type: z.string(),
  /** Body, caption, button title, "📍 lat,lng name" or contact names. */
  text: z.string(),
  mediaId: z.string().optional(),
  mimeType: z.string().optional(),
  /** Id of the chosen button or list row, or the payload of a template button. */
  payload: z.string().optional(),
  location: z
    .object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() })
    .optional(),
  phoneNumberId: z.string(),
  displayPhoneNumber: z.string().optional(),
  /** ISO 8601. */
  timestamp: z.string(),
  context: z.object({ from: z.string().optional(), id: z.string() }).optional(),
});
export type MessageReceivedPayload = z.infer<typeof messageReceivedOutput>;

export const messageStatusChangedOutput = z.object({
  messageId: z.string(),
  status: z.string(),
  recipientId: z.string(),
  phoneNumberId: z.string(),
  /** ISO 8601. */
  timestamp: z.string(),
  errors: z.array(z.object({ code: z.number(), title: z.string(), message: z.string().optional(), details: z.string().optional() })).optional(),
});
export type MessageStatusChangedPayload = z.infer<typeof messageStatusChangedOutput>;

// The parts of the Graph webhook payload that are read; everything else is ignored.
interface Media {
  id?: string;
  mime_type?: string;
  caption?: string;
  filename?: string;
}
interface GraphMessage {
  from?: string;
  id?: string;
  timestamp?: string;
  type?: string;
  text?: { body?: string };
  image?: Media;
  audio?: Media;
  video?: Media;
  document?: Media;
  sticker?: Media;
  interactive?: { type?: string; button_reply?: { id?: string; title?: string }; list_reply?: { id?: string; title?: string; description?: string } };
  button?: { text?: string; payload?: string };
  location?: { latitude?: number; longitude?: number; name?: string; address?: string };
  contacts?: Array<{ name?: { formatted_name?: string; first_name?: string; last_name?: string }; phones?: Array<{ phone?: string }> }>;
  reaction?: { message_id?: string; emoji?: string };
  context?: { from?: string; id?: string };
}
interface GraphStatus {
  id?: string;
  status?: string;
  timestamp?: string;
  recipient_id?: string;
  errors?: Array<{ code?: number; title?: string; message?: string; error_data?: { details?: string } }>;
}
interface GraphValue {
  metadata?: { display_phone_number?: string; phone_number_id?: string };
  contacts?: Array<{ profile?: { name?: string }; wa_id?: string }>;
  messages?: GraphMessage[];
  statuses?: GraphStatus[];
}

const mediaTypes = ['image', 'audio', 'video', 'document', 'sticker'] as const;

function isoFromUnix(ts: string | undefined): string {
  const seconds = Number(ts);
  return new Date(Number.isFinite(seconds) && ts ? seconds * 1000 : Date.now()).toISOString();
}

function contactName(c: NonNullable<GraphMessage['contacts']>[number]): string {
  const n = c.name;
  return n?.formatted_name ?? [n?.first_name, n?.last_name].filter(Boolean).join(' ') ?? '';
}

/** One inbound message, normalized. */
export function normalizeMessage(m: GraphMessage, value: GraphValue): MessageReceivedPayload {
  const from = m.from ?? '';
  const name = value.contacts?.find((c) => c.wa_id === from)?.profile?.name ?? value.contacts?.[0]?.profile?.name ?? '';
  const type = m.type ?? 'unknown';
  const out: MessageReceivedPayload = {
    messageId: m.id ?? '',
    from,
    name,
    type,
    text: '',
    phoneNumberId: value.metadata?.phone_number_id ?? '',
    ...(value.metadata?.display_phone_number ? { displayPhoneNumber: value.metadata.display_phone_number } : {}),
    timestamp: isoFromUnix(m.timestamp),
  };
  if (type === 'text') out.text = m.text?.body ?? '';
  else if ((mediaTypes as readonly string[]).includes(type)) {
    const media = m[type as (typeof mediaTypes)[number]];
    out.text = media?.caption ?? (type === 'document' ? (media?.filename ?? '') : '');
    if (media?.id) out.mediaId = media.id;
    if (media?.mime_type) out.mimeType = media.mime_type;
  } else if (type === 'interactive') {
    const reply = m.interactive?.button_reply ?? m.interactive?.list_reply;
    out.text = reply?.title ?? '';
    if (reply?.id) out.payload = reply.id;
  } else if (type === 'button') {
    out.text = m.button?.text ?? '';
    if (m.button?.payload) out.payload = m.button.payload;
  } else if (type === 'location' && m.location) {
    const { latitude = 0, longitude = 0, name: place, address } = m.location;
    out.text = `📍 ${latitude},${longitude}${place ? ` ${place}` : ''}`;
    out.location = { latitude, longitude, ...(place ? { name: place } : {}), ...(address ? { address } : {}) };
  } else if (type === 'contacts') {
    out.text = (m.contacts ?? []).map(contactName).filter(Boolean).join(', ');
  } else if (type === 'reaction') {
    out.text = m.reaction?.emoji ?? '';
    if (m.reaction?.message_id) out.context = { id: m.reaction.message_id };
  }
  if (m.context?.id) out.context = { ...(m.context.from ? { from: m.context.from } : {}), id: m.context.id };
  return out;
}

export function normalizeStatus(s: GraphStatus, value: GraphValue): MessageStatusChangedPayload {
  const errors = (s.errors ?? []).map((e) => ({
    code: e.code ?? 0,
    title: e.title ?? e.message ?? 'Unknown error',
    ...(e.message ? { message: e.message } : {}),
    ...(e.error_data?.details ? { details: e.error_data.details } : {}),
  }));
  return {
    messageId: s.id ?? '',
    status: s.status ?? 'unknown',
    recipientId: s.recipient_id ?? '',
    phoneNumberId: value.metadata?.phone_number_id ?? '',
    timestamp: isoFromUnix(s.timestamp),
    ...(errors.length > 0 ? { errors } : {}),
  };
}

/** Every message and every status of every change of every entry is its own event. */
export function parseWhatsAppBody(body: unknown): ParsedEvent[] {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { entry?: unknown }).entry)) {
    throw new WebhookParseError('not a WhatsApp webhook: expected {"object":"whatsapp_business_account","entry":[…]}');
  }
  const events: ParsedEvent[] = [];
  for (const entry of (body as { entry: Array<{ changes?: Array<{ field?: string; value?: GraphValue }> }> }).entry) {
    for (const change of entry.changes ?? []) {
      if (change.field !== 'messages' || !change.value) continue;
      const value = change.value;
      for (const m of value.messages ?? []) {
        if (!m.id) continue;
        const payload = normalizeMessage(m, value);
        events.push({
          type: messageReceivedEvent,
          dedupeKey: m.id,
          keyKind: 'id',
          key: payload.phoneNumberId || null,
          payload,
          message: {
            direction: 'inbound',
            channel: 'whatsapp',
            from: payload.from,
            to: payload.phoneNumberId,
            text: payload.text,
            providerMessageId: m.id,
            status: 'received',
            conversationKey: payload.from,
          },
        });
      }
      for (const s of value.statuses ?? []) {
        if (!s.id || !s.status) continue;
        const payload = normalizeStatus(s, value);
        const err = payload.errors?.[0];
        events.push({
          type: messageStatusChangedEvent,
          dedupeKey: `${s.id}:${s.status}`,
          keyKind: 'id',
          key: payload.phoneNumberId || null,
          payload,
          messageStatus: {
            providerMessageId: s.id,
            status: s.status,
            ...(err ? { error: { code: err.code, message: `(#${err.code}) ${err.title}${err.details ? `: ${err.details}` : ''}` } } : {}),
          },
        });
      }
    }
  }
  return events;
}
