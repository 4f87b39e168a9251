// retailcrm.send_chat_message: a text into a RetailCRM chat through the Message Gateway bot API.
import { z } from 'zod';
import { ui } from '../define.js';
import { retailcrmSendChatText } from './api.js';
import { retailcrm } from './provider.js';
import { retailcrmIdInput } from './schemas.js';

export const retailcrmSendChatMessage = retailcrm.action({
  id: 'retailcrm.send_chat_message',
  title: 'Send chat message',
  description: 'Sends a text into a RetailCRM chat (Message Gateway bot).',
  config: z.object({
    chatId: retailcrmIdInput().register(ui, { title: 'Chat id', mappable: true }),
    text: z.string().trim().min(1).register(ui, { title: 'Message', widget: 'template', mappable: true }),
  }),
  output: z.object({ messageId: z.string(), chatId: z.number(), time: z.string().optional() }),
  // Message Gateway cannot be asked whether a message went out: an unknown outcome ends uncertain.
  effect: 'write',
  sends: { channel: 'retailcrm', to: 'chatId', text: 'text' },
  async execute(ctx) {
    const chatId = Number(ctx.config.chatId);
    const sent = await retailcrmSendChatText(ctx, chatId, ctx.config.text);
    ctx.recordMessage({
      direction: 'outbound',
      channel: 'retailcrm_chat',
      to: String(chatId),
      text: ctx.config.text,
      providerMessageId: sent.messageId,
      status: 'sent',
      conversationKey: String(chatId),
    });
    return { messageId: sent.messageId, chatId, ...(sent.time ? { time: sent.time } : {}) };
  },
});
