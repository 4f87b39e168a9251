// The minimap only when it helps: when some node lies outside the canvas's view (an empty box otherwise).
import { MiniMap, getNodesBounds, useStore, type ReactFlowState } from '@xyflow/react';

/** Whether the nodes' bounds reach outside what the canvas shows now (in flow coordinates). */
export function graphOutsideView(bounds: { x: number; y: number; width: number; height: number } | null, view: { width: number; height: number; transform: [number, number, number] }): boolean {
  if (!bounds || view.width === 0 || view.height === 0) return false;
  const [tx, ty, zoom] = view.transform;
  const left = -tx / zoom;
  const top = -ty / zoom;
  return bounds.x < left || bounds.y < top || bounds.x + bounds.width > left + view.width / zoom || bounds.y + bounds.height > top + view.height / zoom;
}

const selectNeeded = (s: ReactFlowState) => {
  const nodes = [...s.nodeLookup.values()];
  const bounds = nodes.length ? getNodesBounds(nodes) : null;
  return graphOutsideView(bounds, { width: s.width, height: s.height, transform: s.transform });
};

export function MiniMapWhenNeeded() {
  const needed = useStore(selectNeeded);
  return needed ? <MiniMap pannable zoomable ariaLabel="Mini map" /> : null;
}
