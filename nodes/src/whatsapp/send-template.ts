// whatsapp.send_template: an approved template with body parameters, allowed at any time.
import { z } from 'zod';
import { ui } from '../define.js';
import { sendWhatsAppMessage } from './graph.js';
import { whatsapp } from './provider.js';
import { whatsappSendOutput } from './send-text.js';

export const whatsappSendTemplate = whatsapp.action({
  id: 'whatsapp.send_template',
  title: 'Send WhatsApp template',
  description: 'Send an approved message template; the only way to write to a customer outside the 24-hour window.',
  config: z.object({
    to: z.string().min(1).register(ui, { title: 'To', mappable: true, placeholder: '+55 11 99876-5432' }),
    template: z.string().min(1).register(ui, { title: 'Template name', placeholder: 'order_update' }),
    language: z.string().min(2).default('en_US').register(ui, { title: 'Language code', placeholder: 'pt_BR' }),
    parameters: z
      .array(z.union([z.string(), z.number()]))
      .default([])
      .register(ui, { title: 'Body parameters', description: 'Values of {{1}}, {{2}} … in order', mappable: true }),
  }),
  output: whatsappSendOutput,
  // The Cloud API cannot be asked whether a message went out: an unknown outcome ends uncertain.
  effect: 'write',
  sends: true,
  async execute({ config, connection, http, recordMessage }) {
    const parameters = config.parameters.map((p) => ({ type: 'text', text: String(p) }));
    const sent = await sendWhatsAppMessage(http, connection, config.to, {
      type: 'template',
      template: {
        name: config.template,
        language: { code: config.language },
        ...(parameters.length > 0 ? { components: [{ type: 'body', parameters }] } : {}),
      },
    });
    recordMessage({
      direction: 'outbound',
      channel: 'whatsapp',
      from: connection.config.phoneNumberId,
      to: sent.waId,
      text: `[template ${config.template}] ${config.parameters.join(' | ')}`.trim(),
      providerMessageId: sent.messageId,
      status: sent.status,
      conversationKey: sent.waId,
    });
    return sent;
  },
});
