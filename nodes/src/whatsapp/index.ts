import { providerModule } from '../define.js';
import { whatsapp } from './provider.js';
import { whatsappMessageReceived } from './message-received.js';
import { whatsappMessageStatusChanged } from './message-status-changed.js';
import { whatsappSendText } from './send-text.js';
import { whatsappSendTemplate } from './send-template.js';

export { whatsapp } from './provider.js';
export { whatsappMessageReceived } from './message-received.js';
export { whatsappMessageStatusChanged } from './message-status-changed.js';
export { whatsappSendText } from './send-text.js';
export { whatsappSendTemplate } from './send-template.js';

export const whatsappModule = providerModule(whatsapp, [whatsappMessageReceived, whatsappMessageStatusChanged, whatsappSendText, whatsappSendTemplate]);
