// tokopedia.chat_message_received: a buyer wrote to the shop (text, or a product, image or invoice).
import { z } from 'zod';
import { ui } from '../define.js';
import { tokopedia, TOKOPEDIA_CHAT_EVENT } from './provider.js';
import { tokopediaChatMessageFixtures } from './fixtures/chat-message.js';

export const tokopediaChatMessageReceived = tokopedia.trigger({
  id: 'tokopedia.chat_message_received',
  title: 'Chat message received',
  description: 'Starts when a buyer writes to the shop in Tokopedia chat.',
  event: TOKOPEDIA_CHAT_EVENT,
  config: z.object({}),
  output: z.object({
    msgId: z.string().register(ui, { title: 'Message id (msg_id)', description: 'Reply with it' }),
    buyerId: z.string().register(ui, { title: 'Buyer id' }),
    name: z.string().register(ui, { title: 'Buyer name' }),
    text: z.string().register(ui, { title: 'Text', description: 'The message, or a description of the attachment when there is no text' }),
    shopId: z.string(),
    thumbnail: z.string().optional(),
    attachment: z
      .object({
        type: z.enum(['image', 'product', 'invoice']),
        imageUrl: z.string().optional(),
        product: z.object({ productId: z.string(), name: z.string(), price: z.string(), url: z.string().optional() }).optional(),
        invoice: z
          .object({ invoiceId: z.string().optional(), code: z.string().optional(), title: z.string().optional(), status: z.string().optional(), total: z.string().optional(), url: z.string().optional() })
          .optional(),
      })
      .optional(),
  }),
  fixtures: tokopediaChatMessageFixtures,
});
