export { core, http, webhook, httpAuthHeaders } from './provider.js';
export { coreWebhook } from './webhook.js';
export { coreFilter } from './filter.js';
export { coreBranch } from './branch.js';
export { coreDelay } from './delay.js';
export { coreHttpRequest } from './http-request.js';
export { coreSet } from './set.js';
