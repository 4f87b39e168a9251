// Tokopedia seller chat: client-credentials connection, signed chat webhooks, text replies.
import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import { defineProvider, ProviderError, ui, WebhookParseError, type WebhookRequest } from '../define.js';
import { boundedJson, header, plainText, safeEqual } from '../webhooks.js';
import { IP_WHITELIST_HINT, tokopediaCall, tokopediaToken } from './api.js';
import { tokopediaReplyText } from './send.js';

export const TOKOPEDIA_CHAT_EVENT = 'tokopedia.chat_message';
export const TOKOPEDIA_CHANNEL = 'tokopedia_chat';

const digitsId = (title: string) => z.string().trim().regex(/^\d+$/, 'digits only').register(ui, { title });

export const tokopediaAuth = z.object({
  fsId: digitsId('App id (fs_id)'),
  clientId: z.string().trim().min(1).register(ui, { title: 'Client id' }),
  clientSecret: z.string().trim().min(1).register(ui, { title: 'Client secret', secret: true }),
  shopId: digitsId('Shop id'),
  webhookSecret: z.string().min(1).register(ui, { title: 'Webhook secret', secret: true, description: 'The secret registered with the webhook URLs; signs every notification' }),
  authUrl: z.string().url().optional().register(ui, { title: 'Token endpoint base URL override', placeholder: 'https://accounts.tokopedia.com' }),
  baseUrl: z.string().url().optional().register(ui, { title: 'API base URL override', placeholder: 'https://fs.tokopedia.net' }),
});

export type TokopediaConnectionConfig = z.infer<typeof tokopediaAuth>;

export interface TokopediaAttachment {
  type: 'image' | 'product' | 'invoice';
  imageUrl?: string;
  product?: { productId: string; name: string; price: string; url?: string };
  invoice?: { invoiceId?: string; code?: string; title?: string; status?: string; total?: string; url?: string };
}

/** 50000 → "Rp 50.000"; a price Tokopedia already wrote as text stays as it is. */
export function formatRupiah(price: unknown): string {
  if (typeof price === 'number' && Number.isFinite(price)) return `Rp ${Math.round(price).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.')}`;
  return plainText(price) ?? '';
}

const str = (v: unknown): string | undefined => {
  const text = plainText(v);
  return text === '' ? undefined : text;
};

/**
 * Attachments as the (unconfirmed) payload describes them: `payload.attachment_type` 2 = image
 * (`payload.image.image_url`), 3 = product (`payload.product`). Invoices "arrive as separate messages";
 * we read them from `payload.invoice` or attachment type 7 — a guess, kept in this one function.
 */
export function readTokopediaAttachment(payload: unknown): TokopediaAttachment | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as Record<string, Record<string, unknown> | undefined> & { attachment_type?: unknown };
  const type = Number(plainText(p.attachment_type));
  if (type === 2 || (p.image && !p.product)) {
    const url = str(p.image?.image_url);
    return { type: 'image', ...(url ? { imageUrl: url } : {}) };
  }
  if (type === 3 || p.product) {
    const product = p.product ?? {};
    const imageUrl = str(product.image_url);
    return {
      type: 'product',
      ...(imageUrl ? { imageUrl } : {}),
      product: {
        productId: str(product.product_id) ?? '',
        name: str(product.name) ?? '',
        price: formatRupiah(product.price),
        ...(str(product.product_url) ? { url: str(product.product_url) } : {}),
      },
    };
  }
  if (type === 7 || p.invoice) {
    const inv = p.invoice ?? {};
    const invoice = Object.fromEntries(
      Object.entries({
        invoiceId: str(inv.invoice_id ?? inv.id),
        code: str(inv.code ?? inv.invoice_code),
        title: str(inv.title),
        status: str(inv.status),
        total: inv.total_amount === undefined ? undefined : formatRupiah(inv.total_amount),
        url: str(inv.invoice_url ?? inv.url),
      }).filter(([, v]) => v !== undefined),
    );
    const imageUrl = str(inv.image_url);
    return { type: 'invoice', ...(imageUrl ? { imageUrl } : {}), invoice };
  }
  return undefined;
}

/** What the message log and the flow see when the buyer sent only an attachment. */
export function describeTokopediaAttachment(a: TokopediaAttachment): string {
  if (a.type === 'product') return `[Product] ${a.product?.name ?? ''}${a.product?.price ? ` — ${a.product.price}` : ''}`.trim();
  if (a.type === 'image') return a.imageUrl ? `[Image] ${a.imageUrl}` : '[Image]';
  const inv = a.invoice ?? {};
  const name = inv.code ?? inv.title ?? inv.invoiceId ?? '';
  return `[Invoice] ${name}${inv.total ? ` — ${inv.total}` : ''}`.trim();
}

function readJsonBody(req: WebhookRequest): Record<string, unknown> {
  let body = req.body;
  if (typeof body !== 'object' || body === null || Buffer.isBuffer(body)) {
    try {
      body = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      throw new WebhookParseError('Tokopedia chat notification is not JSON');
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new WebhookParseError('Tokopedia chat notification must be a JSON object');
  return body as Record<string, unknown>;
}

export const tokopedia = defineProvider({
  id: 'tokopedia',
  messageStatuses: ['received', 'sent'],
  // All messages of one buyer form one thread, keyed by buyer_id.
  conversationKey: (address) => address.trim(),
  title: 'Tokopedia',
  auth: tokopediaAuth,
  setup: ({ webhookUrl, config }) =>
    [
      'Tokopedia sends chat messages only to a registered URL, and calls work only from whitelisted IPs:',
      '1. Ask Tokopedia to whitelist the public IP address of this server.',
      `2. Register the URLs with POST https://fs.tokopedia.net/v1/fs/${config.fsId ?? '{fs_id}'}/register and a JSON body such as`,
      `   {"chat_notification_url":"${webhookUrl}","webhook_secret":"<the webhook secret of this connection>", …}`,
      '   Send ALL your notification URLs (order_notification_url, …) every time: the ones you leave out are blanked.',
      '3. Use the same webhook secret here: every notification is checked against it (header Authorization-Hmac).',
    ].join('\n'),
  webhook: {
    verify(req, connection) {
      const secret = connection.config.webhookSecret;
      if (!secret) return { ok: false, reason: 'this connection has no webhook secret' };
      const got = header(req, 'authorization-hmac');
      if (!got) return { ok: false, reason: 'missing Authorization-Hmac header' };
      const expected = createHmac('sha256', secret).update(req.rawBody).digest('hex');
      return safeEqual(got.trim().toLowerCase(), expected) ? { ok: true } : { ok: false, reason: 'Authorization-Hmac does not match the webhook secret' };
    },
    parse(req) {
      const body = readJsonBody(req);
      const msgId = str(body.msg_id);
      const buyerId = str(body.buyer_id);
      const shopId = str(body.shop_id);
      if (!msgId || !buyerId || !shopId) throw new WebhookParseError('Tokopedia chat notification needs msg_id, buyer_id and shop_id');
      const message = typeof body.message === 'string' ? body.message : '';
      const attachment = readTokopediaAttachment(body.payload);
      const text = message.trim() !== '' ? message : attachment ? describeTokopediaAttachment(attachment) : '';
      const thumbnail = str(body.thumbnail);
      const payload = {
        msgId,
        buyerId,
        name: str(body.full_name) ?? '',
        text,
        shopId,
        ...(thumbnail ? { thumbnail } : {}),
        ...(attachment ? { attachment } : {}),
      };
      // msg_id may name the whole conversation rather than one message (unconfirmed, PROVIDERS.md):
      // the content hash keeps two different messages of one conversation apart.
      const content = createHash('sha256').update(boundedJson([message, body.payload ?? null, body.timestamp ?? body.reply_time ?? null])).digest('hex').slice(0, 16);
      return [
        {
          type: TOKOPEDIA_CHAT_EVENT,
          dedupeKey: `msg:${msgId}:${content}`,
          keyKind: 'content',
          subject: `msg:${msgId}`,
          payload,
          message: {
            direction: 'inbound',
            channel: TOKOPEDIA_CHANNEL,
            from: buyerId,
            to: shopId,
            text,
            providerMessageId: msgId,
            status: 'received',
            conversationKey: buyerId,
          },
        },
      ];
    },
  },
  async test(ctx) {
    try {
      await tokopediaToken(ctx);
      const { fsId, shopId } = ctx.connection.config;
      await tokopediaCall(ctx, { method: 'GET', path: `/v1/chat/fs/${fsId}/messages`, query: { shop_id: shopId, page: 1, per_page: 1 } });
      return { ok: true, message: `Connected: token issued and the chat list of shop ${shopId} is readable.` };
    } catch (err) {
      if (err instanceof ProviderError) {
        if (err.status === 403) return { ok: false, message: `${IP_WHITELIST_HINT} The IP address of this server must be whitelisted by Tokopedia. (${err.message})` };
        return { ok: false, message: err.message };
      }
      throw err;
    }
  },
  async reply(ctx, original, text) {
    // Tokopedia replies into a conversation the buyer started; its msg_id is kept as the message's provider id.
    const msgId = original.providerMessageId;
    if (original.channel !== TOKOPEDIA_CHANNEL || !msgId) {
      throw new ProviderError({ message: 'Only Tokopedia chat messages can be answered: a reply needs the msg_id of the buyer’s chat', code: 'no_msg_id', retryable: false, provider: 'tokopedia' });
    }
    const buyerId = original.conversationKey ?? (original.direction === 'inbound' ? original.from : original.to) ?? null;
    await tokopediaReplyText(ctx, msgId, text);
    return {
      direction: 'outbound',
      channel: TOKOPEDIA_CHANNEL,
      from: ctx.connection.config.shopId,
      to: buyerId,
      text,
      providerMessageId: msgId,
      status: 'sent',
      conversationKey: buyerId,
    };
  },
});
