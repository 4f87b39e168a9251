export { twilio } from './provider.js';
export { twilioMessageReceived } from './message-received.js';
export { twilioMessageStatusChanged } from './message-status-changed.js';
export { twilioSendSms } from './send-sms.js';
export { twilioSendWhatsapp } from './send-whatsapp.js';
