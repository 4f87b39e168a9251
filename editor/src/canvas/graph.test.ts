import { describe, expect, it } from 'vitest';
import type { Graph, NodeManifest } from '../api/types';
import { canvasToGraph, createsCycle, graphToCanvas, layoutGraph, nextNodeId } from './graph';

const manifest = (id: string, kind: 'trigger' | 'action', handles: string[] = []): NodeManifest => ({
  id,
  kind,
  provider: id.split('.')[0] ?? id,
  title: id,
  configSchema: { type: 'object', properties: {} },
  outputSchema: { type: 'object', properties: {} },
  handles,
  needsConnection: true,
  connectionOptional: false,
  connectionProvider: id.split('.')[0] ?? id,
  effect: kind === 'trigger' ? 'read' : 'write',
});
const manifests = new Map([
  ['retailcrm.order_changed', manifest('retailcrm.order_changed', 'trigger')],
  ['core.branch', manifest('core.branch', 'action', ['true', 'false'])],
  ['twilio.send_sms', manifest('twilio.send_sms', 'action')],
]);

const w1: Graph = {
  nodes: [
    { id: 'trigger', type: 'retailcrm.order_changed', connectionId: 'c1', config: { statuses: ['paid'] }, position: { x: 0, y: 0 } },
    { id: 'branch', type: 'core.branch', config: {}, position: { x: 300, y: 0 } },
    { id: 'sms', type: 'twilio.send_sms', connectionId: 'c2', config: { to: '{{ trigger.order.phone }}' }, position: { x: 600, y: 0 }, label: 'Thank you SMS' },
  ],
  edges: [
    { source: 'trigger', target: 'branch' },
    { source: 'branch', target: 'sms', sourceHandle: 'true' },
  ],
};

describe('graph ↔ canvas', () => {
  it('round-trips a graph, keeping named handles and null default handles', () => {
    const { nodes, edges } = graphToCanvas(w1, manifests);
    expect(edges[0]?.sourceHandle).toBe('out');
    expect(edges[1]?.sourceHandle).toBe('true');
    const back = canvasToGraph(nodes, edges);
    expect(back.nodes).toEqual(w1.nodes.map((n) => ({ ...n, connectionId: n.connectionId ?? null })));
    expect(back.edges.map(({ source, target, sourceHandle }) => ({ source, target, sourceHandle }))).toEqual([
      { source: 'trigger', target: 'branch', sourceHandle: null },
      { source: 'branch', target: 'sms', sourceHandle: 'true' },
    ]);
  });
});

describe('nextNodeId', () => {
  it('derives readable ids from the node type', () => {
    expect(nextNodeId('twilio.send_sms', [])).toBe('send_sms');
    expect(nextNodeId('twilio.send_sms', ['send_sms'])).toBe('send_sms_2');
    expect(nextNodeId('twilio.send_sms', ['send_sms', 'send_sms_2'])).toBe('send_sms_3');
  });
});

describe('createsCycle', () => {
  it('refuses self loops and back edges', () => {
    const edges = [{ source: 'a', target: 'b' }, { source: 'b', target: 'c' }];
    expect(createsCycle('a', 'a', edges)).toBe(true);
    expect(createsCycle('c', 'a', edges)).toBe(true);
    expect(createsCycle('a', 'c', edges)).toBe(false);
  });
});

describe('layoutGraph', () => {
  it('puts each node in the column of its longest distance from the trigger', () => {
    const nodes = [
      { id: 't', position: { x: 500, y: 500 } },
      { id: 'a', position: { x: 0, y: 0 } },
      { id: 'b', position: { x: 0, y: 100 } },
      { id: 'c', position: { x: 0, y: 200 } },
    ];
    const laid = layoutGraph(nodes, [
      { source: 't', target: 'a' },
      { source: 't', target: 'b' },
      { source: 'a', target: 'c' },
      { source: 'b', target: 'c' },
    ]);
    const x = Object.fromEntries(laid.map((n) => [n.id, n.position.x]));
    expect(x).toEqual({ t: 0, a: 300, b: 300, c: 600 });
    const ya = laid.find((n) => n.id === 'a')?.position.y ?? 0;
    const yb = laid.find((n) => n.id === 'b')?.position.y ?? 0;
    expect(ya).toBeLessThan(yb);
  });
});
