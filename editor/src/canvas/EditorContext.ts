import { createContext, useContext } from 'react';
import type { NodeManifest, StepStatus, ValidationIssue } from '../api/types';

/** What canvas nodes read besides their own data: kept out of node `data` so the graph stays plain JSON. */
export interface EditorView {
  manifests: Map<string, NodeManifest>;
  providerTitles: Map<string, string>;
  issuesByNode: Map<string, ValidationIssue[]>;
  /** Step status per node of the run being inspected, if any. */
  stepStatus: Map<string, StepStatus> | null;
}

export const EditorViewContext = createContext<EditorView>({
  manifests: new Map(),
  providerTitles: new Map(),
  issuesByNode: new Map(),
  stepStatus: null,
});

export function useEditorView(): EditorView {
  return useContext(EditorViewContext);
}
