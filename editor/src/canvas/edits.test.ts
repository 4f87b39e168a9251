import { describe, expect, it } from 'vitest';
import { addAfter, duplicate, placeAfter, setDisabled } from './edits';
import { canvasToGraph, type BundleNode } from './graph';

const node = (id: string, type: string, x: number, y: number, extra: Partial<BundleNode['data']> = {}): BundleNode => ({
  id,
  type: 'bundle',
  position: { x, y },
  data: { type, config: { to: '{{ trigger.phone }}', nested: { a: 1 } }, connectionId: null, ...extra },
});
const trigger = node('trigger', 'retailcrm.order_changed', 0, 0);
const branch = node('branch', 'core.branch', 300, 0);
const isTrigger = (type: string) => type === 'retailcrm.order_changed';

describe('placeAfter', () => {
  it('puts the node one column right of its source, at the handle’s row', () => {
    expect(placeAfter(trigger, 0, 1, [trigger])).toEqual({ x: 300, y: 0 });
    expect(placeAfter(branch, 0, 2, [trigger, branch])).toEqual({ x: 600, y: -65 });
    expect(placeAfter(branch, 1, 2, [trigger, branch])).toEqual({ x: 600, y: 65 });
  });

  it('moves down past the nodes already there', () => {
    const there = [trigger, node('a', 'core.set', 300, 0), node('b', 'core.set', 310, 130)];
    expect(placeAfter(trigger, 0, 1, there)).toEqual({ x: 300, y: 260 });
  });
});

describe('addAfter', () => {
  it('adds the node wired from the handle, selected alone', () => {
    const state = { nodes: [{ ...trigger, selected: true }, branch], edges: [] };
    const next = addAfter(state, 'branch', 'true', node('sms', 'twilio.send_sms', 600, -65));
    expect(next.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(['sms']);
    expect(canvasToGraph(next.nodes, next.edges).edges).toEqual([{ id: 'e_branch_true_sms', source: 'branch', target: 'sms', sourceHandle: 'true' }]);
    const plain = addAfter(state, 'trigger', null, node('set', 'core.set', 300, 0));
    expect(canvasToGraph(plain.nodes, plain.edges).edges).toEqual([{ id: 'e_trigger_out_set', source: 'trigger', target: 'set', sourceHandle: null }]);
  });
});

describe('duplicate', () => {
  it('copies actions with fresh ids, an independent config and the edges between the copies; never the trigger', () => {
    const sms = node('send_sms', 'twilio.send_sms', 600, 0);
    const state = {
      nodes: [trigger, branch, sms],
      edges: [
        { id: 'e1', source: 'trigger', target: 'branch', sourceHandle: 'out' },
        { id: 'e2', source: 'branch', target: 'send_sms', sourceHandle: 'true' },
      ],
    };
    const next = duplicate(state, new Set(['trigger', 'branch', 'send_sms']), isTrigger);
    const copies = next.nodes.filter((n) => n.selected);
    expect(copies.map((n) => [n.id, n.position])).toEqual([
      ['branch_2', { x: 340, y: 40 }],
      ['send_sms_2', { x: 640, y: 40 }],
    ]);
    expect(next.edges.slice(2).map((e) => [e.source, e.sourceHandle, e.target])).toEqual([['branch_2', 'true', 'send_sms_2']]);
    (copies[1]!.data.config.nested as { a: number }).a = 2;
    expect((sms.data.config.nested as { a: number }).a).toBe(1);
    expect(duplicate(state, new Set(['trigger']), isTrigger)).toBe(state);
  });
});

describe('setDisabled', () => {
  it('turns a node off and on; the saved graph says so only while off', () => {
    const off = setDisabled([trigger, branch], 'branch', true);
    expect(canvasToGraph(off, []).nodes[1]).toMatchObject({ id: 'branch', disabled: true });
    const on = setDisabled(off, 'branch', false);
    expect(canvasToGraph(on, []).nodes[1]).not.toHaveProperty('disabled');
  });
});
