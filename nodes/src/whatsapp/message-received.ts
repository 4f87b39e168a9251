// whatsapp.message_received: every message a customer sends to the business number.
import { z } from 'zod';
import { ui } from '../define.js';
import { messageReceivedEvent, messageReceivedOutput } from './events.js';
import { whatsapp } from './provider.js';

const types = ['text', 'image', 'audio', 'video', 'document', 'sticker', 'interactive', 'button', 'location', 'contacts', 'reaction'] as const;

export const whatsappMessageReceived = whatsapp.trigger({
  id: 'whatsapp.message_received',
  title: 'Message received',
  description: 'Starts for every WhatsApp message a customer sends: text, media, buttons, lists, locations, contacts.',
  event: messageReceivedEvent,
  config: z.object({
    phoneNumberId: z
      .string()
      .optional()
      .register(ui, { title: 'Receiving phone number ID', description: 'Only messages to this number (empty: every number of the app)' }),
    types: z.array(z.enum(types)).default([]).register(ui, { title: 'Message types', description: 'Only these types (empty: all)', widget: 'multiselect' }),
  }),
  output: messageReceivedOutput,
  key: (config) => config.phoneNumberId?.trim() || null,
  match(payload, config) {
    return config.types.length === 0 || (config.types as readonly string[]).includes(String(payload.type));
  },
  // What parse makes of fixtures/text.json and one message each of fixtures/media.json and fixtures/interactive.json.
  fixtures: [
    {
      messageId: 'wamid.HBgNNTUxMTk5ODc2NTQzMhUCABIYFjNFQjBDMEE4RDlCRjQ5RDU2QTdFAA==',
      from: '5511998765432',
      name: 'Ana Souza',
      type: 'text',
      text: 'Where is my order A-17?',
      phoneNumberId: '106540352242922',
      displayPhoneNumber: '15550783881',
      timestamp: '2025-02-12T00:43:44.000Z',
    },
    {
      messageId: 'wamid.HBgNNTUxMTk5ODc2NTQzMhUCABIYFjNFQjBFNUM3QjcyRTRGOUM1RDI0AA==',
      from: '5511998765432',
      name: 'Ana Souza',
      type: 'image',
      text: 'Receipt for A-17',
      mediaId: '1034295881577425',
      mimeType: 'image/jpeg',
      phoneNumberId: '106540352242922',
      displayPhoneNumber: '15550783881',
      timestamp: '2025-02-12T00:44:10.000Z',
    },
    {
      messageId: 'wamid.HBgNNTUxMTk5ODc2NTQzMhUCABIYFjNFQjA1RjJCQzFGRTlBM0I4RTQxAA==',
      from: '5511998765432',
      name: 'Ana Souza',
      type: 'interactive',
      text: 'Track order',
      payload: 'track_A-17',
      phoneNumberId: '106540352242922',
      displayPhoneNumber: '15550783881',
      timestamp: '2025-02-12T00:45:02.000Z',
      context: { from: '15550783881', id: 'wamid.HBgNNTUxMTk5ODc2NTQzMhUCABEYEjQ2QkI2RkY0QzdBMzE0NTI1OAA=' },
    },
  ],
});
