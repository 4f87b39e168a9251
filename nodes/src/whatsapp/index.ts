export { whatsapp } from './provider.js';
export { whatsappMessageReceived } from './message-received.js';
export { whatsappMessageStatusChanged } from './message-status-changed.js';
export { whatsappSendText } from './send-text.js';
export { whatsappSendTemplate } from './send-template.js';
