// A status rule's bundle, for every provider whose triggers declare statusRules: it validates as Start
// validates, and each field of the rule lands where the definitions say.
import { describe, expect, it } from 'vitest';
import { nodeTypes } from '@bundles/nodes';
import type { StatusRuleInput } from '@bundles/shared';
import { validateGraph } from '../runtime/validate.js';
import { buildRuleGraph, ruleIssueOf, statusTriggers } from './status-rule-graph.js';

const twilio = { id: '01a23880-0000-7000-8000-00000000000a', provider: 'twilio', name: 'Twilio' };
const whatsapp = { id: '01a23880-0000-7000-8000-00000000000b', provider: 'whatsapp', name: 'WhatsApp' };
const sourceOf = (provider: string) => ({ id: '01a23880-0000-7000-8000-00000000000c', provider, name: provider });
const refs = (provider: string) => [twilio, whatsapp, sourceOf(provider)].map(({ id, provider: p }) => ({ id, provider: p }));

/** A status each trigger accepts: the first of its enum, or any text where statuses come from the account. */
function firstStatus(trigger: ReturnType<typeof statusTriggers>[number]): string {
  const shape = (trigger.config as unknown as { shape: Record<string, { unwrap?: () => { element?: { options?: string[] } } }> }).shape;
  return shape[trigger.statusRules.statusesField]?.unwrap?.().element?.options?.[0] ?? 'paid';
}

const providersWithStatuses = [...new Set(nodeTypes.filter((n) => n.kind === 'trigger' && n.statusRules).map((n) => n.provider))];

describe('buildRuleGraph', () => {
  it('covers the sales platforms and RetailCRM', () => {
    expect(providersWithStatuses.sort()).toEqual(['guru', 'monetizze', 'retailcrm']);
  });

  for (const provider of providersWithStatuses) {
    for (const trigger of statusTriggers(provider)) {
      it(`${trigger.id}: an SMS rule and a WhatsApp template rule build bundles that Start accepts`, () => {
        const status = firstStatus(trigger);
        const sms: StatusRuleInput = { kind: 'sms', scope: trigger.statusRules.scope, statuses: [status], senderConnectionId: twilio.id, sender: '+15550002222', message: 'Hi!', delaySeconds: 600, maxSegments: 1 };
        const built = buildRuleGraph(sms, sourceOf(provider), twilio);
        if (!built.ok) throw new Error(JSON.stringify(built.issues));
        expect(validateGraph(built.graph, refs(provider)).issues).toEqual([]);
        expect(built.graph.nodes.map((n) => n.type)).toEqual([trigger.id, 'core.delay', 'twilio.send_sms']);
        expect(built.graph.nodes[0]!.config).toMatchObject({ ...trigger.statusRules.fixedConfig, [trigger.statusRules.statusesField]: [status] });
        expect(built.graph.nodes[2]!.config).toEqual({ to: trigger.statusRules.buyerPhone, from: '+15550002222', body: 'Hi!', maxSegments: 1 });

        const template: StatusRuleInput = { kind: 'whatsapp', scope: trigger.statusRules.scope, statuses: [status], senderConnectionId: whatsapp.id, template: 'order_update', language: 'pt_BR', variables: { '1': 'A', '2': 'B' } };
        const wa = buildRuleGraph(template, sourceOf(provider), whatsapp);
        if (!wa.ok) throw new Error(JSON.stringify(wa.issues));
        expect(validateGraph(wa.graph, refs(provider)).issues).toEqual([]);
        expect(wa.graph.nodes[1]).toMatchObject({ type: 'whatsapp.send_template', config: { template: 'order_update', language: 'pt_BR', parameters: ['A', 'B'] } });
      });
    }
  }

  it('sends a Twilio WhatsApp template by its Content SID with numbered variables', () => {
    const rule: StatusRuleInput = { kind: 'whatsapp', scope: 'subscriptions', statuses: ['canceled'], senderConnectionId: twilio.id, sender: '+14155238886', template: 'HX' + 'a'.repeat(32), variables: { '1': '{{ trigger.subscriber.firstName }}' } };
    const built = buildRuleGraph(rule, sourceOf('guru'), twilio);
    if (!built.ok) throw new Error(JSON.stringify(built.issues));
    expect(built.graph.nodes[1]).toMatchObject({ type: 'twilio.send_whatsapp', config: { contentSid: rule.template, contentVariables: { '1': '{{ trigger.subscriber.firstName }}' }, to: '{{ trigger.subscriber.phone }}' } });
  });

  it("names the rule's field when the flow validation refuses the bundle", () => {
    const rule: StatusRuleInput = { kind: 'whatsapp', scope: 'sales', statuses: ['approved'], senderConnectionId: twilio.id, sender: '+14155238886', template: 'not-a-content-sid' };
    const built = buildRuleGraph(rule, sourceOf('guru'), twilio);
    if (!built.ok) throw new Error(JSON.stringify(built.issues));
    const issues = validateGraph(built.graph, refs('guru')).issues.map((i) => ruleIssueOf(i, built.graph));
    expect(issues).toEqual([{ field: 'template', message: expect.stringMatching(/Content SID/) }]);
  });
});
