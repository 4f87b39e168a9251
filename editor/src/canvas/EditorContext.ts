import { createContext, useContext } from 'react';
import type { NodeManifest, StepStatus, ValidationIssue } from '../api/types';
import type { Anchor } from './Popover';

/** What a node's own buttons ask the editor for. */
export interface CanvasActions {
  /** The "+" of an output handle (null: the default output). */
  openAddAfter: (nodeId: string, handle: string | null, anchor: Anchor) => void;
  openMenu: (nodeId: string, anchor: Anchor) => void;
}

/** What canvas nodes read besides their own data: kept out of node `data` so the graph stays plain JSON. */
export interface EditorView {
  manifests: Map<string, NodeManifest>;
  providerTitles: Map<string, string>;
  issuesByNode: Map<string, ValidationIssue[]>;
  /** Step status per node of the run being inspected, if any. */
  stepStatus: Map<string, StepStatus> | null;
  /** Null where the canvas is read-only. */
  actions: CanvasActions | null;
}

export const EditorViewContext = createContext<EditorView>({
  manifests: new Map(),
  providerTitles: new Map(),
  issuesByNode: new Map(),
  stepStatus: null,
  actions: null,
});

export function useEditorView(): EditorView {
  return useContext(EditorViewContext);
}
