// Every template file validates against the registry exactly as Start does, once its connections are filled in.
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { getNodeType, connectionUse } from '@bundles/nodes';
import { validateGraph } from '../runtime/validate.js';
import { loadTemplates } from './load.js';
import { fillTemplate, markersOf } from './fill.js';

const templates = loadTemplates();

describe('gallery templates', () => {
  it('has the scenarios the product exists for', () => {
    expect(templates.map((t) => t.id).sort()).toEqual(
      expect.arrayContaining([
        'guru-sale-sms',
        'guru-subscription-whatsapp-template',
        'monetizze-abandoned-checkout-sms',
        'monetizze-boleto-delayed-sms',
        'retailcrm-order-paid-salesmanago',
        'retailcrm-order-paid-whatsapp-template',
        'tokopedia-chat-retailcrm-lead',
        'whatsapp-message-retailcrm-order',
      ]),
    );
  });

  for (const t of templates) {
    describe(t.id, () => {
      it('declares exactly the roles and inputs its nodes use, and badges their providers', () => {
        const used = new Set(t.graph.nodes.flatMap((n) => (n.connection ? [n.connection.role] : [])));
        expect([...used].sort()).toEqual(t.roles.map((r) => r.role).sort());
        const inputs = markersOf(t).flatMap((m) => ('$input' in m ? [m.$input] : []));
        expect([...new Set(inputs)].sort()).toEqual(t.inputs.map((i) => i.key).sort());
        for (const r of t.roles) expect(t.providers).toContain(r.provider);
        for (const n of t.graph.nodes) {
          const def = getNodeType(n.type);
          expect(def, `${n.id}: ${n.type}`).toBeDefined();
          // A node that needs a connection names a role; one that takes none names none (an optional one may go without).
          const use = connectionUse(def!);
          if (use !== 'optional') expect(Boolean(n.connection), n.id).toBe(use === 'required');
        }
      });

      it('is startable once its connections are filled in (validateGraph as Start runs it)', async () => {
        const refs = t.roles.map((r) => ({ role: r.role, id: randomUUID(), provider: r.provider }));
        const { graph, issues: fillIssues } = await fillTemplate(t, {
          connections: Object.fromEntries(refs.map((r) => [r.role, r.id])),
          // What a user would type: the example the form shows, else a number (a chat id).
          inputs: Object.fromEntries(t.inputs.map((i) => [i.key, i.placeholder?.startsWith('http') ? i.placeholder : '42'])),
          firstOption: async (_connectionId, source) => (source === 'senders' ? '+15550002222' : `first-${source}`),
        });
        expect(fillIssues).toEqual([]);
        const { issues } = validateGraph(graph, refs);
        expect(issues).toEqual([]);
        const triggers = graph.nodes.filter((n) => getNodeType(n.type)?.kind === 'trigger');
        expect(triggers).toHaveLength(1);
      });
    });
  }

  it('a missing input and an empty option list are issues naming the field', async () => {
    const withInput = templates.find((t) => t.inputs.length > 0)!;
    const withOption = templates.find((t) => t.inputs.length === 0 && markersOf(t).some((m) => '$firstOption' in m))!;
    const ids = (t: typeof withInput) => Object.fromEntries(t.roles.map((r) => [r.role, randomUUID()]));
    const a = await fillTemplate(withInput, { connections: ids(withInput), inputs: { [withInput.inputs[0]!.key]: '  ' }, firstOption: async () => 'x' });
    expect(a.issues).toEqual([{ field: `inputs.${withInput.inputs[0]!.key}`, message: `give "${withInput.inputs[0]!.title}"` }]);
    const b = await fillTemplate(withOption, { connections: ids(withOption), inputs: {}, firstOption: async () => null });
    expect(b.issues).toEqual([{ field: 'connections.twilio', message: expect.stringMatching(/^this connection lists no senders for /) }]);
  });
});
