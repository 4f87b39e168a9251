import type { NodeTypes } from '@xyflow/react';
import { FlowNode } from './FlowNode';

/** At module scope so React Flow never sees a new object and remounts every node. */
export const nodeTypes: NodeTypes = { bundle: FlowNode };
