export { tokopedia } from './provider.js';
export { tokopediaChatMessageReceived } from './chat-message-received.js';
export { tokopediaReply } from './reply.js';
