import type { ReactNode } from 'react';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from '../api/client';
import type { Run, RunDetail, Step } from '../api/types';
import { ConfirmProvider } from '../components/confirm';
import { ToastProvider } from '../components/toast';
import { fixtureManifests, fixtureProviders } from '../test-fixtures';
import { RunsPanel } from './RunsPanel';

const providerTitles = new Map(fixtureProviders.map((p) => [p.id, p.title]));
const at = '2025-01-01T10:00:00.000Z';

const run = (status: Run['status'], extra: Partial<Run> = {}): Run => ({
  id: 'run1',
  flowId: 'f1',
  versionId: 'v1',
  eventId: 'e1',
  status,
  error: null,
  createdAt: at,
  startedAt: at,
  finishedAt: status === 'running' ? null : at,
  ...extra,
});

const waStep = (extra: Partial<Step> = {}): Step => ({
  nodeId: 'wa',
  nodeType: 'whatsapp.send_text',
  status: 'uncertain',
  input: { to: '5511998765432', text: 'Hi' },
  output: null,
  error: { code: 'outcome_unknown', message: 'The connection closed before WhatsApp answered.', ambiguous: true, provider: 'whatsapp' },
  attempts: 1,
  startedAt: at,
  finishedAt: at,
  resolution: null,
  ...extra,
});

const detail = (status: Run['status'], steps: Step[]): RunDetail => ({ ...run(status), trigger: { body: {} }, steps });

function Providers({ children }: { children: ReactNode }) {
  return (
    <ToastProvider>
      <ConfirmProvider>{children}</ConfirmProvider>
    </ToastProvider>
  );
}

function renderDetail(openRun: RunDetail, onRunChanged = vi.fn()) {
  render(
    <Providers>
      <RunsPanel runs={[run(openRun.status)]} runsError={undefined} openRunId={openRun.id} openRun={openRun} openRunError={undefined} manifests={fixtureManifests} providerTitles={providerTitles} onOpen={vi.fn()} onRetried={vi.fn()} onRunChanged={onRunChanged} />
    </Providers>,
  );
  return onRunChanged;
}

afterEach(() => vi.restoreAllMocks());

describe('an uncertain run', () => {
  it('says what uncertain means, shows the step’s error and both ways to settle it', () => {
    renderDetail(detail('uncertain', [waStep()]));
    expect(screen.getByTestId('run-uncertain-banner').textContent).toContain('Uncertain — may or may not have been sent');
    const step = screen.getByTestId('step-wa');
    expect(step.getAttribute('data-status')).toBe('uncertain');
    expect(within(step).getByTestId('step-error-wa').textContent).toContain('The connection closed before WhatsApp answered.');
    expect(within(step).getByText(/check in WhatsApp Cloud API/)).toBeTruthy();
    expect(within(step).getByTestId('step-send-again-wa').textContent).toBe('Send again');
    expect(within(step).getByText(/checked and the message did not go out/)).toBeTruthy();
    expect(within(step).getByTestId('step-mark-done-wa').textContent).toBe('Mark as done');
    // Retrying the run is for failed runs; this one waits for a decision.
    expect(screen.queryByTestId('run-retry')).toBeNull();
  });

  it('marks the step done after a confirmation, with the buttons disabled meanwhile, then a toast and a refresh', async () => {
    const user = userEvent.setup();
    let answer: (d: RunDetail) => void = () => undefined;
    const fresh = detail('queued', [waStep({ status: 'succeeded', resolution: 'marked_done' })]);
    const resolve = vi.spyOn(api.runs, 'resolve').mockReturnValue(new Promise<RunDetail>((r) => (answer = r)));
    const onRunChanged = renderDetail(detail('uncertain', [waStep()]));

    await user.click(screen.getByTestId('step-mark-done-wa'));
    const dialog = screen.getByTestId('confirm-dialog');
    expect(within(dialog).getByText(/steps after it run/)).toBeTruthy();
    await user.click(within(dialog).getByTestId('confirm-ok'));
    expect(resolve).toHaveBeenCalledWith('run1', 'wa', 'mark_done');
    expect((screen.getByTestId('step-mark-done-wa') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('step-send-again-wa') as HTMLButtonElement).disabled).toBe(true);

    answer(fresh);
    await waitFor(() => expect(onRunChanged).toHaveBeenCalledWith(fresh));
    expect(screen.getByText('Marked as done: the run goes on')).toBeTruthy();
  });

  it('sends nothing when the confirmation is cancelled', async () => {
    const user = userEvent.setup();
    const resolve = vi.spyOn(api.runs, 'resolve');
    renderDetail(detail('uncertain', [waStep()]));
    await user.click(screen.getByTestId('step-send-again-wa'));
    expect(within(screen.getByTestId('confirm-dialog')).getByText(/goes out twice/)).toBeTruthy();
    await user.click(within(screen.getByTestId('confirm-dialog')).getByRole('button', { name: 'Cancel' }));
    expect(resolve).not.toHaveBeenCalled();
  });

  it('shows the server’s answer when the step was settled meanwhile, and reloads the run', async () => {
    const user = userEvent.setup();
    vi.spyOn(api.runs, 'resolve').mockRejectedValue(new ApiError(409, 'not_uncertain', 'Only an uncertain step can be settled; wa is succeeded.'));
    const onRunChanged = renderDetail(detail('uncertain', [waStep()]));
    await user.click(screen.getByTestId('step-send-again-wa'));
    await user.click(screen.getByTestId('confirm-ok'));
    expect((await screen.findByTestId('resolve-error')).textContent).toBe('Only an uncertain step can be settled; wa is succeeded.');
    expect(onRunChanged).toHaveBeenCalledWith();
    expect((screen.getByTestId('step-send-again-wa') as HTMLButtonElement).disabled).toBe(false);
  });

  it('a settled step shows how it was settled, and its old error as history', () => {
    renderDetail(detail('succeeded', [waStep({ status: 'succeeded', resolution: 'marked_done' }), { ...waStep({ status: 'succeeded', resolution: 'sent_again', error: null }), nodeId: 'wa2' }]));
    expect(within(screen.getByTestId('step-wa')).getByTestId('step-resolution').textContent).toBe('Marked done by hand');
    expect(within(screen.getByTestId('step-wa2')).getByTestId('step-resolution').textContent).toBe('Sent again');
    expect(screen.queryByTestId('uncertain-actions-wa')).toBeNull();
    expect(screen.getByTestId('step-error-wa').textContent).toMatch(/^Before it was settled: outcome_unknown/);
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('the runs list', () => {
  it('sets uncertain runs apart', () => {
    render(
      <Providers>
        <RunsPanel
          runs={[run('uncertain', { id: 'r1', error: { message: 'outcome unknown' } }), run('succeeded', { id: 'r2' })]}
          runsError={undefined}
          openRunId={null}
          openRun={undefined}
          openRunError={undefined}
          manifests={fixtureManifests}
          providerTitles={providerTitles}
          onOpen={vi.fn()}
          onRetried={vi.fn()}
          onRunChanged={vi.fn()}
        />
      </Providers>,
    );
    const row = screen.getByTestId('run-row-r1');
    expect(row.className).toContain('run-row-uncertain');
    expect(within(row).getByTestId('status-pill').getAttribute('title')).toBe('Uncertain — may or may not have been sent');
    expect(row.textContent).toContain('Needs your decision');
    expect(screen.getByTestId('run-row-r2').textContent).not.toContain('Needs your decision');
  });
});

describe('RunsPanel: retry on which version', () => {
  const failed = (): RunDetail => ({ ...detail('failed', [waStep({ status: 'failed', error: { code: 131047, message: 'Re-engagement message', provider: 'whatsapp' } })]), versionNumber: 3 });
  const renderFailed = (liveVersion: { id: string; number: number } | null, onRetried = vi.fn()) => {
    render(
      <Providers>
        <RunsPanel runs={[run('failed')]} runsError={undefined} openRunId="run1" openRun={failed()} openRunError={undefined} manifests={fixtureManifests} providerTitles={providerTitles} onOpen={vi.fn()} onRetried={onRetried} onRunChanged={vi.fn()} liveVersion={liveVersion} />
      </Providers>,
    );
    return onRetried;
  };

  it('asks which version when the bundle was published again since the run, and retries on the live one', async () => {
    const user = userEvent.setup();
    const retry = vi.spyOn(api.runs, 'retry').mockResolvedValue(run('queued', { versionId: 'v4' }));
    const onRetried = renderFailed({ id: 'v4', number: 4 });
    expect(screen.queryByTestId('run-retry')).toBeNull();
    expect(screen.getByTestId('run-retry-original').textContent).toBe('Retry on v3 (what it ran)');
    expect(screen.getByTestId('run-summary').textContent).toMatch(/v3/);
    await user.click(screen.getByTestId('run-retry-live'));
    expect(retry).toHaveBeenCalledWith('run1', 'live');
    await waitFor(() => expect(onRetried).toHaveBeenCalledWith(expect.objectContaining({ versionId: 'v4' })));
    expect(await screen.findByText('Run queued again on version 4')).toBeTruthy();
  });

  it('offers one retry when the run ran the live version', async () => {
    const user = userEvent.setup();
    const retry = vi.spyOn(api.runs, 'retry').mockResolvedValue(run('queued'));
    renderFailed({ id: 'v1', number: 3 });
    expect(screen.queryByTestId('run-retry-live')).toBeNull();
    await user.click(screen.getByTestId('run-retry'));
    expect(retry).toHaveBeenCalledWith('run1', 'original');
  });
});
