// twilio.send_whatsapp: free-form WhatsApp text (inside the 24-hour window) or a Content template.
import { z } from 'zod';
import { ProviderError, ui } from '../define.js';
import { findTwilioMessage, sendTwilioMessage, whatsappAddress, type SendInput } from './client.js';
import { twilio } from './provider.js';
import { twilioSendOutput } from './send-sms.js';

const whatsappConfig = z.object({
  from: z.string().min(1).register(ui, { title: 'From (WhatsApp sender)', options: 'senders', placeholder: '+14155238886' }),
  to: z.string().min(1).register(ui, { title: 'To', mappable: true, placeholder: '+5511998765432' }),
  body: z.string().max(1600).optional().register(ui, { title: 'Message', widget: 'template', mappable: true }),
  contentSid: z
    .string()
    .regex(/^HX[0-9a-fA-F]{32}$/, 'A Content SID starts with HX followed by 32 hexadecimal characters')
    .optional()
    .register(ui, { title: 'Content template', options: 'contentTemplates', placeholder: 'HX…', description: 'Needed outside the 24-hour window' }),
  contentVariables: z
    .record(z.string(), z.union([z.string(), z.number()]))
    .optional()
    .register(ui, { title: 'Template variables', description: 'Variable number → value, e.g. 1 → {{ trigger.id }}', mappable: true, variablesOf: 'contentSid' }),
});

function whatsappInput(config: z.infer<typeof whatsappConfig>): SendInput {
  if (!config.body?.trim() && !config.contentSid) {
    throw new ProviderError({ message: 'Give a message text or a Content template SID.', code: 'invalid_config', retryable: false, provider: 'twilio' });
  }
  return {
    channel: 'whatsapp',
    from: whatsappAddress(config.from),
    to: whatsappAddress(config.to),
    body: config.contentSid ? undefined : config.body,
    contentSid: config.contentSid,
    contentVariables: config.contentVariables,
  };
}

export const twilioSendWhatsapp = twilio.action({
  id: 'twilio.send_whatsapp',
  title: 'Send WhatsApp message',
  description: 'Send a WhatsApp message with Twilio: free-form text within 24 hours of the customer’s last message, else a Content template.',
  config: whatsappConfig,
  output: twilioSendOutput,
  effect: 'write',
  sends: { channel: 'whatsapp', to: 'to', from: 'from', text: 'body', template: 'contentSid', variables: { field: 'contentVariables', as: 'record' }, messageId: 'sid', echoes: { to: 'to', from: 'from' } },
  // Free-form texts are looked up like SMS; a template's text is not known here, so its unknown outcome ends uncertain.
  async reconcile({ config, connection, recordMessage, attemptStartedAt, knownMessageIds }) {
    const found = await findTwilioMessage(connection, whatsappInput(config), attemptStartedAt, knownMessageIds);
    if (!found) return { done: false };
    recordMessage(found.record);
    return { done: true, output: found.result };
  },
  async execute({ config, connection, recordMessage }) {
    const { result, record } = await sendTwilioMessage(connection, whatsappInput(config));
    recordMessage(record);
    return result;
  },
});
