import { providerModule } from '../define.js';
import { tokopedia } from './provider.js';
import { tokopediaChatMessageReceived } from './chat-message-received.js';
import { tokopediaReply } from './reply.js';

export { tokopedia } from './provider.js';
export { tokopediaChatMessageReceived } from './chat-message-received.js';
export { tokopediaReply } from './reply.js';

export const tokopediaModule = providerModule(tokopedia, [tokopediaChatMessageReceived, tokopediaReply]);
