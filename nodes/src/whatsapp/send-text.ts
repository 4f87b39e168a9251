// whatsapp.send_text: a free-form text, allowed within 24 hours of the customer's last message.
import { z } from 'zod';
import { ui } from '../define.js';
import { sendWhatsAppMessage } from './graph.js';
import { whatsapp } from './provider.js';

export const whatsappSendOutput = z.object({
  messageId: z.string(),
  /** The number as sent (digits). */
  to: z.string(),
  /** The recipient's WhatsApp id as WhatsApp resolved it. */
  waId: z.string(),
  status: z.string(),
});

export const whatsappSendText = whatsapp.action({
  id: 'whatsapp.send_text',
  title: 'Send WhatsApp text',
  description: 'Send a text message; WhatsApp delivers free-form text only within 24 hours of the customer’s last message.',
  config: z.object({
    to: z.string().min(1).register(ui, { title: 'To', mappable: true, placeholder: '+55 11 99876-5432' }),
    text: z.string().min(1).max(4096).register(ui, { title: 'Message', widget: 'template', mappable: true }),
    previewUrl: z.boolean().default(false).register(ui, { title: 'Show link preview', widget: 'switch' }),
  }),
  output: whatsappSendOutput,
  // The Cloud API cannot be asked whether a message went out: an unknown outcome ends uncertain.
  effect: 'write',
  sends: true,
  async execute({ config, connection, http, recordMessage }) {
    const sent = await sendWhatsAppMessage(http, connection, config.to, { type: 'text', text: { body: config.text, preview_url: config.previewUrl } });
    recordMessage({
      direction: 'outbound',
      channel: 'whatsapp',
      from: connection.config.phoneNumberId,
      to: sent.waId,
      text: config.text,
      providerMessageId: sent.messageId,
      status: sent.status,
      conversationKey: sent.waId,
    });
    return sent;
  },
});
