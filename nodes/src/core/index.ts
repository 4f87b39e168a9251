import { providerModule } from '../define.js';
import { core, http, webhook } from './provider.js';
import { coreWebhook } from './webhook.js';
import { coreFilter } from './filter.js';
import { coreBranch } from './branch.js';
import { coreDelay } from './delay.js';
import { coreHttpRequest } from './http-request.js';
import { coreSet } from './set.js';
import { coreCode } from './code.js';
import { coreErrorTrigger } from './error-trigger.js';
import { coreForEach } from './for-each.js';
import { coreSchedule } from './schedule.js';
import { coreWaitForReply } from './wait-for-reply.js';

export { core, http, webhook, httpAuthHeaders } from './provider.js';
export { coreWebhook } from './webhook.js';
export { coreFilter } from './filter.js';
export { coreBranch } from './branch.js';
export { coreDelay } from './delay.js';
export { coreHttpRequest } from './http-request.js';
export { coreSet } from './set.js';
export { coreCode } from './code.js';
export { coreForEach, FOR_EACH_TYPE, ITEM_HANDLE, DONE_HANDLE, MAX_ITEMS } from './for-each.js';
export { coreWaitForReply, WAIT_FOR_REPLY, replyOutput, replyMessageSchema, type ReplyMessage, type WaitForReplyOutput } from './wait-for-reply.js';
export { coreErrorTrigger, RUN_FAILED_EVENT, runFailedPayloadSchema, type RunFailedPayload } from './error-trigger.js';
export { coreSchedule, SCHEDULE_TICK_EVENT } from './schedule.js';

/** The built-in providers: core steps, the generic webhook trigger and the HTTP connection of core.http_request. */
export const coreModules = [
  providerModule(core, [coreErrorTrigger, coreSchedule, coreFilter, coreBranch, coreForEach, coreDelay, coreWaitForReply, coreHttpRequest, coreSet, coreCode]),
  providerModule(webhook, [coreWebhook]),
  providerModule(http, []),
];
