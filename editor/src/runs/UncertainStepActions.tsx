import { useState } from 'react';
import { api, ApiError, errorMessage, errorToastText } from '../api/client';
import type { ResolveAction, RunDetail, Step } from '../api/types';
import { useConfirm, type ConfirmOptions } from '../components/confirm';
import { useToast } from '../components/toast';
import { useRole } from '../lib/role';

/** What each action asks before, and says after. `where` names the system to check (“WhatsApp Cloud API”). */
export function resolveCopy(action: ResolveAction, where: string): { confirm: ConfirmOptions; done: string } {
  if (action === 'send_again') {
    return {
      confirm: {
        title: 'Send again?',
        message: `Bundles calls ${where} once more. If the first attempt did go out after all, it goes out twice.`,
        confirmLabel: 'Send again',
        danger: true,
      },
      done: 'Sent again: the run goes on',
    };
  }
  return {
    confirm: {
      title: 'Mark as done?',
      message: `The step counts as succeeded without calling ${where} again, and the steps after it run. Its output stays empty, so later steps that read it get no values.`,
      confirmLabel: 'Mark as done',
    },
    done: 'Marked as done: the run goes on',
  };
}

/** Settles an uncertain step by hand: nobody could ask the provider whether it went out. */
export function UncertainStepActions({
  runId,
  step,
  where,
  onRunChanged,
}: {
  runId: string;
  step: Step;
  where: string;
  /** The run changed: show `fresh` if given, and load it again. */
  onRunChanged: (fresh?: RunDetail) => void;
}) {
  const confirm = useConfirm();
  const toast = useToast();
  const [busy, setBusy] = useState<ResolveAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const why = useRole().whyNot('editBundles');

  const resolve = async (action: ResolveAction) => {
    const copy = resolveCopy(action, where);
    if (!(await confirm(copy.confirm))) return;
    setBusy(action);
    setError(null);
    try {
      const fresh = await api.runs.resolve(runId, step.nodeId, action);
      toast(copy.done, 'success');
      onRunChanged(fresh);
    } catch (err) {
      setError(errorMessage(err));
      toast(errorToastText(err), 'error');
      // Settled meanwhile (another tab, another person): show how it stands now.
      if (err instanceof ApiError && err.code === 'not_uncertain') onRunChanged();
    } finally {
      setBusy(null);
    }
  };

  if (why) {
    return (
      <p className="role-note" data-testid={`uncertain-actions-${step.nodeId}`}>
        Bundles cannot tell whether this step went out; an editor settles it. {why}
      </p>
    );
  }
  return (
    <div className="uncertain-actions" data-testid={`uncertain-actions-${step.nodeId}`}>
      <p className="small">
        Bundles cannot tell whether this went out, and {where} cannot be asked. It is not sent again by itself: check in {where}, then choose.
      </p>
      <div className="uncertain-choice">
        <button type="button" className="btn btn-sm" disabled={busy !== null} onClick={() => void resolve('send_again')} data-testid={`step-send-again-${step.nodeId}`}>
          {busy === 'send_again' ? 'Sending…' : 'Send again'}
        </button>
        <span className="muted small">Use it when you checked and the message did not go out.</span>
      </div>
      <div className="uncertain-choice">
        <button type="button" className="btn btn-sm btn-primary" disabled={busy !== null} onClick={() => void resolve('mark_done')} data-testid={`step-mark-done-${step.nodeId}`}>
          {busy === 'mark_done' ? 'Marking…' : 'Mark as done'}
        </button>
        <span className="muted small">It did go out: the bundle continues with the steps after it.</span>
      </div>
      {error && (
        <p className="form-error" role="alert" data-testid="resolve-error">
          {error}
        </p>
      )}
    </div>
  );
}
