import { providerModule } from '../define.js';
import { guru } from './provider.js';
import { guruSubscriptionStatusChanged } from './subscription-status-changed.js';
import { guruTransactionStatusChanged } from './transaction-status-changed.js';

export { guru } from './provider.js';
export { guruSubscriptionStatusChanged } from './subscription-status-changed.js';
export { guruTransactionStatusChanged } from './transaction-status-changed.js';

export const guruModule = providerModule(guru, [guruTransactionStatusChanged, guruSubscriptionStatusChanged]);
