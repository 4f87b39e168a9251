// Twilio Programmable Messaging (SMS and WhatsApp): connection, webhooks, test, sender and template lists, replies.
import { z } from 'zod';
import { defineProvider, ProviderError, ui, WebhookParseError, type ParsedEvent, type VerifyResult, type WebhookRequest } from '../define.js';
import { formOf, header } from '../webhooks.js';
import { asProviderError, sendTwilioMessage, toE164, twilioClient, whatsappAddress, type TwilioAuth } from './client.js';
import {
  first,
  inboundPayload,
  isStatusCallback,
  messageReceivedEvent,
  messageStatusChangedEvent,
  statusPayload,
  stripChannelPrefix,
  type FormParams,
} from './events.js';
import { listContentTemplates } from './content-templates.js';
import { validateTwilioBodyHash, validateTwilioSignature } from './signature.js';

export const emptyTwiml = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

const dayMs = 24 * 60 * 60 * 1000;

const formParams = (req: WebhookRequest): FormParams => formOf(req);

function verifyTwilio(req: WebhookRequest, config: TwilioAuth): VerifyResult {
  const signature = header(req, 'x-twilio-signature');
  if (!signature) return { ok: false, reason: 'missing X-Twilio-Signature header' };
  const url = config.publicUrl ?? req.url;
  const contentType = header(req, 'content-type') ?? '';
  if (contentType.includes('json')) {
    const ok = validateTwilioBodyHash(url, req.rawBody) && validateTwilioSignature(config.authToken, signature, url, {});
    return ok ? { ok: true } : { ok: false, reason: 'X-Twilio-Signature or bodySHA256 does not match' };
  }
  return validateTwilioSignature(config.authToken, signature, url, formParams(req))
    ? { ok: true }
    : { ok: false, reason: `X-Twilio-Signature does not match ${url} (behind a proxy? set the public webhook URL)` };
}

/** Whether the request is a status callback (a body that cannot be read counts as none: it gets TwiML). */
function isStatusCallbackRequest(req: WebhookRequest): boolean {
  try {
    return isStatusCallback(formParams(req));
  } catch {
    return false;
  }
}

/** An inbound message or a status callback, from the form Twilio posted. */
function parseTwilio(params: FormParams): ParsedEvent[] {
  const sid = first(params, 'MessageSid') ?? first(params, 'SmsSid') ?? first(params, 'SmsMessageSid');
  if (!sid) throw new WebhookParseError('not a Twilio messaging webhook: MessageSid is missing');
  if (isStatusCallback(params)) {
    const payload = statusPayload(params, sid);
    const event: ParsedEvent = {
      type: messageStatusChangedEvent,
      dedupeKey: `${sid}:${payload.status}`,
      keyKind: 'id',
      payload,
      messageStatus: {
        providerMessageId: sid,
        status: payload.status,
        ...(payload.errorCode !== undefined || payload.errorMessage
          ? { error: { code: payload.errorCode, message: payload.errorMessage ?? `Twilio error ${payload.errorCode}` } }
          : {}),
      },
    };
    return [event];
  }
  const payload = inboundPayload(params, sid);
  const from = first(params, 'From') ?? '';
  return [
    {
      type: messageReceivedEvent,
      dedupeKey: sid,
      keyKind: 'id',
      payload,
      message: { direction: 'inbound', channel: payload.channel, from, to: first(params, 'To') ?? null, text: payload.body, providerMessageId: sid, status: 'received', conversationKey: from },
    },
  ];
}

export const twilio = defineProvider({
  id: 'twilio',
  // Twilio's message statuses (MessageStatus), in the order a message moves through them.
  // Inbound messages are keyed by `From` as Twilio sends it: E.164, with `whatsapp:` for WhatsApp senders.
  conversationKey: (address) => toE164(address),
  messageStatuses: ['receiving', 'received', 'accepted', 'scheduled', 'queued', 'sending', 'sent', 'failed', 'undelivered', 'partially_delivered', 'delivered', 'read', 'canceled'],
  title: 'Twilio',
  auth: z.object({
    accountSid: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'An Account SID starts with AC followed by 32 hexadecimal characters')
      .register(ui, { title: 'Account SID', placeholder: 'AC…' }),
    authToken: z.string().min(1).register(ui, { title: 'Auth token', secret: true }),
    publicUrl: z
      .string()
      .url()
      .optional()
      .register(ui, {
        title: 'Public webhook URL',
        description: 'Only behind a proxy that changes the URL: the exact URL configured in Twilio, which Twilio signs',
      }),
    baseUrl: z.string().url().optional().register(ui, { title: 'API base URL', placeholder: 'https://api.twilio.com' }),
  }),
  setup: ({ webhookUrl }) =>
    [
      `In the Twilio Console, open Phone Numbers › Manage › Active numbers › your number › Messaging configuration, ` +
        `and set "A message comes in" to Webhook, ${webhookUrl}, HTTP POST (for WhatsApp senders: the sender's webhook URL).`,
      `Set the status callback URL (number, sender or Messaging Service) to the same URL; messages sent from Bundles ask for status callbacks there by themselves.`,
      `If a proxy in front of Bundles changes the URL Twilio calls, enter that exact URL as "Public webhook URL": Twilio signs it.`,
    ].join('\n'),
  webhook: {
    verify(req, connection) {
      try {
        return verifyTwilio(req, connection.config);
      } catch (err) {
        // A body that cannot be decoded cannot be signed either (the server refuses such a form before).
        return { ok: false, reason: `the body cannot be read to check X-Twilio-Signature: ${(err as Error).message}` };
      }
    },
    parse(req) {
      if (req.method !== 'POST') throw new WebhookParseError('Twilio webhooks are POST requests');
      if (!(header(req, 'content-type') ?? '').toLowerCase().includes('application/x-www-form-urlencoded')) {
        throw new WebhookParseError('Twilio messaging webhooks are form posts (application/x-www-form-urlencoded)');
      }
      return parseTwilio(formParams(req));
    },
    respond(events, req) {
      const inbound = events.length > 0 ? events.some((e) => e.type === messageReceivedEvent) : !isStatusCallbackRequest(req);
      return inbound ? { status: 200, contentType: 'text/xml', body: emptyTwiml } : { status: 200, contentType: 'text/plain', body: '' };
    },
  },
  async test({ connection }) {
    try {
      const client = await twilioClient(connection);
      const account = await client.api.v2010.accounts(connection.config.accountSid).fetch();
      return { ok: true, message: `Connected to Twilio account "${account.friendlyName}" (${account.status}).` };
    } catch (err) {
      const e = asProviderError(err);
      if (e.code === 20003) {
        return { ok: false, message: `Twilio rejected the credentials (20003): ${e.message}. Check the Account SID and auth token in the Twilio Console.` };
      }
      return { ok: false, message: `Twilio test failed (${String(e.code)}): ${e.message}` };
    }
  },
  options: {
    async senders({ connection }) {
      const client = await twilioClient(connection);
      let numbers;
      try {
        numbers = await client.incomingPhoneNumbers.list({ limit: 1000 });
      } catch (err) {
        throw asProviderError(err);
      }
      return numbers.map((n) => ({
        value: n.phoneNumber,
        label: n.friendlyName && n.friendlyName !== n.phoneNumber ? `${n.phoneNumber} (${n.friendlyName})` : n.phoneNumber,
      }));
    },
    contentTemplates: ({ connection }) => listContentTemplates(connection),
  },
  async reply({ connection }, original, text) {
    const channel = original.channel === 'whatsapp' ? 'whatsapp' : 'sms';
    const customer = original.direction === 'inbound' ? original.from : original.to;
    const ours = original.direction === 'inbound' ? original.to : original.from;
    if (!customer || !ours) {
      throw new ProviderError({ message: 'This message has no sender and recipient to reply between.', code: 'no_address', retryable: false, provider: 'twilio' });
    }
    if (channel === 'whatsapp' && (!original.lastInboundAt || Date.now() - original.lastInboundAt.getTime() > dayMs)) {
      throw new ProviderError({
        message: 'WhatsApp allows free-form replies only within 24 hours of the customer’s last message; send a template (Content SID) instead',
        code: 63016,
        retryable: false,
        provider: 'twilio',
      });
    }
    const { record } = await sendTwilioMessage(connection, {
      channel,
      from: channel === 'whatsapp' ? whatsappAddress(ours) : stripChannelPrefix(ours),
      to: channel === 'whatsapp' ? whatsappAddress(customer) : stripChannelPrefix(customer),
      body: text,
    });
    return record;
  },
});
