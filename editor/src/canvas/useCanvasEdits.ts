// The editor's graph edits as undoable steps: add (at a point, or wired after a handle), duplicate,
// disable or enable, delete.
import { useCallback } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { Connection, NodeManifest } from '../api/types';
import { initialConnectionId } from '../inspector/connections';
import { defaultsFromSchema } from '../inspector/schemaFields';
import { addAfter as addAfterIn, duplicate as duplicateIn, placeAfter, setDisabled } from './edits';
import { nextNodeId, type BundleEdge, type BundleNode } from './graph';
import type { useFlowHistory } from './useFlowHistory';

type History = ReturnType<typeof useFlowHistory>;

/** The size a node is drawn at (styles.css .flow-node), close enough to keep it in view. */
const NODE_WIDTH = 220;
const NODE_HEIGHT = 70;
const MIN_READABLE_ZOOM = 0.6;

export function useCanvasEdits({
  history,
  manifests,
  connections,
  onRefused,
  onAdded,
}: {
  history: History;
  manifests: Map<string, NodeManifest>;
  connections: Connection[];
  onRefused: (message: string) => void;
  /** After a node is added (the editor shows its settings). */
  onAdded: (nodeId: string) => void;
}) {
  const rf = useReactFlow<BundleNode, BundleEdge>();
  const isTrigger = useCallback((type: string) => manifests.get(type)?.kind === 'trigger', [manifests]);

  const newNode = useCallback(
    (type: string, position: { x: number; y: number }): BundleNode | null => {
      const m = manifests.get(type);
      if (!m) return null;
      const current = history.current.current;
      if (m.kind === 'trigger' && current.nodes.some((n) => isTrigger(n.data.type))) {
        onRefused('A bundle has exactly one trigger. Remove the current trigger to use another.');
        return null;
      }
      const id = nextNodeId(type, current.nodes.map((n) => n.id));
      return { id, type: 'bundle', position, selected: true, data: { type, config: defaultsFromSchema(m.configSchema), connectionId: initialConnectionId(m, connections) } };
    },
    [manifests, history, isTrigger, connections, onRefused],
  );

  /** Adds a node at a point of the canvas (the centre of the view when none is given). */
  const addNode = useCallback(
    (type: string, position?: { x: number; y: number }) => {
      const count = history.current.current.nodes.length;
      const pos =
        position ??
        (() => {
          const el = document.querySelector('.canvas-wrap')?.getBoundingClientRect();
          const center = el ? rf.screenToFlowPosition({ x: el.left + el.width / 2, y: el.top + el.height / 2 }) : { x: 0, y: 0 };
          return { x: center.x - 110 + count * 12, y: center.y - 35 + count * 12 };
        })();
      const node = newNode(type, pos);
      if (!node) return;
      history.commit((s) => ({ nodes: [...s.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), node], edges: s.edges.map((e) => (e.selected ? { ...e, selected: false } : e)) }));
      onAdded(node.id);
    },
    [history, rf, newNode, onAdded],
  );

  /** Adds a node wired after a handle of `sourceId`, placed to its right where there is room. */
  const addAfter = useCallback(
    (sourceId: string, handle: string | null, type: string) => {
      const { nodes } = history.current.current;
      const source = nodes.find((n) => n.id === sourceId);
      if (!source) return;
      const handles = manifests.get(source.data.type)?.handles ?? [];
      const index = handle ? Math.max(0, handles.indexOf(handle)) : 0;
      const node = newNode(type, placeAfter(source, index, Math.max(1, handles.length), nodes));
      if (!node) return;
      history.commit((s) => addAfterIn(s, sourceId, handle, node));
      onAdded(node.id);
      // A node added beyond the edge of the view is brought into it (at the same zoom).
      const el = document.querySelector('.canvas-wrap');
      const { x: tx, y: ty, zoom } = rf.getViewport();
      if (el) {
        const w = el.clientWidth;
        const h = el.clientHeight;
        const left = node.position.x * zoom + tx;
        const top = node.position.y * zoom + ty;
        if (left < 0 || top < 0 || left + NODE_WIDTH * zoom > w || top + NODE_HEIGHT * zoom > h) {
          // The whole bundle when it fits at a readable zoom (never closer than now), else centred on the new node.
          const all = [...nodes, node];
          const minX = Math.min(...all.map((n) => n.position.x));
          const maxX = Math.max(...all.map((n) => n.position.x)) + NODE_WIDTH;
          const minY = Math.min(...all.map((n) => n.position.y));
          const maxY = Math.max(...all.map((n) => n.position.y)) + NODE_HEIGHT;
          const fit = Math.min(zoom, (w * 0.9) / (maxX - minX), (h * 0.9) / (maxY - minY));
          if (fit >= MIN_READABLE_ZOOM) void rf.setCenter((minX + maxX) / 2, (minY + maxY) / 2, { zoom: fit });
          else void rf.setCenter(node.position.x + NODE_WIDTH / 2, node.position.y + NODE_HEIGHT / 2, { zoom });
        }
      }
    },
    [history, manifests, newNode, onAdded, rf],
  );

  const duplicate = useCallback(
    (ids?: string[]) => {
      const current = history.current.current;
      const chosen = new Set(ids ?? current.nodes.filter((n) => n.selected).map((n) => n.id));
      if (![...chosen].some((id) => !isTrigger(current.nodes.find((n) => n.id === id)?.data.type ?? ''))) {
        if (chosen.size > 0) onRefused('A bundle has exactly one trigger: it cannot be duplicated.');
        return;
      }
      history.commit((s) => duplicateIn(s, chosen, isTrigger));
    },
    [history, isTrigger, onRefused],
  );

  const toggleDisabled = useCallback(
    (id: string) => {
      const node = history.current.current.nodes.find((n) => n.id === id);
      if (!node) return;
      history.commit((s) => ({ ...s, nodes: setDisabled(s.nodes, id, !node.data.disabled) }));
    },
    [history],
  );

  /** Deletes the given nodes (with their edges), or the selection. */
  const remove = useCallback(
    (ids?: string[]) => {
      const { nodes, edges } = history.current.current;
      const chosen = ids ? new Set(ids) : null;
      void rf.deleteElements({ nodes: nodes.filter((n) => (chosen ? chosen.has(n.id) : n.selected)), edges: chosen ? [] : edges.filter((e) => e.selected) });
    },
    [rf, history],
  );

  return { addNode, addAfter, duplicate, toggleDisabled, remove, isTrigger };
}
