// RetailCRM: API key connection, order triggers posted by RetailCRM's "HTTP request" trigger action, chats via Message Gateway.
import { z } from 'zod';
import { defineProvider, ProviderError, ui, WebhookParseError, type WebhookRequest } from '../define.js';
import { decodeForm, plainText } from '../webhooks.js';
import { normalizeDomain, retailcrmCall, retailcrmSendChatText } from './api.js';

export const RETAILCRM_TRIGGER_BODY =
  'type=order&status={{ changeSet.getNewValue("status").getCode() }}&id={{ order.id }}&event={% if changeSet.isCreate() %}new{% else %}status{% endif %}';

export const RETAILCRM_ORDER_EVENT = 'retailcrm.order_changed';

export const retailcrmAuth = z.object({
  domain: z.string().trim().min(3).register(ui, { title: 'Account domain', placeholder: 'myshop.retailcrm.ru', description: 'The full domain of your RetailCRM account' }),
  apiKey: z.string().trim().min(1).register(ui, { title: 'API key', secret: true, description: 'Settings → Integration → API keys' }),
  site: z.string().trim().min(1).optional().register(ui, { title: 'Shop code', description: 'Needed when the key reaches more than one shop' }),
  mgHost: z.string().trim().min(1).optional().register(ui, { title: 'Message Gateway host', description: 'For chat messages, e.g. mg-s1.retailcrm.pro' }),
  mgToken: z.string().trim().min(1).optional().register(ui, { title: 'Message Gateway bot token', secret: true }),
  baseUrl: z.string().url().optional().register(ui, { title: 'API base URL override', description: 'Replaces https://{domain}; /api/v5 is appended' }),
  mgBaseUrl: z.string().url().optional().register(ui, { title: 'Message Gateway base URL override', description: 'Replaces https://{mgHost}' }),
});

export type RetailcrmConnectionConfig = z.infer<typeof retailcrmAuth>;

function firstValue(value: unknown): string | undefined {
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) {
    const text = plainText(v)?.trim();
    if (text) return text;
  }
  return undefined;
}

/** The trigger's fields, whether the server parsed a form, JSON, or left only the raw bytes; query fields fill gaps. */
function retailcrmTriggerFields(req: WebhookRequest): Record<string, unknown> {
  let body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Buffer.isBuffer(body)) {
    const raw = (typeof body === 'string' ? body : req.rawBody.toString('utf8')).trim();
    if (raw.startsWith('{')) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw new WebhookParseError('RetailCRM trigger body looks like JSON but does not parse');
      }
    } else {
      body = decodeForm(raw);
    }
  }
  return { ...req.query, ...(body as Record<string, unknown>) };
}

/** RetailCRM's template says `new` on creation; anything else is a status change. */
function eventKind(value: string | undefined): 'new' | 'status' {
  return value && /^(new|create|created)$/i.test(value) ? 'new' : 'status';
}

export const retailcrm = defineProvider({
  id: 'retailcrm',
  messageStatuses: ['sent'],
  // RetailCRM refuses integration names shorter than 5 characters.
  connectionName: { minLength: 5 },
  title: 'RetailCRM',
  auth: retailcrmAuth,
  setup: ({ webhookUrl }) =>
    [
      'In RetailCRM open Settings → Triggers and create a trigger:',
      '1. Event: "order changed" (add a condition, e.g. the status changed, if you wish).',
      '2. Action: "HTTP request", method POST, URL:',
      `   ${webhookUrl}`,
      '3. Body, exactly:',
      `   ${RETAILCRM_TRIGGER_BODY}`,
      'The request is not signed: keep the URL secret, it is the only key.',
      'For chat messages, fill in the Message Gateway host and bot token.',
    ].join('\n'),
  webhook: {
    // RetailCRM's trigger requests are unsigned: the unguessable secret in the URL is checked by the server.
    verify: () => ({ ok: true }),
    parse(req) {
      const fields = retailcrmTriggerFields(req);
      const id = firstValue(fields.id);
      if (!id) {
        throw new WebhookParseError(`RetailCRM trigger request has no order "id": set the trigger's body to ${RETAILCRM_TRIGGER_BODY}`);
      }
      const event = eventKind(firstValue(fields.event));
      const status = firstValue(fields.status) ?? '';
      const type = firstValue(fields.type);
      return [
        {
          type: RETAILCRM_ORDER_EVENT,
          // RetailCRM repeats a trigger request it considers failed: the same change keeps its key. The key
          // is the body's content, so the same status again after another one (paid → cancelled → paid) is new.
          dedupeKey: `order:${id}:${event}:${status}`,
          keyKind: 'content',
          subject: `order:${id}`,
          payload: { id, status, event, ...(type ? { type } : {}) },
        },
      ];
    },
  },
  async test(ctx) {
    try {
      const body = await retailcrmCall(ctx, { method: 'GET', path: '/credentials' });
      const sites = Array.isArray(body.sitesAvailable) ? body.sitesAvailable.map(String) : [];
      const domain = ctx.connection.config.baseUrl ?? normalizeDomain(ctx.connection.config.domain);
      const site = ctx.connection.config.site;
      if (site && sites.length > 0 && !sites.includes(site)) {
        return { ok: false, message: `The API key works, but it does not reach the shop "${site}": it reaches ${sites.join(', ')}. Fix the shop code.` };
      }
      if (!site && sites.length > 1) {
        return { ok: true, message: `Connected to ${domain}. The key reaches several shops (${sites.join(', ')}): set the shop code to choose one.` };
      }
      return { ok: true, message: `Connected to ${domain}${sites.length ? `: shop ${sites.join(', ')}` : ''}.` };
    } catch (err) {
      if (err instanceof ProviderError) {
        if (err.status === 403) return { ok: false, message: `RetailCRM refused the API key (${err.message}).` };
        return { ok: false, message: err.message };
      }
      throw err;
    }
  },
  options: {
    async statuses(ctx) {
      const body = await retailcrmCall(ctx, { method: 'GET', path: '/reference/statuses' });
      const statuses = (body.statuses ?? {}) as Record<string, { code?: string; name?: string; active?: boolean; ordering?: number }>;
      return Object.entries(statuses)
        .map(([code, s]) => ({ code: s.code ?? code, name: s.name ?? code, active: s.active !== false, ordering: s.ordering ?? 0 }))
        .filter((s) => s.active)
        .sort((a, b) => a.ordering - b.ordering)
        .map((s) => ({ value: s.code, label: `${s.name} (${s.code})` }));
    },
  },
  async reply(ctx, original, text) {
    // Only Message Gateway chats can be answered; the conversation key is the chat id.
    const chatId = Number(original.conversationKey);
    if (original.channel !== 'retailcrm_chat' || !Number.isInteger(chatId) || chatId <= 0) {
      throw new ProviderError({ message: 'Only RetailCRM chat messages can be answered from the message log', code: 'not_a_chat', retryable: false, provider: 'retailcrm' });
    }
    const sent = await retailcrmSendChatText(ctx, chatId, text);
    return {
      direction: 'outbound',
      channel: 'retailcrm_chat',
      to: String(chatId),
      text,
      providerMessageId: sent.messageId,
      status: 'sent',
      conversationKey: String(chatId),
    };
  },
});
