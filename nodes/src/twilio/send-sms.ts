// twilio.send_sms: one SMS from one of the account's numbers.
import { z } from 'zod';
import { ui } from '../define.js';
import { sendTwilioMessage, toE164 } from './client.js';
import { twilio } from './provider.js';

export const twilioSendOutput = z.object({
  sid: z.string(),
  status: z.string(),
  to: z.string(),
  from: z.string(),
  segments: z.number(),
  dateCreated: z.string(),
});

export const twilioSendSms = twilio.action({
  id: 'twilio.send_sms',
  title: 'Send SMS',
  description: 'Send a text message with Twilio.',
  config: z.object({
    from: z.string().min(1).register(ui, { title: 'From number', options: 'senders', placeholder: '+15550002222' }),
    to: z.string().min(1).register(ui, { title: 'To', mappable: true, placeholder: '+5511998765432' }),
    body: z.string().min(1).max(1600).register(ui, { title: 'Message', widget: 'template', sms: true, mappable: true }),
  }),
  output: twilioSendOutput,
  async execute({ config, connection, recordMessage }) {
    const { result, record } = await sendTwilioMessage(connection, { channel: 'sms', from: toE164(config.from), to: toE164(config.to), body: config.body });
    recordMessage(record);
    return result;
  },
});
