// The workspace's members, for its admins (GET/PATCH/DELETE /api/users): each with a role to change and a
// Remove after a confirmation; below, inviting people and the pending invitations (InvitationsPanel).
import { api, ApiError, errorToastText } from '../api/client';
import { useAsync } from '../api/hooks';
import type { Member, Role } from '@bundles/shared';
import { ROLES, roleAtLeast } from '@bundles/shared/roles';
import { useConfirm } from '../components/confirm';
import { useToast } from '../components/toast';
import { EmptyState, ErrorState, Spinner } from '../components/ui';
import { roleLabels } from '../lib/roles';
import { useSession } from '../lib/session';
import { InvitationsPanel } from './InvitationsPanel';

const dateOf = (iso: string) => new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

export function MembersSection() {
  const { me } = useSession();
  const members = useAsync(() => api.members.list(), []);
  const confirm = useConfirm();
  const toast = useToast();
  const myRole: Role = me?.role ?? 'viewer';

  const changeRole = async (m: Member, role: Role) => {
    try {
      const saved = await api.members.setRole(m.id, role);
      members.setData((list) => (list ?? []).map((x) => (x.id === m.id ? saved : x)));
      toast(`${m.name ?? m.email} is now ${roleLabels[role].toLowerCase()}`, 'success');
    } catch (err) {
      toast(errorToastText(err), 'error');
    }
  };

  const remove = async (m: Member) => {
    const ok = await confirm({
      title: `Remove ${m.name ?? m.email}?`,
      message: 'They lose access to this workspace at once: their API tokens here are deleted and their sessions here end. Invite them again to bring them back.',
      confirmLabel: 'Remove',
      danger: true,
    });
    if (!ok) return;
    try {
      await api.members.remove(m.id);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) return toast(errorToastText(err), 'error');
    }
    members.setData((list) => (list ?? []).filter((x) => x.id !== m.id));
    toast(`${m.name ?? m.email} removed`, 'success');
  };

  return (
    <section className="settings-section" aria-labelledby="members-title" data-testid="members">
      <h2 id="members-title">Members</h2>
      <p className="muted">
        Viewers see everything; editors also build, test and start bundles; admins also manage connections, settings, members and invitations; owners also make other owners. A workspace always
        keeps one owner.
      </p>
      {members.loading && !members.data && <Spinner label="Loading members…" />}
      {members.error !== undefined && !members.data && <ErrorState title="Cannot load the members" error={members.error} onRetry={() => void members.reload()} />}
      {members.data && members.data.length === 0 && <EmptyState title="No members">Invite someone below.</EmptyState>}
      {members.data && members.data.length > 0 && (
        <MemberTable members={members.data} myId={me?.user.id ?? ''} myRole={myRole} onRole={(m, r) => void changeRole(m, r)} onRemove={(m) => void remove(m)} />
      )}
      <InvitationsPanel myRole={myRole} />
    </section>
  );
}

/** The roles a member may be given by `myRole`: up to one's own, never an owner unless one is. */
const rolesFor = (myRole: Role, isMe: boolean, current: Role) => ROLES.filter((r) => roleAtLeast(myRole, r) && !(isMe && !roleAtLeast(current, r)));

function MemberTable(props: { members: Member[]; myId: string; myRole: Role; onRole: (m: Member, role: Role) => void; onRemove: (m: Member) => void }) {
  const { members, myId, myRole } = props;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="member-table">
        <thead>
          <tr>
            <th>Member</th>
            <th>Role</th>
            <th>Joined</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {members.map((m) => {
            const isMe = m.id === myId;
            // An admin may not touch an owner at all.
            const locked = m.role === 'owner' && !roleAtLeast(myRole, 'owner');
            const allowed = rolesFor(myRole, isMe, m.role);
            return (
              <tr key={m.id} data-testid="member-row" data-member-email={m.email}>
                <td>
                  <strong>{m.name ?? m.email}</strong>
                  {isMe && <span className="muted"> (you)</span>}
                  {m.name && <div className="muted">{m.email}</div>}
                </td>
                <td>
                  <select
                    value={m.role}
                    disabled={locked}
                    aria-label={`Role of ${m.email}`}
                    onChange={(e) => props.onRole(m, e.target.value as Role)}
                    data-testid="member-role"
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r} disabled={r !== m.role && !allowed.includes(r)}>
                        {roleLabels[r]}
                      </option>
                    ))}
                  </select>
                </td>
                <td>{dateOf(m.joinedAt)}</td>
                <td className="token-actions">
                  <button type="button" className="btn btn-sm btn-danger-ghost" disabled={locked} onClick={() => props.onRemove(m)} aria-label={`Remove ${m.email}`} data-testid="member-remove">
                    Remove
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
