import { providerModule } from '../define.js';
import { monetizze } from './provider.js';
import { monetizzeSaleStatusChanged } from './sale-status-changed.js';

export { monetizze } from './provider.js';
export { monetizzeSaleStatusChanged } from './sale-status-changed.js';

export const monetizzeModule = providerModule(monetizze, [monetizzeSaleStatusChanged]);
