// twilio.send_sms: one SMS from one of the account's numbers.
import { z } from 'zod';
import { isTemplate, MAX_SMS_SEGMENTS, smsCapProblem } from '@bundles/shared';
import { ProviderError, ui } from '../define.js';
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
  maxSegments: z
    .number()
    .int()
    .min(1)
    .max(MAX_SMS_SEGMENTS)
    .optional()
    .register(ui, { title: 'Most segments', description: 'A longer text fails the step instead of being sent (1 = 160 GSM-7 or 70 UCS-2 characters)' }),
});

const smsInput = (config: z.infer<typeof smsConfig>): SendInput => ({ channel: 'sms', from: toE164(config.from), to: toE164(config.to), body: config.body });

export const twilioSendSms = twilio.action({
  id: 'twilio.send_sms',
  title: 'Send SMS',
  description: 'Send a text message with Twilio.',
  config: smsConfig,
  output: twilioSendOutput,
  effect: 'write',
  sends: { channel: 'sms', to: 'to', from: 'from', text: 'body', maxSegments: 'maxSegments', messageId: 'sid', echoes: { to: 'to', from: 'from' } },
  // A static text that cannot fit is refused on save and start; a rendered one over the cap fails the step.
  check(config) {
    const { body, maxSegments } = config as { body?: unknown; maxSegments?: unknown };
    if (typeof body !== 'string' || typeof maxSegments !== 'number' || isTemplate(body)) return [];
    const problem = smsCapProblem(body, maxSegments);
    return problem ? [{ field: 'body', message: `the message ${problem}` }] : [];
  },
  // Twilio takes no idempotency key for messages, but lists them: an unknown outcome is looked up.
  async reconcile({ config, connection, recordMessage, attemptStartedAt, knownMessageIds }) {
    const found = await findTwilioMessage(connection, smsInput(config), attemptStartedAt, knownMessageIds);
    if (!found) return { done: false };
    recordMessage(found.record);
    return { done: true, output: found.result };
  },
  async execute({ config, connection, recordMessage }) {
    const problem = config.maxSegments === undefined ? null : smsCapProblem(config.body, config.maxSegments);
    // Never cut: the text as rendered is refused before anything is sent (a permanent error: it would not fit again).
    if (problem) throw new ProviderError({ message: `The message as rendered ${problem}: nothing was sent. Shorten it or raise "Most segments".`, code: 'too_many_segments', retryable: false, provider: 'twilio' });
    const { result, record } = await sendTwilioMessage(connection, smsInput(config));
    recordMessage(record);
    return result;
  },
});
