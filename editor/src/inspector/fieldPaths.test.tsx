import { useState } from 'react';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fixtureManifests } from '../test-fixtures';
import { pathExpression, pickerGroups, previewContext, sampleFromSchema, schemaPaths, upstreamNodeIds } from './fieldPaths';
import { TemplateInput } from './TemplateInput';

const nodes = [
  { id: 'order_changed', type: 'retailcrm.order_changed', config: { loadOrder: true } },
  { id: 'get_order', type: 'retailcrm.get_order' },
  { id: 'send_sms', type: 'twilio.send_sms' },
  { id: 'send_sms_2', type: 'twilio.send_sms' },
];
const edges = [
  { source: 'order_changed', target: 'get_order' },
  { source: 'get_order', target: 'send_sms' },
  { source: 'send_sms', target: 'send_sms_2' },
];

describe('field paths from upstream output schemas', () => {
  it('walks upstream nodes only, nearest first', () => {
    expect(upstreamNodeIds('send_sms', edges)).toEqual(['get_order', 'order_changed']);
    expect(upstreamNodeIds('order_changed', edges)).toEqual([]);
  });

  it('lists nested paths of an output schema, with array items as [0]', () => {
    const paths = schemaPaths(fixtureManifests.get('retailcrm.order_changed')?.outputSchema).map((p) => pathExpression('trigger', p.segments));
    expect(paths).toContain('trigger.id');
    expect(paths).toContain('trigger.status');
    expect(paths).toContain('trigger.order.phone');
    expect(paths).toContain('trigger.order.customer.phones[0].number');
  });

  it('offers {{ item }} and {{ index }} in the steps after a for-each’s item handle only', () => {
    const loopNodes = [...nodes, { id: 'lines', type: 'core.for_each' }, { id: 'per_line', type: 'core.set' }, { id: 'after', type: 'core.set' }];
    const loopEdges = [
      ...edges,
      { source: 'order_changed', target: 'lines', sourceHandle: 'out' },
      { source: 'lines', target: 'per_line', sourceHandle: 'item' },
      { source: 'lines', target: 'after', sourceHandle: 'done' },
    ];
    const roots = (id: string) => pickerGroups(id, loopNodes, loopEdges, fixtureManifests).map((g) => g.root);
    expect(roots('per_line')).toContain('item');
    expect(pickerGroups('per_line', loopNodes, loopEdges, fixtureManifests).find((g) => g.root === 'item')!.fields.map((f) => f.expression)).toEqual(['item', 'index']);
    expect(roots('after')).not.toContain('item');
  });

  it('groups fields by upstream node: the trigger as trigger.…, actions as steps.<id>.…', () => {
    const groups = pickerGroups('send_sms_2', nodes, edges, fixtureManifests);
    expect(groups.map((g) => g.root)).toEqual(['trigger', 'steps.send_sms', 'steps.get_order']);
    const sms = groups.find((g) => g.nodeId === 'send_sms');
    expect(sms?.fields.map((f) => f.expression)).toContain('steps.send_sms.sid');
  });

  it("offers a trigger's conditional fields only with the config that makes them (RetailCRM's order with Load the full order)", () => {
    const withOrder = pickerGroups('send_sms', nodes, edges, fixtureManifests)[0]!.fields.map((f) => f.expression);
    expect(withOrder).toContain('trigger.order.phone');
    const off = nodes.map((n) => (n.id === 'order_changed' ? { ...n, config: { loadOrder: false } } : n));
    const without = pickerGroups('send_sms', off, edges, fixtureManifests)[0]!.fields.map((f) => f.expression);
    expect(without).not.toContain('trigger.order.phone');
    expect(without).toContain('trigger.id');
  });

  it('attaches last-run values where a run produced them', () => {
    const groups = pickerGroups('send_sms', nodes, edges, fixtureManifests, { trigger: { id: '1042', status: 'paid', event: 'status' }, steps: {} });
    const id = groups[0]?.fields.find((f) => f.expression === 'trigger.id');
    expect(id).toMatchObject({ hasValue: true, value: '1042' });
  });

  it('builds a preview context from samples when no run exists', () => {
    const { context, fromRun } = previewContext('send_sms', nodes, edges, fixtureManifests);
    expect(fromRun).toBe(false);
    expect(context.trigger).toMatchObject({ id: '1001', status: 'paid', event: 'new' });
    expect(context.steps).toHaveProperty('get_order');
    expect(sampleFromSchema({ type: 'string', examples: ['+15550001111'] })).toBe('+15550001111');
  });
});

function Field({ initial = '' }: { initial?: string }) {
  const [value, setValue] = useState(initial);
  const groups = pickerGroups('send_sms', nodes, edges, fixtureManifests, { trigger: { id: '1042', status: 'paid', event: 'status' }, steps: {} });
  const { context, fromRun } = previewContext('send_sms', nodes, edges, fixtureManifests, { trigger: { id: '1042', status: 'paid', event: 'status' }, steps: {} });
  return <TemplateInput id="body" testId="field-body" value={value} onChange={setValue} multiline sms support={{ groups, context, fromRun }} />;
}

describe('TemplateInput with the field picker', () => {
  it('inserts {{ trigger.path }} at the cursor and previews the rendered text', async () => {
    const user = userEvent.setup();
    render(<Field initial="Order  is paid. Thank you!" />);
    const box = screen.getByTestId('field-body') as HTMLTextAreaElement;
    box.focus();
    box.setSelectionRange(6, 6);
    await user.click(screen.getByTestId('field-body-insert'));
    expect(screen.getByTestId('field-picker')).toBeTruthy();
    expect(screen.getByTestId('picker-field-trigger.id').textContent).toContain('1042');
    await user.click(screen.getByTestId('picker-field-trigger.id'));
    expect(box.value).toBe('Order {{ trigger.id }} is paid. Thank you!');
    expect(screen.getByTestId('field-body-preview').textContent).toContain('Order 1042 is paid. Thank you!');
    expect(screen.getByTestId('field-body-preview').textContent).toContain('last run');
    expect(screen.getByTestId('sms-chars').textContent).toBe('30 characters');
  });

  it('shows a template error for an unknown variable', () => {
    render(<Field initial="Hi {{ trigger.nope }}" />);
    expect(screen.getByTestId('field-body-preview').textContent).toMatch(/Template error/);
  });

  it('filters the picker by search', async () => {
    const user = userEvent.setup();
    render(<Field />);
    await user.click(screen.getByTestId('field-body-insert'));
    await user.type(screen.getByLabelText('Search fields'), 'phones');
    expect(screen.getByTestId('picker-field-trigger.order.customer.phones[0].number')).toBeTruthy();
    expect(screen.queryByTestId('picker-field-trigger.id')).toBeNull();
  });
});

describe('recorded data behind the picker', () => {
  it('offers the fields a pinned event has where the schema leaves the value open, with their values', () => {
    const hookNodes = [
      { id: 'webhook', type: 'core.webhook' },
      { id: 'send_sms', type: 'twilio.send_sms' },
    ];
    const hookEdges = [{ source: 'webhook', target: 'send_sms' }];
    const trigger = { body: { order: '7001', buyer: { phone: '+5511' } }, query: {} };
    const [group] = pickerGroups('send_sms', hookNodes, hookEdges, fixtureManifests, { trigger, steps: {} });
    const byExpr = new Map(group!.fields.map((f) => [f.expression, f]));
    expect(byExpr.get('trigger.body.order')).toMatchObject({ value: '7001', hasValue: true, type: 'string' });
    expect(byExpr.get('trigger.body.buyer.phone')).toMatchObject({ value: '+5511' });
    // Without recorded data only the declared fields are offered.
    const bare = pickerGroups('send_sms', hookNodes, hookEdges, fixtureManifests)[0]!.fields.map((f) => f.expression);
    expect(bare).not.toContain('trigger.body.order');
  });
});

