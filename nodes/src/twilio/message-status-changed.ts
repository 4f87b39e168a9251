// twilio.message_status_changed: a status callback for a message sent through Twilio.
import { z } from 'zod';
import { ui } from '../define.js';
import { messageStatusChangedEvent, messageStatusChangedOutput } from './events.js';
import { twilio } from './provider.js';

const statuses = ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'accepted', 'scheduled', 'canceled', 'partially_delivered'] as const;

export const twilioMessageStatusChanged = twilio.trigger({
  id: 'twilio.message_status_changed',
  title: 'Message status changed',
  description: 'Starts when Twilio reports a new delivery status (sent, delivered, read, failed …) of a message.',
  event: messageStatusChangedEvent,
  config: z.object({
    statuses: z
      .array(z.enum(statuses))
      .default([])
      .register(ui, { title: 'Statuses', description: 'Only these statuses (empty: all)', widget: 'multiselect' }),
  }),
  output: messageStatusChangedOutput,
  match(payload, config) {
    return config.statuses.length === 0 || (config.statuses as readonly string[]).includes(String(payload.status));
  },
  // What parse makes of fixtures/status-delivered.txt and fixtures/status-undelivered.txt.
  fixtures: [
    {
      messageSid: 'SM1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f',
      status: 'delivered',
      from: '+15550002222',
      to: '+5511998765432',
      channel: 'sms',
      accountSid: 'AC6e1b3c7d9f0a2b4c6d8e0f1a3b5c7d9e',
    },
    {
      messageSid: 'SM7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d',
      status: 'undelivered',
      from: '+14155238886',
      to: '+5511998765432',
      errorCode: 63016,
      errorMessage: 'Failed to send freeform message because you are outside the allowed window.',
      channel: 'whatsapp',
      accountSid: 'AC6e1b3c7d9f0a2b4c6d8e0f1a3b5c7d9e',
    },
  ],
});
