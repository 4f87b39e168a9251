// whatsapp.message_status_changed: sent, delivered, read or failed for a message the business sent.
import { z } from 'zod';
import { ui } from '../define.js';
import { messageStatusChangedEvent, messageStatusChangedOutput } from './events.js';
import { whatsapp } from './provider.js';

export const whatsappMessageStatusChanged = whatsapp.trigger({
  id: 'whatsapp.message_status_changed',
  title: 'Message status changed',
  description: 'Starts when WhatsApp reports that a message was sent, delivered, read or failed.',
  event: messageStatusChangedEvent,
  config: z.object({
    phoneNumberId: z.string().optional().register(ui, { title: 'Sending phone number ID', description: 'Only messages of this number (empty: all)' }),
    statuses: z
      .array(z.enum(['sent', 'delivered', 'read', 'failed', 'deleted']))
      .default([])
      .register(ui, { title: 'Statuses', description: 'Only these statuses (empty: all)', widget: 'multiselect' }),
  }),
  output: messageStatusChangedOutput,
  key: (config) => config.phoneNumberId?.trim() || null,
  match(payload, config) {
    return config.statuses.length === 0 || (config.statuses as readonly string[]).includes(String(payload.status));
  },
  // What parse makes of fixtures/statuses.json.
  fixtures: [
    {
      messageId: 'wamid.HBgNNTUxMTk5ODc2NTQzMhUCABEYEjQ2QkI2RkY0QzdBMzE0NTI1OAA=',
      status: 'delivered',
      recipientId: '5511998765432',
      phoneNumberId: '106540352242922',
      timestamp: '2025-02-12T00:40:05.000Z',
    },
    {
      messageId: 'wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjg5QTc3RDE0QjZGRTIxQ0E5MgA=',
      status: 'failed',
      recipientId: '5511987654321',
      phoneNumberId: '106540352242922',
      timestamp: '2025-02-12T00:41:30.000Z',
      errors: [
        {
          code: 131047,
          title: 'Re-engagement message',
          message: 'Re-engagement message',
          details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        },
      ],
    },
  ],
});
