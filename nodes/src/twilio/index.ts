import { providerModule } from '../define.js';
import { twilio } from './provider.js';
import { twilioMessageReceived } from './message-received.js';
import { twilioMessageStatusChanged } from './message-status-changed.js';
import { twilioSendSms } from './send-sms.js';
import { twilioSendWhatsapp } from './send-whatsapp.js';

export { twilio } from './provider.js';
export { twilioMessageReceived } from './message-received.js';
export { twilioMessageStatusChanged } from './message-status-changed.js';
export { twilioSendSms } from './send-sms.js';
export { twilioSendWhatsapp } from './send-whatsapp.js';

export const twilioModule = providerModule(twilio, [twilioMessageReceived, twilioMessageStatusChanged, twilioSendSms, twilioSendWhatsapp]);
