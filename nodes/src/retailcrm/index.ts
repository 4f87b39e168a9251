import { providerModule } from '../define.js';
import { retailcrm } from './provider.js';
import { retailcrmOrderChanged } from './order-changed.js';
import { retailcrmFindOrCreateCustomer } from './find-or-create-customer.js';
import { retailcrmCreateOrder } from './create-order.js';
import { retailcrmUpdateOrderStatus } from './update-order-status.js';
import { retailcrmGetOrder } from './get-order.js';
import { retailcrmSendChatMessage } from './send-chat-message.js';

export { retailcrm } from './provider.js';
export { retailcrmOrderChanged } from './order-changed.js';
export { retailcrmFindOrCreateCustomer } from './find-or-create-customer.js';
export { retailcrmCreateOrder } from './create-order.js';
export { retailcrmUpdateOrderStatus } from './update-order-status.js';
export { retailcrmGetOrder } from './get-order.js';
export { retailcrmSendChatMessage } from './send-chat-message.js';

export const retailcrmModule = providerModule(retailcrm, [retailcrmOrderChanged, retailcrmFindOrCreateCustomer, retailcrmCreateOrder, retailcrmUpdateOrderStatus, retailcrmGetOrder, retailcrmSendChatMessage]);
