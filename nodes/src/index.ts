// The registry: every provider and node type, as an explicit list. Node ids are stored: never rename one.
import type { NodeDefinition, ProviderDefinition } from './define.js';
import { core, http, webhook, coreWebhook, coreFilter, coreBranch, coreDelay, coreHttpRequest, coreSet } from './core/index.js';
import { retailcrm, retailcrmOrderChanged, retailcrmFindOrCreateCustomer, retailcrmCreateOrder, retailcrmUpdateOrderStatus, retailcrmGetOrder, retailcrmSendChatMessage } from './retailcrm/index.js';
import { tokopedia, tokopediaChatMessageReceived, tokopediaReply } from './tokopedia/index.js';
import { twilio, twilioMessageReceived, twilioMessageStatusChanged, twilioSendSms, twilioSendWhatsapp } from './twilio/index.js';
import { whatsapp, whatsappMessageReceived, whatsappMessageStatusChanged, whatsappSendText, whatsappSendTemplate } from './whatsapp/index.js';

export * from './define.js';
export * from './manifest.js';
export * from './webhooks.js';
export { createHttpClient } from './http.js';

export const providers: ProviderDefinition[] = [core.definition, webhook.definition, http.definition, retailcrm.definition, tokopedia.definition, twilio.definition, whatsapp.definition];

export const nodeTypes: NodeDefinition[] = [
  coreWebhook, coreFilter, coreBranch, coreDelay, coreHttpRequest, coreSet,
  retailcrmOrderChanged, retailcrmFindOrCreateCustomer, retailcrmCreateOrder, retailcrmUpdateOrderStatus, retailcrmGetOrder, retailcrmSendChatMessage,
  tokopediaChatMessageReceived, tokopediaReply,
  twilioMessageReceived, twilioMessageStatusChanged, twilioSendSms, twilioSendWhatsapp,
  whatsappMessageReceived, whatsappMessageStatusChanged, whatsappSendText, whatsappSendTemplate,
];

const providerById = new Map(providers.map((p) => [p.id, p]));
const nodeTypeById = new Map(nodeTypes.map((n) => [n.id, n]));

export function getProvider(id: string): ProviderDefinition | undefined {
  return providerById.get(id);
}

export function getNodeType(id: string): NodeDefinition | undefined {
  return nodeTypeById.get(id);
}
