// A status rule → the bundle that carries it out: the connection's status trigger (statuses, products),
// an optional delay, and the send action of the sender connection's provider. Which trigger and which
// action, and which of their fields take what, come from the node definitions (statusRules, sends).
import { nodeTypes, type ActionDefinition, type TriggerDefinition } from '@bundles/nodes';
import type { FlowGraph, FlowIssue, MessageSend, StatusRuleInput, StatusRuleScope } from '@bundles/shared';

export interface RuleConnection {
  id: string;
  provider: string;
  name: string;
}

/** A problem of the rule, named by the rule's own field. */
export interface RuleIssue {
  field: string;
  message: string;
}

export type RuleGraph = { ok: true; graph: FlowGraph; name: string } | { ok: false; issues: RuleIssue[] };

type AnyTrigger = TriggerDefinition & { statusRules: NonNullable<TriggerDefinition['statusRules']> };
type AnyAction = ActionDefinition & { sends: MessageSend };

/** The status triggers of a provider: one per scope. */
export function statusTriggers(provider: string): AnyTrigger[] {
  return nodeTypes.filter((n): n is AnyTrigger => n.kind === 'trigger' && n.provider === provider && Boolean(n.statusRules));
}

function sendActions(provider: string, channel: string): AnyAction[] {
  return nodeTypes.filter((n): n is AnyAction => n.kind === 'action' && n.provider === provider && n.sends?.channel === channel);
}

const kindTitle = { sms: 'SMS', whatsapp: 'WhatsApp' } as const;

function chooseAction(rule: StatusRuleInput, sender: RuleConnection, issues: RuleIssue[]): AnyAction | null {
  const candidates = sendActions(sender.provider, rule.kind);
  if (candidates.length === 0) {
    issues.push({ field: 'senderConnectionId', message: `${sender.name} cannot send ${kindTitle[rule.kind]}: choose a connection that can` });
    return null;
  }
  const wanted = rule.template ? 'template' : 'text';
  const action = candidates.find((a) => (wanted === 'template' ? a.sends.template : a.sends.text));
  if (!action) {
    if (wanted === 'template') issues.push({ field: 'template', message: `${sender.name} sends no templates: write a message instead` });
    else issues.push({ field: rule.kind === 'whatsapp' ? 'template' : 'message', message: rule.kind === 'whatsapp' ? 'choose a template' : 'write the message' });
    return null;
  }
  return action;
}

/** The template's variables as the action takes them; numbered 1…n without gaps. */
function variablesFor(send: MessageSend, variables: Record<string, string>, issues: RuleIssue[]): unknown {
  const numbers = Object.keys(variables).map(Number).sort((a, b) => a - b);
  if (numbers.some((n, i) => n !== i + 1)) {
    issues.push({ field: 'variables', message: 'variables are numbered 1, 2, … without gaps' });
    return undefined;
  }
  if (send.variables!.as === 'array') return numbers.map((n) => variables[String(n)]!);
  return Object.fromEntries(numbers.map((n) => [String(n), variables[String(n)]!]));
}

function sendConfig(rule: StatusRuleInput, action: AnyAction, to: string, issues: RuleIssue[]): Record<string, unknown> {
  const send = action.sends;
  const config: Record<string, unknown> = { [send.to]: to };
  if (send.from) {
    if (rule.sender) config[send.from] = rule.sender;
    else issues.push({ field: 'sender', message: 'choose the number it sends from' });
  }
  if (rule.template && send.template) {
    config[send.template] = rule.template;
    if (send.language && rule.language) config[send.language] = rule.language;
    if (rule.variables && send.variables) config[send.variables.field] = variablesFor(send, rule.variables, issues);
  } else if (rule.message && send.text) {
    config[send.text] = rule.message;
  } else {
    issues.push({ field: 'message', message: 'write the message' });
  }
  if (rule.maxSegments !== undefined) {
    if (send.maxSegments) config[send.maxSegments] = rule.maxSegments;
    else issues.push({ field: 'maxSegments', message: 'only an SMS rule caps segments' });
  }
  return config;
}

function triggerFor(provider: RuleConnection, scope: StatusRuleScope, issues: RuleIssue[]): AnyTrigger | null {
  const triggers = statusTriggers(provider.provider);
  const trigger = triggers.find((t) => t.statusRules.scope === scope);
  if (!trigger) {
    const offered = triggers.map((t) => t.statusRules.scope);
    issues.push({
      field: 'scope',
      message: offered.length ? `${provider.name} has no ${scope}: choose ${offered.join(' or ')}` : `${provider.name} has no statuses to send messages on`,
    });
  }
  return trigger ?? null;
}

function ruleName(rule: StatusRuleInput, source: RuleConnection): string {
  const name = `${source.name}: ${kindTitle[rule.kind]} on ${rule.statuses.join(', ')}`;
  return name.length > 200 ? `${name.slice(0, 199)}…` : name;
}

/** The bundle of a rule, or the rule's problems (by its own field names). */
export function buildRuleGraph(rule: StatusRuleInput, source: RuleConnection, sender: RuleConnection): RuleGraph {
  const issues: RuleIssue[] = [];
  const trigger = triggerFor(source, rule.scope, issues);
  const action = chooseAction(rule, sender, issues);
  if (!trigger || !action) return { ok: false, issues };
  const spec = trigger.statusRules;
  const triggerConfig: Record<string, unknown> = { ...spec.fixedConfig, [spec.statusesField]: rule.statuses };
  if (rule.productIds?.length) {
    if (spec.productsField) triggerConfig[spec.productsField] = rule.productIds;
    else issues.push({ field: 'productIds', message: `${trigger.title} has no products to filter by` });
  }
  const config = sendConfig(rule, action, rule.to ?? spec.buyerPhone, issues);
  if (issues.length) return { ok: false, issues };
  const nodes: FlowGraph['nodes'] = [{ id: 'trigger', type: trigger.id, connectionId: source.id, config: triggerConfig, position: { x: 0, y: 0 } }];
  if (rule.delaySeconds) nodes.push({ id: 'wait', type: 'core.delay', connectionId: null, config: { seconds: rule.delaySeconds }, position: { x: 0, y: 160 } });
  nodes.push({ id: 'send', type: action.id, connectionId: sender.id, config, position: { x: 0, y: nodes.length * 160 } });
  const edges = nodes.slice(1).map((n, i) => ({ id: `e${i + 1}`, source: nodes[i]!.id, target: n.id }));
  return { ok: true, graph: { nodes, edges }, name: ruleName(rule, source) };
}

/** A problem the flow validation found in a rule's bundle, named by the rule's field where there is one. */
export function ruleIssueOf(issue: FlowIssue, graph: FlowGraph): RuleIssue {
  const node = graph.nodes.find((n) => n.id === issue.nodeId);
  const field = issue.field?.split('.')[0];
  const def = node && nodeTypes.find((n) => n.id === node.type);
  if (node?.id === 'wait') return { field: 'delaySeconds', message: issue.message };
  if (def?.kind === 'trigger' && def.statusRules && field) {
    const names: Record<string, string> = { [def.statusRules.statusesField]: 'statuses', ...(def.statusRules.productsField ? { [def.statusRules.productsField]: 'productIds' } : {}) };
    return { field: names[field] ?? field, message: issue.message };
  }
  if (def?.kind === 'action' && def.sends && field) {
    const s = def.sends;
    const names: Record<string, string> = { [s.to]: 'to', ...(s.from ? { [s.from]: 'sender' } : {}), ...(s.text ? { [s.text]: 'message' } : {}) };
    if (s.template) names[s.template] = 'template';
    if (s.language) names[s.language] = 'language';
    if (s.variables) names[s.variables.field] = 'variables';
    if (s.maxSegments) names[s.maxSegments] = 'maxSegments';
    if (field === 'connectionId') return { field: 'senderConnectionId', message: issue.message };
    return { field: names[field] ?? field, message: issue.message };
  }
  return { field: field ?? 'rule', message: issue.message };
}
