// The registry: every provider and node type, as an explicit list. Node ids are stored: never rename one.
import type { NodeDefinition, ProviderDefinition, ProviderModule } from './define.js';
import { coreModules } from './core/index.js';
import { guruModule } from './guru/index.js';
import { monetizzeModule } from './monetizze/index.js';
import { retailcrmModule } from './retailcrm/index.js';
import { salesmanagoModule } from './salesmanago/index.js';
import { tokopediaModule } from './tokopedia/index.js';
import { twilioModule } from './twilio/index.js';
import { whatsappModule } from './whatsapp/index.js';
import { withSendCap } from './send-cap.js';

export * from './define.js';
export * from './manifest.js';
export * from './webhooks.js';
export * from './message-status.js';
export * from './send-cap.js';
export { createHttpClient, httpClientFor } from './http.js';
export { allowEntryProblem, createAddressGuard, guardFor, setOutboundGuard, outboundGuard, type AddressGuard } from './address-guard.js';
export { FOR_EACH_TYPE, ITEM_HANDLE, DONE_HANDLE, MAX_ITEMS } from './core/for-each.js';
export { RUN_FAILED_EVENT, runFailedPayloadSchema, type RunFailedPayload } from './core/error-trigger.js';
export {
  coreSchedule,
  SCHEDULE_TICK_EVENT,
  scheduleConfigSchema,
  scheduleTickSchema,
  cronProblem,
  timezoneProblem,
  nextTick,
  lastTick,
  nextTicks,
  type ScheduleConfig,
  type ScheduleTick,
} from './core/schedule.js';
export { WAIT_FOR_REPLY, replyOutput, type ReplyMessage, type WaitForReplyOutput } from './core/wait-for-reply.js';

/** Every provider folder, one line each (a provider whose node types send gets the send cap fields). */
export const providerModules: ProviderModule[] = [
  ...coreModules,
  guruModule,
  monetizzeModule,
  retailcrmModule,
  salesmanagoModule,
  tokopediaModule,
  twilioModule,
  whatsappModule,
].map((m) => ({ provider: withSendCap(m.provider, m.nodeTypes), nodeTypes: m.nodeTypes }));

export const providers: ProviderDefinition[] = providerModules.map((m) => m.provider);

/** The providers whose webhooks bring messages keyed by conversation (they declare `conversationKey`). */
export const messagingProviders: string[] = providers.filter((p) => p.conversationKey).map((p) => p.id);

/** A node type that takes the connections of every messaging provider gets their ids (ActionDefinition.connectionProviders). */
function withConnectionProviders(node: NodeDefinition): NodeDefinition {
  return node.kind === 'action' && node.connectionProviders === 'messaging' ? { ...node, connectionProviders: messagingProviders } : node;
}

export const nodeTypes: NodeDefinition[] = providerModules.flatMap((m) => m.nodeTypes.map(withConnectionProviders));

const providerById = new Map(providers.map((p) => [p.id, p]));
const nodeTypeById = new Map(nodeTypes.map((n) => [n.id, n]));

export function getProvider(id: string): ProviderDefinition | undefined {
  return providerById.get(id);
}

export function getNodeType(id: string): NodeDefinition | undefined {
  return nodeTypeById.get(id);
}
