// A step's node is found back from its step id, for every node id the graph allows and any element.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nodeIdPattern } from '@bundles/shared';
import { elementStepId, stepNodeId } from './for-each.js';

const nodeId = fc.stringMatching(nodeIdPattern);

describe('stepNodeId', () => {
  it('gives the node of an element step and of a plain step', () => {
    fc.assert(
      fc.property(nodeId, fc.nat(), (id, index) => {
        expect(stepNodeId(id)).toBe(id);
        expect(stepNodeId(elementStepId(id, index))).toBe(id);
      }),
    );
  });

  it('names examples as the run view shows them', () => {
    expect(stepNodeId('post[3]')).toBe('post');
    expect(stepNodeId('sms')).toBe('sms');
  });
});
