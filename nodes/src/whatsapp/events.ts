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

// The parts of the Graph webhook payload that are read, as a lenient schema: a field of the wrong type is
// dropped (as if absent), an item that is no object is skipped; everything else is ignored. Linear, never throws.
const text = z.union([z.string(), z.number()]).transform(String).optional().catch(undefined);
const num = z.number().finite().optional().catch(undefined);
const lenient = <T extends z.ZodRawShape>(shape: T) => z.object(shape).optional().catch(undefined);
const items = <T extends z.ZodType>(item: T) =>
  z
    .array(item.nullable().catch(null))
    .catch([])
    .optional()
    .transform((list) => (list ?? []).filter((x): x is NonNullable<z.infer<T>> => x !== null && x !== undefined));

const media = lenient({ id: text, mime_type: text, caption: text, filename: text });
const graphMessage = z.object({
  from: text,
  id: text,
  timestamp: text,
  type: text,
  text: lenient({ body: text }),
  image: media,
  audio: media,
  video: media,
  document: media,
  sticker: media,
  interactive: lenient({ type: text, button_reply: lenient({ id: text, title: text }), list_reply: lenient({ id: text, title: text, description: text }) }),
  button: lenient({ text, payload: text }),
  location: lenient({ latitude: num, longitude: num, name: text, address: text }),
  contacts: items(z.object({ name: lenient({ formatted_name: text, first_name: text, last_name: text }), phones: items(z.object({ phone: text })) })),
  reaction: lenient({ message_id: text, emoji: text }),
  context: lenient({ from: text, id: text }),
});
const graphStatus = z.object({
  id: text,
  status: text,
  timestamp: text,
  recipient_id: text,
  errors: items(z.object({ code: num, title: text, message: text, error_data: lenient({ details: text }) })),
});
const graphValue = z.object({
  metadata: lenient({ display_phone_number: text, phone_number_id: text }),
  contacts: items(z.object({ profile: lenient({ name: text }), wa_id: text })),
  messages: items(graphMessage),
  statuses: items(graphStatus),
});
const graphBody = z.object({
  entry: z.array(z.object({ changes: items(z.object({ field: text, value: graphValue.optional().catch(undefined) })) }).nullable().catch(null)),
});

type GraphMessage = z.infer<typeof graphMessage>;
type GraphStatus = z.infer<typeof graphStatus>;
type GraphValue = z.infer<typeof graphValue>;

const mediaTypes = ['image', 'audio', 'video', 'document', 'sticker'] as const;

/** Unix seconds as ISO 8601; a time no Date can hold (or none) is the time of receipt. */
function isoFromUnix(ts: string | undefined): string {
  const ms = Number(ts) * 1000;
  return new Date(ts && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : Date.now()).toISOString();
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
  const read = graphBody.safeParse(body);
  if (!read.success) throw new WebhookParseError('not a WhatsApp webhook: expected {"object":"whatsapp_business_account","entry":[…]}');
  const events: ParsedEvent[] = [];
  for (const entry of read.data.entry) {
    for (const change of entry?.changes ?? []) {
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
