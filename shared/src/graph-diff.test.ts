import { describe, expect, it } from 'vitest';
import { diffGraphs, isEmptyDiff } from './graph-diff.js';
import type { FlowGraph } from './graph.js';

const v1: FlowGraph = {
  nodes: [
    { id: 'trigger', type: 'guru.transaction_status_changed', connectionId: 'c1', config: { statuses: ['approved'] }, position: { x: 0, y: 0 } },
    { id: 'sms', type: 'twilio.send_sms', connectionId: 't1', config: { from: '+1555', to: '{{ trigger.contact.phone }}', body: 'Hi' }, position: { x: 200, y: 0 } },
  ],
  edges: [{ source: 'trigger', target: 'sms' }],
};

describe('diffGraphs', () => {
  it('finds nothing between a graph and itself, or one only moved on the canvas', () => {
    expect(isEmptyDiff(diffGraphs(v1, v1))).toBe(true);
    const moved = { ...v1, nodes: v1.nodes.map((n) => ({ ...n, position: { x: n.position.x + 40, y: 90 } })) };
    expect(isEmptyDiff(diffGraphs(v1, moved))).toBe(true);
    // Key order of a config is no change either.
    const reordered = { ...v1, nodes: [v1.nodes[0]!, { ...v1.nodes[1]!, config: { body: 'Hi', to: '{{ trigger.contact.phone }}', from: '+1555' } }] };
    expect(isEmptyDiff(diffGraphs(v1, reordered))).toBe(true);
  });

  it('lists nodes added and removed, changed fields with both values, and the wiring', () => {
    const v2: FlowGraph = {
      nodes: [
        { ...v1.nodes[0]!, config: { statuses: ['approved', 'completed'] } },
        { id: 'wait', type: 'core.delay', connectionId: null, config: { seconds: 60 }, position: { x: 100, y: 0 } },
        { ...v1.nodes[1]!, connectionId: 't2', config: { from: '+1555', to: '{{ trigger.contact.phone }}', body: 'Olá', maxSegments: 1 } },
      ],
      edges: [
        { source: 'trigger', target: 'wait' },
        { source: 'wait', target: 'sms' },
      ],
    };
    const d = diffGraphs(v1, v2);
    expect(d.added.map((n) => n.id)).toEqual(['wait']);
    expect(d.removed).toEqual([]);
    expect(d.changed).toEqual([
      { nodeId: 'trigger', type: 'guru.transaction_status_changed', fields: [{ field: 'config.statuses', before: ['approved'], after: ['approved', 'completed'] }] },
      {
        nodeId: 'sms',
        type: 'twilio.send_sms',
        fields: [
          { field: 'connectionId', before: 't1', after: 't2' },
          { field: 'config.body', before: 'Hi', after: 'Olá' },
          { field: 'config.maxSegments', before: null, after: 1 },
        ],
      },
    ]);
    expect(d.edgesAdded.map((e) => `${e.source}→${e.target}`)).toEqual(['trigger→wait', 'wait→sms']);
    expect(d.edgesRemoved.map((e) => `${e.source}→${e.target}`)).toEqual(['trigger→sms']);
    const back = diffGraphs(v2, v1);
    expect(back.removed.map((n) => n.id)).toEqual(['wait']);
  });
});
