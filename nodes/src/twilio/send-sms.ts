// twilio.send_sms: one SMS from one of the account's numbers.
import { z } from 'zod';
import { ui } from '../define.js';
import { findTwilioMessage, sendTwilioMessage, toE164, type SendInput } from './client.js';
import { twilio } from './provider.js';

export const twilioSendOutput = z.object({
  sid: z.string(),
  status: z.string(),
  to: z.string(),
  from: z.string(),
  segments: z.number(),
  dateCreated: z.string(),
});

const smsConfig = z.object({
  from: z.string().min(1).register(ui, { title: 'From number', options: 'senders', placeholder: '+15550002222' }),
  to: z.string().min(1).register(ui, { title: 'To', mappable: true, placeholder: '+5511998765432' }),
  body: z.string().min(1).max(1600).register(ui, { title: 'Message', widget: 'template', sms: true, mappable: true }),
});

const smsInput = (config: z.infer<typeof smsConfig>): SendInput => ({ channel: 'sms', from: toE164(config.from), to: toE164(config.to), body: config.body });

export const twilioSendSms = twilio.action({
  id: 'twilio.send_sms',
  title: 'Send SMS',
  description: 'Send a text message with Twilio.',
  config: smsConfig,
  output: twilioSendOutput,
  effect: 'write',
  sends: true,
  // Twilio takes no idempotency key for messages, but lists them: an unknown outcome is looked up.
  async reconcile({ config, connection, recordMessage, attemptStartedAt, knownMessageIds }) {
    const found = await findTwilioMessage(connection, smsInput(config), attemptStartedAt, knownMessageIds);
    if (!found) return { done: false };
    recordMessage(found.record);
    return { done: true, output: found.result };
  },
  async execute({ config, connection, recordMessage }) {
    const { result, record } = await sendTwilioMessage(connection, smsInput(config));
    recordMessage(record);
    return result;
  },
});
