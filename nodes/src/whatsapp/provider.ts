// WhatsApp Business Cloud API (Meta Graph API): connection, webhook challenge and signature, test, template list, replies.
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { defineProvider, ProviderError, ui, WebhookParseError } from '../define.js';
import { header, queryValue, safeEqual } from '../webhooks.js';
import { parseWhatsAppBody } from './events.js';
import { defaultApiVersion, graphRequest, sendWhatsAppMessage, waDigits } from './graph.js';
import { listTemplates } from './templates.js';

const dayMs = 24 * 60 * 60 * 1000;

/** `sha256=` + lowercase hex HMAC-SHA256(appSecret, rawBody): the X-Hub-Signature-256 header. */
export function whatsappSignature(appSecret: string, rawBody: Buffer | string): string {
  return 'sha256=' + createHmac('sha256', appSecret).update(rawBody).digest('hex');
}

export const whatsapp = defineProvider({
  id: 'whatsapp',
  // Cloud API statuses of a business message; 'received' for the customer's own messages.
  messageStatuses: ['received', 'sent', 'failed', 'delivered', 'read', 'deleted'],
  // Inbound messages are keyed by the customer's wa_id: the digits of their number.
  conversationKey: (address) => waDigits(address.trim()),
  title: 'WhatsApp Cloud API',
  auth: z.object({
    accessToken: z.string().min(1).register(ui, { title: 'Access token', description: 'A system user token with whatsapp_business_messaging', secret: true }),
    appSecret: z.string().min(1).register(ui, { title: 'App secret', description: 'Meta app › App settings › Basic › App secret', secret: true }),
    verifyToken: z.string().min(1).register(ui, { title: 'Verify token', description: 'Any string; enter the same one in the Meta app’s webhook configuration' }),
    phoneNumberId: z.string().regex(/^\d+$/, 'The phone number ID is a number (WhatsApp › API Setup)').register(ui, { title: 'Phone number ID' }),
    wabaId: z
      .string()
      .regex(/^\d+$/, 'The WhatsApp Business Account ID is a number (WhatsApp › API Setup)')
      .optional()
      .register(ui, { title: 'WhatsApp Business Account ID', description: 'WhatsApp › API Setup › WhatsApp Business Account ID; needed to pick message templates' }),
    apiVersion: z
      .string()
      .regex(/^v\d+\.\d+$/, 'A Graph API version such as v21.0')
      .default(defaultApiVersion)
      .register(ui, { title: 'Graph API version', placeholder: defaultApiVersion }),
    baseUrl: z.string().url().optional().register(ui, { title: 'API base URL', placeholder: 'https://graph.facebook.com' }),
  }),
  setup: ({ webhookUrl, config }) =>
    [
      `In your Meta app, open WhatsApp › Configuration › Webhook › Edit: set the Callback URL to ${webhookUrl} ` +
        `and the Verify token to ${config.verifyToken ? `"${config.verifyToken}"` : 'this connection’s verify token'}, then Verify and save.`,
      'Under Webhook fields, subscribe to "messages" (it carries both incoming messages and delivery statuses).',
    ].join('\n'),
  webhook: {
    challenge(req, connection) {
      if (req.method !== 'GET') return null;
      const mode = queryValue(req, 'hub.mode');
      const token = queryValue(req, 'hub.verify_token') ?? '';
      const challenge = queryValue(req, 'hub.challenge') ?? '';
      if (mode === 'subscribe' && safeEqual(token, connection.config.verifyToken)) {
        return { status: 200, contentType: 'text/plain', body: challenge };
      }
      return { status: 403, contentType: 'text/plain', body: 'verify token does not match' };
    },
    verify(req, connection) {
      const signature = header(req, 'x-hub-signature-256');
      if (!signature) return { ok: false, reason: 'missing X-Hub-Signature-256 header' };
      return safeEqual(signature.toLowerCase(), whatsappSignature(connection.config.appSecret, req.rawBody))
        ? { ok: true }
        : { ok: false, reason: 'X-Hub-Signature-256 does not match the body (check the app secret)' };
    },
    parse(req) {
      if (req.method !== 'POST') throw new WebhookParseError('WhatsApp events are POST requests');
      let body = req.body;
      if (typeof body !== 'object' || body === null || Buffer.isBuffer(body)) {
        try {
          body = JSON.parse(req.rawBody.toString('utf8'));
        } catch {
          throw new WebhookParseError('the body is not JSON');
        }
      }
      return parseWhatsAppBody(body);
    },
  },
  async test({ connection, http }) {
    try {
      const phone = (await graphRequest(http, connection, 'GET', `${connection.config.phoneNumberId}?fields=display_phone_number,verified_name`)) as {
        display_phone_number?: string;
        verified_name?: string;
      };
      return { ok: true, message: `Connected to ${phone.verified_name ?? 'WhatsApp'} (${phone.display_phone_number ?? connection.config.phoneNumberId}).` };
    } catch (err) {
      if (!(err instanceof ProviderError)) throw err;
      if (err.code === 190) return { ok: false, message: `WhatsApp rejected the access token (190): ${err.message}` };
      return { ok: false, message: `WhatsApp test failed (${String(err.code)}): ${err.message}` };
    }
  },
  options: {
    templates: ({ connection, http }) => listTemplates(http, connection),
  },
  async reply({ connection, http }, original, text) {
    if (!original.lastInboundAt || Date.now() - original.lastInboundAt.getTime() > dayMs) {
      throw new ProviderError({
        message: 'WhatsApp allows free-form replies only within 24 hours of the customer’s last message; send a template instead',
        code: 131047,
        retryable: false,
        provider: 'whatsapp',
      });
    }
    const customer = original.direction === 'inbound' ? original.from : original.to;
    if (!customer) throw new ProviderError({ message: 'This message has no customer number to reply to.', code: 'no_address', retryable: false, provider: 'whatsapp' });
    // Answer from the number the customer wrote to (inbound `to` is its phone number id).
    const ours = (original.direction === 'inbound' ? original.to : original.from) ?? connection.config.phoneNumberId;
    const from = /^\d+$/.test(ours) ? ours : connection.config.phoneNumberId;
    const sent = await sendWhatsAppMessage(http, { ...connection, config: { ...connection.config, phoneNumberId: from } }, customer, {
      type: 'text',
      text: { body: text, preview_url: false },
    });
    return {
      direction: 'outbound',
      channel: 'whatsapp',
      from,
      to: sent.waId,
      text,
      providerMessageId: sent.messageId,
      status: sent.status,
      conversationKey: sent.waId,
    };
  },
});
