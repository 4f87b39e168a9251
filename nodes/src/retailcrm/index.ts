export { retailcrm } from './provider.js';
export { retailcrmOrderChanged } from './order-changed.js';
export { retailcrmFindOrCreateCustomer } from './find-or-create-customer.js';
export { retailcrmCreateOrder } from './create-order.js';
export { retailcrmUpdateOrderStatus } from './update-order-status.js';
export { retailcrmGetOrder } from './get-order.js';
export { retailcrmSendChatMessage } from './send-chat-message.js';
