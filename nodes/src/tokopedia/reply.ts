// tokopedia.reply: a text answer in the chat a buyer started.
import { z } from 'zod';
import { ProviderError, ui } from '../define.js';
import { tokopedia, TOKOPEDIA_CHANNEL } from './provider.js';
import { tokopediaReplyText } from './send.js';

const blank = (v: string | number | undefined) => v === undefined || String(v).trim() === '';

export const tokopediaReply = tokopedia.action({
  id: 'tokopedia.reply',
  title: 'Reply in chat',
  description: 'Answers a buyer’s chat with text. Tokopedia lets a seller only reply to a chat the buyer started.',
  config: z.object({
    text: z.string().trim().min(1).register(ui, { title: 'Message', widget: 'template', mappable: true }),
    msgId: z
      .union([z.string(), z.number()])
      .optional()
      .register(ui, { title: 'Reply to (msg_id)', mappable: true, placeholder: '{{ trigger.msgId }}', description: 'The msg_id of the buyer’s message; empty: the chat message that started the run ({{ trigger.msgId }})' }),
    buyerId: z
      .union([z.string(), z.number()])
      .optional()
      .register(ui, { title: 'Buyer id (for the message log)', mappable: true, placeholder: '{{ trigger.buyerId }}' }),
    attachmentUrl: z.string().optional().register(ui, { title: 'Attachment URL', description: 'Not supported by Tokopedia: replies are text only' }),
  }),
  output: z.object({ msgId: z.string(), text: z.string() }),
  effect: 'write',
  sends: { channel: 'tokopedia', to: 'msgId', text: 'text' },
  // Left empty, the reply answers the chat message that started the run.
  templateDefaults: { msgId: '{{ trigger.msgId }}', buyerId: '{{ trigger.buyerId }}' },
  async execute(ctx) {
    const { text, msgId, buyerId, attachmentUrl } = ctx.config;
    if (!blank(attachmentUrl)) {
      throw new ProviderError({
        message: 'Tokopedia chat replies are text only: files, images and GIFs cannot be sent. Put a link in the text instead.',
        code: 'attachments_not_supported',
        retryable: false,
        provider: 'tokopedia',
      });
    }
    if (blank(msgId) || /\{\{/.test(String(msgId))) {
      throw new ProviderError({
        message: 'No msg_id to reply to: a Tokopedia seller can only reply to a chat the buyer started. Set "Reply to" to {{ trigger.msgId }} of a "Chat message received" trigger.',
        code: 'no_msg_id',
        retryable: false,
        provider: 'tokopedia',
      });
    }
    const id = String(msgId).trim();
    await tokopediaReplyText(ctx, id, text);
    const buyer = blank(buyerId) ? null : String(buyerId).trim();
    ctx.recordMessage({
      direction: 'outbound',
      channel: TOKOPEDIA_CHANNEL,
      from: ctx.connection.config.shopId,
      to: buyer,
      text,
      // Tokopedia's answer carries no id of its own (unconfirmed): keep the conversation's msg_id so the log can reply again.
      providerMessageId: id,
      status: 'sent',
      conversationKey: buyer,
    });
    return { msgId: id, text };
  },
});
