// The source → target pairing over the real manifests: wiring, and the obvious mappings chosen from output schemas.
import { describe, expect, it } from 'vitest';
import { manifestOf } from '../test-fixtures';
import { pairMappings, pairNodes, scalarFields } from './pairing';

const map = (trigger: string, action: string) => Object.fromEntries(pairMappings(manifestOf(trigger), manifestOf(action)).map((m) => [m.field, m.value]));

describe('pairNodes', () => {
  it('wires trigger → action on their connections, the sender into "To" and the text into the body', () => {
    const { graph, mappings } = pairNodes(manifestOf('twilio.message_received'), 'c-tw', manifestOf('twilio.send_sms'), 'c-tw2');
    expect(graph.nodes.map((n) => [n.id, n.type, n.connectionId])).toEqual([
      ['trigger', 'twilio.message_received', 'c-tw'],
      ['send_sms', 'twilio.send_sms', 'c-tw2'],
    ]);
    expect(graph.edges).toEqual([{ id: 'trigger->send_sms', source: 'trigger', target: 'send_sms' }]);
    expect(graph.nodes[1]!.config).toEqual({ to: '{{ trigger.from }}', body: '{{ trigger.body }}' });
    expect(mappings.find((m) => m.field === 'to')!.reason).toBe("sender's phone");
  });

  it('WhatsApp message → WhatsApp text: from into to, text into text', () => {
    expect(map('whatsapp.message_received', 'whatsapp.send_text')).toEqual({ to: '{{ trigger.from }}', text: '{{ trigger.text }}' });
  });

  it('sales and orders: the buyer’s phone into "To", nothing into the body (there is no message)', () => {
    expect(map('guru.transaction_status_changed', 'twilio.send_sms')).toEqual({ to: '{{ trigger.contact.phone }}' });
    expect(map('monetizze.sale_status_changed', 'twilio.send_sms')).toEqual({ to: '{{ trigger.buyer.phone }}' });
    expect(map('guru.subscription_status_changed', 'whatsapp.send_template')).toEqual({ to: '{{ trigger.subscriber.phone }}' });
  });

  it('switches on the loading of the full order when a field inside it is mapped', () => {
    const { graph } = pairNodes(manifestOf('retailcrm.order_changed'), 'c1', manifestOf('whatsapp.send_template'), 'c2');
    expect(graph.nodes[1]!.config).toEqual({ to: '{{ trigger.order.phone }}' });
    expect(graph.nodes[0]!.config).toEqual({ loadOrder: true });
    // Nothing inside the order mapped: the switch stays as the trigger's default.
    expect(pairNodes(manifestOf('retailcrm.order_changed'), 'c1', manifestOf('core.delay'), null).graph.nodes[0]!.config).toEqual({});
  });

  it('a customer step takes the phone and the name beside it; an order the text as the comment', () => {
    expect(map('whatsapp.message_received', 'retailcrm.find_or_create_customer')).toEqual({ phone: '{{ trigger.from }}', name: '{{ trigger.name }}' });
    expect(map('guru.transaction_status_changed', 'retailcrm.find_or_create_customer')).toEqual({
      phone: '{{ trigger.contact.phone }}',
      name: '{{ trigger.contact.name }}',
      email: '{{ trigger.contact.email }}',
    });
    expect(map('whatsapp.message_received', 'retailcrm.create_order')).toMatchObject({ phone: '{{ trigger.from }}', customerComment: '{{ trigger.text }}', firstName: '{{ trigger.name }}' });
  });

  it('same-named fields carry over (a Tokopedia reply into the same chat), but never to/from/status/id', () => {
    expect(map('tokopedia.chat_message_received', 'tokopedia.reply')).toEqual({ msgId: '{{ trigger.msgId }}', buyerId: '{{ trigger.buyerId }}', text: '{{ trigger.text }}' });
    // twilio.message_received has a `to` (our own number): it must not become the reply's "To".
    expect(map('twilio.message_received', 'whatsapp.send_text').to).toBe('{{ trigger.from }}');
  });

  it('reads nullable (["string","null"]) fields and goes three levels deep at most', () => {
    const paths = scalarFields(manifestOf('guru.transaction_status_changed').outputSchema).map((l) => l.path.join('.'));
    expect(paths).toContain('contact.phone');
    expect(paths).toContain('status');
    expect(paths.every((p) => p.split('.').length <= 3)).toBe(true);
  });
});
