// Why an action is not offered to the user's role, said where the action would be (nothing when it is offered).
import { useRole, type Action } from '../lib/role';

export function RoleNote({ action }: { action: Action }) {
  const why = useRole().whyNot(action);
  return why ? (
    <p className="role-note" data-testid="role-note">
      {why}
    </p>
  ) : null;
}
