import { describe, expect, it } from 'vitest';
import { graphOutsideView } from './MiniMapWhenNeeded';

const view = { width: 800, height: 600, transform: [0, 0, 1] as [number, number, number] };

describe('graphOutsideView', () => {
  it('is false while every node is in view, true once one is outside it, and follows pan and zoom', () => {
    expect(graphOutsideView(null, view)).toBe(false);
    expect(graphOutsideView({ x: 10, y: 10, width: 500, height: 200 }, view)).toBe(false);
    expect(graphOutsideView({ x: 10, y: 10, width: 900, height: 200 }, view)).toBe(true);
    // Panned right by 100 px: a node at x = -50 is in view again.
    expect(graphOutsideView({ x: -50, y: 10, width: 500, height: 200 }, { ...view, transform: [100, 0, 1] })).toBe(false);
    // Zoomed in twice: 500 flow px need 1,000 screen px.
    expect(graphOutsideView({ x: 0, y: 0, width: 500, height: 200 }, { ...view, transform: [0, 0, 2] })).toBe(true);
    // Not measured yet: nothing to say.
    expect(graphOutsideView({ x: 0, y: 0, width: 5000, height: 200 }, { ...view, width: 0 })).toBe(false);
  });
});
