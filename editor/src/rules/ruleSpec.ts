// What the Status messages screen knows of a connection: its status triggers and who can send, all read
// from the node manifests (statusRules on triggers, sends on actions), never from a list of providers.
import type { Connection, NodeManifest } from '../api/types';
import type { MessageSend, StatusRuleInput, StatusRuleScope, StatusRuleTrigger } from '@bundles/shared';

export type RuleKind = StatusRuleInput['kind'];
export type StatusTrigger = NodeManifest & { statusRules: StatusRuleTrigger };
export type SendAction = NodeManifest & { sends: MessageSend };

export function statusTriggersOf(provider: string, nodeTypes: NodeManifest[]): StatusTrigger[] {
  return nodeTypes.filter((n): n is StatusTrigger => n.kind === 'trigger' && n.provider === provider && Boolean(n.statusRules));
}

export function sendActionsOf(provider: string, kind: RuleKind, nodeTypes: NodeManifest[]): SendAction[] {
  return nodeTypes.filter((n): n is SendAction => n.kind === 'action' && n.provider === provider && n.sends?.channel === kind);
}

/** The connections that can send this kind of message. */
export function sendersFor(kind: RuleKind, connections: Connection[], nodeTypes: NodeManifest[]): Connection[] {
  return connections.filter((c) => sendActionsOf(c.provider, kind, nodeTypes).length > 0);
}

/** The action a rule uses with this sender: a template one when a template is wanted, else a text one (as the server picks). */
export function sendActionFor(provider: string, kind: RuleKind, wantsTemplate: boolean, nodeTypes: NodeManifest[]): SendAction | undefined {
  return sendActionsOf(provider, kind, nodeTypes).find((a) => (wantsTemplate ? a.sends.template : a.sends.text));
}

/** Whether any action of this sender can send a template, and any a free text. */
export function senderCan(provider: string, kind: RuleKind, nodeTypes: NodeManifest[]): { template: boolean; text: boolean } {
  const actions = sendActionsOf(provider, kind, nodeTypes);
  return { template: actions.some((a) => a.sends.template), text: actions.some((a) => a.sends.text) };
}

type Schema = Record<string, unknown>;
const props = (m: NodeManifest | undefined): Record<string, Schema> => ((m?.configSchema as { properties?: Record<string, Schema> })?.properties ?? {});

/** The statuses a trigger offers: the enum of its statuses field, or the name of the option source that lists them. */
export function statusChoices(trigger: StatusTrigger): { values: string[] } | { options: string } | { free: true } {
  const field = props(trigger)[trigger.statusRules.statusesField];
  const items = field?.items as Schema | undefined;
  if (Array.isArray(items?.enum)) return { values: items.enum as string[] };
  if (typeof field?.['x-options'] === 'string') return { options: field['x-options'] };
  return { free: true };
}

/** The option source of one of an action's config fields (e.g. the sender numbers, the templates), if it has one. */
export function optionSourceOf(action: NodeManifest | undefined, field: string | undefined): string | undefined {
  if (!field) return undefined;
  const source = props(action)[field]?.['x-options'];
  return typeof source === 'string' ? source : undefined;
}

export const scopeTitle: Record<StatusRuleScope, string> = { sales: 'Sales', subscriptions: 'Subscriptions' };
export const kindTitle: Record<RuleKind, string> = { sms: 'SMS', whatsapp: 'WhatsApp' };

/** "2 h", "1 d 3 h", "" for none. */
export function delayText(seconds: number | undefined): string {
  if (!seconds) return '';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return [d && `${d} d`, h && `${h} h`, m && `${m} min`, !d && !h && !m && `${seconds} s`].filter(Boolean).join(' ');
}
