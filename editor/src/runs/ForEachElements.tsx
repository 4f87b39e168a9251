// A for-each step's elements as a list with each one's outcome (its output's `elements`), failures first
// in attention: the step ids of an element's steps are `<node>[<index>]`.
import type { Step } from '../api/types';
import { StatusPill } from '../components/ui';

interface Element {
  index: number;
  status: 'succeeded' | 'failed' | 'filtered';
  error?: { code: string; message: string };
}

const SHOWN = 200;

export function elementsOf(step: Pick<Step, 'nodeType' | 'output'>): Element[] | null {
  if (step.nodeType !== 'core.for_each') return null;
  const elements = (step.output as { elements?: unknown } | null)?.elements;
  return Array.isArray(elements) ? (elements as Element[]) : null;
}

export function ForEachElements({ step }: { step: Step }) {
  const elements = elementsOf(step);
  if (!elements) return null;
  const failed = elements.filter((e) => e.status === 'failed').length;
  return (
    <div className="for-each-elements" data-testid={`elements-${step.nodeId}`}>
      <h4>
        Items <span className="muted small">{elements.length} · {failed} failed</span>
      </h4>
      {elements.length === 0 && <p className="muted small">The list was empty: no item steps ran.</p>}
      <ol start={0}>
        {elements.slice(0, SHOWN).map((e) => (
          <li key={e.index} data-testid={`element-${step.nodeId}-${e.index}`} data-status={e.status}>
            <span className="muted">#{e.index}</span> <StatusPill status={e.status} />
            {e.error && (
              <span className="small">
                {' '}
                <code>{e.error.code}</code> {e.error.message}
              </span>
            )}
          </li>
        ))}
      </ol>
      {elements.length > SHOWN && <p className="muted small">…and {elements.length - SHOWN} more (all in the output below).</p>}
    </div>
  );
}
