import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Step } from '../api/types';
import { ForEachElements } from './ForEachElements';

const step = (output: unknown, nodeType = 'core.for_each') => ({ nodeId: 'lines', nodeType, output }) as unknown as Step;

describe('ForEachElements', () => {
  it('lists each item with its outcome and a failed one’s error', () => {
    render(
      <ForEachElements
        step={step({ count: 2, succeeded: 1, failed: 1, elements: [{ index: 0, status: 'succeeded' }, { index: 1, status: 'failed', error: { code: 'code_error', message: 'unknown sku' } }] })}
      />,
    );
    expect(screen.getByTestId('elements-lines').textContent).toContain('2 · 1 failed');
    expect(screen.getByTestId('element-lines-1').getAttribute('data-status')).toBe('failed');
    expect(screen.getByTestId('element-lines-1').textContent).toContain('unknown sku');
  });

  it('says so when the list was empty, and shows nothing for other steps', () => {
    const { rerender } = render(<ForEachElements step={step({ count: 0, succeeded: 0, failed: 0, elements: [] })} />);
    expect(screen.getByText(/The list was empty/)).toBeTruthy();
    rerender(<ForEachElements step={step({ elements: [] }, 'core.set')} />);
    expect(screen.queryByTestId('elements-lines')).toBeNull();
  });
});
