// The Test tab answers a bundle's "Wait for reply" steps: the text typed for a step is its reply, none its timeout.
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestRun } from '../api/types';
import { TestPanel } from './TestPanel';
import { testApi } from './testApi';

const flowId = '0190e0a0-0000-7000-8000-0000000000f1';
const answered = (replies: unknown): TestRun => ({
  id: '0190e0a0-0000-7000-8000-0000000000e1',
  test: true,
  flowId,
  status: 'succeeded',
  eventId: null,
  nodeId: null,
  live: false,
  trigger: {},
  steps: [],
  startedAt: '2026-12-03T09:00:00.000Z',
  finishedAt: replies ? '2026-12-03T09:00:01.000Z' : '2026-12-03T09:00:00.500Z',
});

function renderPanel() {
  vi.spyOn(testApi, 'events').mockResolvedValue([]);
  vi.spyOn(testApi, 'sample').mockResolvedValue({ payload: { body: { order: 'A-17', phone: '+5511998765432' } } });
  const run = vi.spyOn(testApi, 'run').mockImplementation(async (_id, body) => answered(body.replies));
  render(
    <TestPanel
      flowId={flowId}
      triggerKey="core.webhook"
      selected={null}
      manifests={new Map()}
      waits={[{ id: 'wait', title: 'Wait for YES' }]}
      flush={async () => true}
      result={null}
      onResult={() => undefined}
      pinned={null}
      onPin={() => undefined}
    />,
  );
  return run;
}

afterEach(() => vi.restoreAllMocks());

describe('TestPanel replies', () => {
  it('answers a wait for a reply with the text typed, and sends none when the box is empty (the wait times out)', async () => {
    const user = userEvent.setup();
    const run = renderPanel();
    await waitFor(() => expect((screen.getByTestId('test-sample') as HTMLTextAreaElement).value).toContain('A-17'));
    expect(screen.getByText('Answer “Wait for YES” with…')).toBeTruthy();
    await user.click(screen.getByTestId('test-bundle'));
    await waitFor(() => expect(run).toHaveBeenCalledTimes(1));
    expect(run.mock.calls[0]![1]).not.toHaveProperty('replies');

    await user.type(screen.getByTestId('test-reply-wait'), ' YES ');
    await user.click(screen.getByTestId('test-bundle'));
    await waitFor(() => expect(run).toHaveBeenCalledTimes(2));
    expect(run.mock.calls[1]![1]).toMatchObject({ replies: { wait: { text: 'YES' } } });
  });
});
