import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { GraphEdge } from '@bundles/shared';
import { toJsonSchema } from '@bundles/nodes';
import { schemaHasPath, validateGraph, type ConnectionRef } from './validate.js';

const connections: ConnectionRef[] = [
  { id: 'conn_crm', provider: 'retailcrm' },
  { id: 'conn_twilio', provider: 'twilio' },
];

interface TestNode {
  id: string;
  type: string;
  connectionId?: string | null;
  config: Record<string, unknown>;
  disabled?: boolean;
  position?: { x: number; y: number };
}

// W1: a RetailCRM order is paid → an SMS to the customer.
const trigger: TestNode = {
  id: 'trigger',
  type: 'retailcrm.order_changed',
  connectionId: 'conn_crm',
  config: { events: ['status'], statuses: ['paid'], loadOrder: true },
  position: { x: 0, y: 0 },
};
const sms: TestNode = {
  id: 'sms',
  type: 'twilio.send_sms',
  connectionId: 'conn_twilio',
  config: { from: '+15550002222', to: '{{ trigger.order.phone }}', body: 'Order {{ trigger.id }} is paid' },
  position: { x: 300, y: 0 },
};
const toSms: GraphEdge = { source: 'trigger', target: 'sms' };

const setNode = (id: string, fields: Record<string, unknown> = { note: 'static' }): TestNode => ({ id, type: 'core.set', config: { fields } });
const branchNode: TestNode = {
  id: 'is_big',
  type: 'core.branch',
  config: { mode: 'all', conditions: [{ left: '{{ trigger.order.totalSumm }}', op: 'gte', right: 100 }] },
};

const issuesOf = (nodes: TestNode[], edges: GraphEdge[], conns: ConnectionRef[] = connections) => validateGraph({ nodes, edges }, conns).issues;
const withSms = (config: Record<string, unknown>): TestNode => ({ ...sms, config: { ...sms.config, ...config } });

describe('validateGraph', () => {
  it('accepts the W1 graph', () => {
    const result = validateGraph({ nodes: [trigger, sms], edges: [toSms] }, connections);
    expect(result.issues).toEqual([]);
    expect(result.graph?.nodes.map((n) => n.id)).toEqual(['trigger', 'sms']);
  });

  it('accepts a branch with both handles connected and a step reading an upstream step', () => {
    const note = setNode('note', { sid: '{{ steps.sms.sid }}', segments: '{{ steps.sms.segments }}', order: '{{ trigger.order.number }}' });
    const issues = issuesOf(
      [trigger, branchNode, sms, note, setNode('small')],
      [
        { source: 'trigger', target: 'is_big' },
        { source: 'is_big', target: 'sms', sourceHandle: 'true' },
        { source: 'is_big', target: 'small', sourceHandle: 'false' },
        { source: 'sms', target: 'note' },
      ],
    );
    expect(issues).toEqual([]);
  });

  it('needs a trigger', () => {
    const issues = issuesOf([setNode('note')], []);
    expect(issues).toEqual([{ message: 'a bundle needs exactly one trigger: add one from the palette' }]);
  });

  it('refuses a second trigger, on the second one', () => {
    const second = { ...trigger, id: 'trigger_2' };
    const issues = issuesOf([trigger, second, sms], [toSms]);
    expect(issues).toContainEqual({ nodeId: 'trigger_2', message: 'a bundle has exactly one trigger: remove this one' });
    expect(issues.filter((i) => i.nodeId === 'trigger')).toEqual([]);
  });

  it('refuses an unknown node type', () => {
    const issues = issuesOf([trigger, { ...sms, type: 'twilio.send_fax' }], [toSms]);
    expect(issues).toEqual([{ nodeId: 'sms', field: 'type', message: 'unknown node type "twilio.send_fax"' }]);
  });

  it('refuses an edge to a missing node', () => {
    const issues = issuesOf([trigger, sms], [toSms, { source: 'sms', target: 'ghost' }]);
    expect(issues).toEqual([{ message: 'an edge ends at "ghost", which does not exist' }]);
  });

  it('refuses an edge from a missing node', () => {
    const issues = issuesOf([trigger, sms], [toSms, { source: 'ghost', target: 'sms' }]);
    expect(issues).toEqual([{ message: 'an edge starts at "ghost", which does not exist' }]);
  });

  it('refuses an edge into the trigger', () => {
    const stray = setNode('stray');
    const issues = issuesOf([trigger, sms, stray], [toSms, { source: 'stray', target: 'trigger' }]);
    expect(issues).toContainEqual({ nodeId: 'trigger', message: 'a trigger has no input: remove the edge into it' });
  });

  it('refuses a cycle', () => {
    const issues = issuesOf([trigger, setNode('a'), setNode('b')], [
      { source: 'trigger', target: 'a' },
      { source: 'a', target: 'b' },
      { source: 'b', target: 'a' },
    ]);
    expect(issues).toContainEqual({ nodeId: 'a', message: 'the bundle has a cycle through this node: remove an edge' });
  });

  it('reports a cycle reachable from the trigger only as a cycle, not as disconnected nodes', () => {
    // b runs after a, which runs after the trigger: "not connected to the trigger" would be wrong.
    const issues = issuesOf([trigger, setNode('a'), setNode('b')], [
      { source: 'trigger', target: 'a' },
      { source: 'a', target: 'b' },
      { source: 'b', target: 'a' },
    ]);
    expect(issues).toEqual([{ nodeId: 'a', message: 'the bundle has a cycle through this node: remove an edge' }]);
  });

  it('refuses a branch edge without a handle or with an unknown one', () => {
    const edges = (sourceHandle?: string): GraphEdge[] => [
      { source: 'trigger', target: 'is_big' },
      { source: 'is_big', target: 'sms', ...(sourceHandle === undefined ? {} : { sourceHandle }) },
    ];
    const expected = [{ nodeId: 'is_big', field: 'sourceHandle', message: 'connect from one of the handles true, false' }];
    expect(issuesOf([trigger, branchNode, sms], edges())).toEqual(expected);
    expect(issuesOf([trigger, branchNode, sms], edges('maybe'))).toEqual(expected);
    expect(issuesOf([trigger, branchNode, sms], edges('false'))).toEqual([]);
  });

  it('refuses a handle on a node that has none', () => {
    const issues = issuesOf([trigger, sms], [{ ...toSms, sourceHandle: 'true' }]);
    expect(issues).toEqual([{ nodeId: 'trigger', field: 'sourceHandle', message: 'this node has no handle "true"' }]);
  });

  it('refuses a node not connected to the trigger', () => {
    const issues = issuesOf([trigger, sms, setNode('orphan')], [toSms]);
    expect(issues).toEqual([{ nodeId: 'orphan', message: 'not connected to the trigger: it would never run' }]);
  });

  it('needs a connection of the node’s provider', () => {
    expect(issuesOf([trigger, { ...sms, connectionId: null }], [toSms])).toEqual([
      { nodeId: 'sms', field: 'connectionId', message: 'choose a twilio connection' },
    ]);
    expect(issuesOf([{ ...trigger, connectionId: undefined }, sms], [toSms])).toEqual([
      { nodeId: 'trigger', field: 'connectionId', message: 'choose a retailcrm connection' },
    ]);
    expect(issuesOf([trigger, { ...sms, connectionId: 'conn_crm' }], [toSms])).toEqual([
      { nodeId: 'sms', field: 'connectionId', message: 'needs a twilio connection, not retailcrm' },
    ]);
    expect(issuesOf([trigger, { ...sms, connectionId: 'conn_deleted' }], [toSms])).toEqual([
      { nodeId: 'sms', field: 'connectionId', message: 'this connection does not exist (deleted?): choose another' },
    ]);
  });

  it('passes over a disabled action’s unfinished settings, but not a disabled trigger', () => {
    const { body: _body, ...noBody } = sms.config;
    const halfBuilt: TestNode = { ...sms, connectionId: null, config: noBody, disabled: true };
    expect(issuesOf([trigger, halfBuilt], [toSms])).toEqual([]);
    expect(issuesOf([trigger, { ...halfBuilt, disabled: false }], [toSms])).toHaveLength(2);
    expect(issuesOf([{ ...trigger, disabled: true }, sms], [toSms])).toEqual([
      { nodeId: 'trigger', field: 'disabled', message: 'a trigger cannot be disabled: stop the bundle instead' },
    ]);
  });

  it('accepts a for-each whose item steps read {{ item }} and each other, and a step after done reading its counts', () => {
    const loop: TestNode = { id: 'lines', type: 'core.for_each', config: { items: '{{ trigger.order.items }}' } };
    const perItem = setNode('per_item', { sku: '{{ item.offer.externalId }}', line: '{{ index }}' });
    const next = setNode('next', { again: '{{ steps.per_item.sku }}' });
    const after = setNode('after', { count: '{{ steps.lines.count }}' });
    const edges: GraphEdge[] = [
      { source: 'trigger', target: 'lines' },
      { source: 'lines', target: 'per_item', sourceHandle: 'item' },
      { source: 'per_item', target: 'next' },
      { source: 'lines', target: 'after', sourceHandle: 'done' },
    ];
    expect(issuesOf([trigger, loop, perItem, next, after], edges)).toEqual([]);
  });

  it('refuses item steps fed from outside the loop, shared with done, or another for-each inside', () => {
    const loop: TestNode = { id: 'lines', type: 'core.for_each', config: { items: '{{ trigger.order.items }}' } };
    const inner: TestNode = { id: 'inner', type: 'core.for_each', config: { items: '{{ item.parts }}' } };
    const wait: TestNode = { id: 'wait', type: 'core.wait_for_reply', connectionId: 'conn_twilio', config: { conversation: '{{ item.phone }}' } };
    const shared = setNode('shared');
    const edges: GraphEdge[] = [
      { source: 'trigger', target: 'lines' },
      { source: 'lines', target: 'inner', sourceHandle: 'item' },
      { source: 'lines', target: 'wait', sourceHandle: 'item' },
      { source: 'lines', target: 'shared', sourceHandle: 'item' },
      { source: 'lines', target: 'shared', sourceHandle: 'done' },
      { source: 'trigger', target: 'shared' },
    ];
    const messages = issuesOf([trigger, loop, inner, wait, shared], edges).map((i) => `${i.nodeId}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'inner: a for-each inside the item steps of "lines" is not supported: move it after "done"',
        'wait: waiting for a reply inside the item steps of "lines" is not supported: wait before the for-each or after "done"',
        'shared: runs both once per item of "lines" and after its "done": wire it from one of them',
        'shared: runs once per item of "lines", so it cannot also follow "trigger", which is outside the loop',
      ]),
    );
  });

  it('needs no connection for core actions', () => {
    expect(issuesOf([trigger, setNode('note')], [{ source: 'trigger', target: 'note' }])).toEqual([]);
  });

  it('reports an invalid config value on its field', () => {
    const { body: _body, ...noBody } = sms.config;
    expect(issuesOf([trigger, { ...sms, config: noBody }], [toSms])).toEqual([{ nodeId: 'sms', field: 'body', message: 'is required' }]);
    const tooLong = issuesOf([trigger, withSms({ body: 'x'.repeat(1601) })], [toSms]);
    expect(tooLong).toHaveLength(1);
    expect(tooLong[0]).toMatchObject({ nodeId: 'sms', field: 'body' });
    const badDelay = issuesOf([trigger, { id: 'wait', type: 'core.delay', config: { seconds: 'soon' } }], [{ source: 'trigger', target: 'wait' }]);
    expect(badDelay).toHaveLength(1);
    expect(badDelay[0]).toMatchObject({ nodeId: 'wait', field: 'seconds' });
  });

  it('leaves a templated value in a typed field to run time', () => {
    const wait: TestNode = { id: 'wait', type: 'core.delay', config: { seconds: '{{ trigger.id }}' } };
    expect(issuesOf([trigger, wait], [{ source: 'trigger', target: 'wait' }])).toEqual([]);
  });

  it('refuses a reference to a missing trigger field', () => {
    const issues = issuesOf([trigger, withSms({ body: 'Order {{ trigger.nope }} is paid' })], [toSms]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ nodeId: 'sms', field: 'body' });
    expect(issues[0]!.message).toContain('trigger.nope');
    expect(issues[0]!.message).toBe('{{ trigger.nope }}: the trigger "Order created or status changed" has no field nope');
  });

  it('follows references into the trigger’s nested output', () => {
    const ok = withSms({ body: '{{ trigger.order.items.first.offer.name }} ×{{ trigger.order.items.size }} for {{ trigger.order.customer.phones[0].number }}' });
    expect(issuesOf([trigger, ok], [toSms])).toEqual([]);
    // The order keeps every field RetailCRM sends (a loose object), but a status code is a string.
    expect(issuesOf([trigger, withSms({ to: '{{ trigger.order.customer.mobile }}' })], [toSms])).toEqual([]);
    const bad = issuesOf([trigger, withSms({ to: '{{ trigger.status.code }}' })], [toSms]);
    expect(bad).toEqual([{ nodeId: 'sms', field: 'to', message: '{{ trigger.status.code }}: the trigger "Order created or status changed" has no field status.code' }]);
  });

  it('reports references in nested config under their dot path', () => {
    const note = setNode('note', { order: { phone: '{{ trigger.customer.phone }}' } });
    const issues = issuesOf([trigger, note], [{ source: 'trigger', target: 'note' }]);
    expect(issues).toEqual([{ nodeId: 'note', field: 'fields.order.phone', message: expect.stringContaining('trigger.customer.phone') as unknown as string }]);
  });

  it('refuses a reference to a step that does not run before the node', () => {
    const note = setNode('note', { sid: '{{ steps.sms.sid }}' });
    const issues = issuesOf([trigger, sms, note], [toSms, { source: 'trigger', target: 'note' }]);
    expect(issues).toEqual([{ nodeId: 'note', field: 'fields.sid', message: '{{ steps.sms.sid }}: node "sms" does not run before this node' }]);
  });

  it('refuses a reference to a step that does not exist', () => {
    const note = setNode('note', { sid: '{{ steps.send_sms.sid }}' });
    const issues = issuesOf([trigger, sms, note], [toSms, { source: 'sms', target: 'note' }]);
    expect(issues).toEqual([{ nodeId: 'note', field: 'fields.sid', message: '{{ steps.send_sms.sid }}: there is no node "send_sms"' }]);
  });

  it('refuses a reference to a missing output field of an upstream step', () => {
    const note = setNode('note', { price: '{{ steps.sms.price }}' });
    const issues = issuesOf([trigger, sms, note], [toSms, { source: 'sms', target: 'note' }]);
    expect(issues).toEqual([{ nodeId: 'note', field: 'fields.price', message: '{{ steps.sms.price }}: "sms" (Send SMS) has no output field price' }]);
  });

  it('refuses an unknown root variable', () => {
    const issues = issuesOf([trigger, withSms({ body: 'Order {{ order.id }} is paid' })], [toSms]);
    expect(issues).toEqual([{ nodeId: 'sms', field: 'body', message: '{{ order.id }}: unknown variable; use trigger.… or steps.<node id>.…' }]);
  });

  it('refuses a template syntax error', () => {
    expect(issuesOf([trigger, withSms({ body: 'Order {{ trigger.id is paid' })], [toSms])).toEqual([
      { nodeId: 'sms', field: 'body', message: expect.stringMatching(/^template error: output "\{\{ trigger\.id is paid" not closed/) as unknown as string },
    ]);
    expect(issuesOf([trigger, withSms({ body: '{% if trigger.id %}paid' })], [toSms])).toEqual([
      { nodeId: 'sms', field: 'body', message: 'template error: tag {% if trigger.id %} not closed' },
    ]);
  });

  it('refuses duplicate node ids', () => {
    const issues = issuesOf([trigger, sms, { ...sms, position: { x: 300, y: 200 } }], [toSms]);
    expect(issues).toContainEqual({ nodeId: 'sms', field: 'id', message: 'two nodes are named "sms"' });
    expect(issues.filter((i) => i.field === 'id')).toHaveLength(1);
  });

  it('refuses a node id that templates could not name', () => {
    const result = validateGraph({ nodes: [trigger, { ...sms, id: 'Send-SMS' }], edges: [{ source: 'trigger', target: 'Send-SMS' }] }, connections);
    expect(result.graph).toBeNull();
    expect(result.issues).toEqual([
      { nodeId: 'Send-SMS', field: 'id', message: 'node ids are lower-case letters, digits and _ (they name the node in templates)' },
    ]);
  });

  it('refuses something that is not a graph', () => {
    const result = validateGraph({ nodes: 'trigger' }, connections);
    expect(result.graph).toBeNull();
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ field: 'nodes' });
  });
});

describe('schemaHasPath', () => {
  const order = toJsonSchema(
    z.object({
      id: z.number(),
      phone: z.string().optional(),
      customer: z.object({ name: z.string(), phones: z.array(z.object({ number: z.string() })) }),
      items: z.array(z.object({ sku: z.string(), qty: z.number() })),
      headers: z.record(z.string(), z.string()),
      extra: z.looseObject({ source: z.string() }),
      contact: z.union([z.object({ email: z.string() }), z.object({ phone: z.string() })]),
      note: z.string().nullable(),
      payload: z.any(),
    }),
    'output',
  );

  it('walks object properties', () => {
    expect(schemaHasPath(order, [])).toBe(true);
    expect(schemaHasPath(order, ['id'])).toBe(true);
    expect(schemaHasPath(order, ['customer', 'name'])).toBe(true);
    expect(schemaHasPath(order, ['customer', 'email'])).toBe(false);
    expect(schemaHasPath(order, ['total'])).toBe(false);
    expect(schemaHasPath(order, ['id', 'value'])).toBe(false);
  });

  it('walks arrays by index, first, last and size', () => {
    expect(schemaHasPath(order, ['items', 0, 'sku'])).toBe(true);
    expect(schemaHasPath(order, ['items', '0', 'sku'])).toBe(true);
    expect(schemaHasPath(order, ['items', 'first', 'qty'])).toBe(true);
    expect(schemaHasPath(order, ['items', 'last', 'sku'])).toBe(true);
    expect(schemaHasPath(order, ['items', 'size'])).toBe(true);
    expect(schemaHasPath(order, ['items', 'size', 'x'])).toBe(false);
    expect(schemaHasPath(order, ['items', 0, 'price'])).toBe(false);
    expect(schemaHasPath(order, ['items', 'sku'])).toBe(false);
    expect(schemaHasPath(order, ['customer', 'phones', 1, 'number'])).toBe(true);
    expect(schemaHasPath(order, ['customer', 'size'])).toBe(true);
  });

  it('admits any key of a record, and what its values allow', () => {
    expect(schemaHasPath(order, ['headers', 'x-request-id'])).toBe(true);
    expect(schemaHasPath(order, ['headers', 'content-type', 'charset'])).toBe(false);
    expect(schemaHasPath(order, ['extra', 'source'])).toBe(true);
    expect(schemaHasPath(order, ['extra', 'campaign', 'id'])).toBe(true);
  });

  it('admits a path any branch of a union admits', () => {
    expect(schemaHasPath(order, ['contact', 'email'])).toBe(true);
    expect(schemaHasPath(order, ['contact', 'phone'])).toBe(true);
    expect(schemaHasPath(order, ['contact', 'fax'])).toBe(false);
    expect(schemaHasPath(order, ['note', 'size'])).toBe(true);
    expect(schemaHasPath({ anyOf: [{ type: 'string' }, { type: 'null' }] }, ['length'])).toBe(false);
  });

  it('admits anything under an untyped schema and nothing under false', () => {
    expect(schemaHasPath(order, ['payload', 'deep', 0, 'x'])).toBe(true);
    expect(schemaHasPath(undefined, ['a'])).toBe(true);
    expect(schemaHasPath(true, ['a', 'b'])).toBe(true);
    expect(schemaHasPath(false, ['a'])).toBe(false);
    expect(schemaHasPath(false, [])).toBe(true);
  });
});

describe('what a bundle would fail on at every run is refused on save', () => {
  it('a field the trigger outputs only with a switch on (RetailCRM order without "Load the full order")', () => {
    const off = { ...trigger, config: { events: ['status'], statuses: ['paid'] } };
    const { issues } = validateGraph({ nodes: [off, sms], edges: [toSms] }, connections);
    expect(issues).toEqual([{ nodeId: 'sms', field: 'to', message: expect.stringMatching(/trigger\.order\.phone.*has order only with “Load the full order” on/) }]);
    expect(validateGraph({ nodes: [trigger, sms], edges: [toSms] }, connections).issues).toEqual([]);
    // The fields the webhook itself carries stay usable either way.
    expect(validateGraph({ nodes: [off, { ...sms, config: { ...sms.config, to: '+5511998765432' } }], edges: [toSms] }, connections).issues).toEqual([]);
  });

  it('a Tokopedia reply left without msg_id answers the chat that started the run, and is refused after a trigger that has none', () => {
    const tkpd: ConnectionRef[] = [...connections, { id: 'conn_tkpd', provider: 'tokopedia' }, { id: 'conn_guru', provider: 'guru' }];
    const reply = { id: 'reply', type: 'tokopedia.reply', connectionId: 'conn_tkpd', config: { text: 'Thanks!' } };
    const chat = { id: 'trigger', type: 'tokopedia.chat_message_received', connectionId: 'conn_tkpd', config: {} };
    expect(validateGraph({ nodes: [chat, reply], edges: [{ source: 'trigger', target: 'reply' }] }, tkpd).issues).toEqual([]);
    const sale = { id: 'trigger', type: 'guru.transaction_status_changed', connectionId: 'conn_guru', config: {} };
    const { issues } = validateGraph({ nodes: [sale, reply], edges: [{ source: 'trigger', target: 'reply' }] }, tkpd);
    expect(issues.map((i) => [i.nodeId, i.field])).toEqual([
      ['reply', 'msgId'],
      ['reply', 'buyerId'],
    ]);
    expect(issues[0]!.message).toMatch(/trigger\.msgId.*has no field msgId/);
  });
});
