// twilio.message_received: an SMS or WhatsApp message to one of the account's numbers.
import { z } from 'zod';
import { ui } from '../define.js';
import { messageReceivedEvent, messageReceivedOutput } from './events.js';
import { twilio } from './provider.js';

const digits = (s: string) => s.replace(/\D/g, '');

export const twilioMessageReceived = twilio.trigger({
  id: 'twilio.message_received',
  title: 'Message received',
  description: 'Starts when a customer sends an SMS or WhatsApp message to your Twilio number.',
  event: messageReceivedEvent,
  config: z.object({
    channel: z.enum(['any', 'sms', 'whatsapp']).default('any').register(ui, { title: 'Channel', widget: 'select' }),
    to: z
      .string()
      .optional()
      .register(ui, { title: 'Receiving number', description: 'Only messages to this number (empty: any of your numbers)', options: 'senders' }),
    keyword: z
      .string()
      .optional()
      .register(ui, { title: 'Keyword', description: 'Only messages whose first word is this keyword (case-insensitive)', placeholder: 'JOIN' }),
  }),
  output: messageReceivedOutput,
  match(payload, config) {
    const p = payload as z.infer<typeof messageReceivedOutput>;
    if (config.channel !== 'any' && p.channel !== config.channel) return false;
    if (config.to && config.to.trim() && digits(config.to) !== digits(p.to)) return false;
    const keyword = config.keyword?.trim().toLowerCase();
    if (keyword) {
      const firstWord = (p.body ?? '').trim().split(/\s+/, 1)[0]?.toLowerCase() ?? '';
      if (firstWord !== keyword) return false;
    }
    return true;
  },
  // What parse makes of fixtures/inbound-sms.txt and fixtures/inbound-whatsapp-media.txt.
  fixtures: [
    {
      messageSid: 'SM3f2c1b0a9e8d7c6b5a4f3e2d1c0b9a8f',
      from: '+5511998765432',
      to: '+15550002222',
      body: 'STATUS A-17',
      channel: 'sms',
      media: [],
      numSegments: 1,
      accountSid: 'AC6e1b3c7d9f0a2b4c6d8e0f1a3b5c7d9e',
    },
    {
      messageSid: 'MM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d',
      from: '+5511998765432',
      to: '+14155238886',
      body: 'Here is the receipt',
      channel: 'whatsapp',
      media: [{ url: 'https://api.twilio.com/2010-04-01/Accounts/AC6e1b3c7d9f0a2b4c6d8e0f1a3b5c7d9e/Messages/MM9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d/Media/ME1f2e3d4c5b6a7f8e9d0c1b2a3f4e5d6c', contentType: 'image/jpeg' }],
      profileName: 'Ana Souza',
      waId: '5511998765432',
      numSegments: 1,
      accountSid: 'AC6e1b3c7d9f0a2b4c6d8e0f1a3b5c7d9e',
    },
  ],
});
