// The workspace's API tokens (GET/POST/DELETE /api/tokens): listed with their scope, last use and expiry (an
// admin sees every member's, with whose it is), created with the value shown once (NewTokenForm), revoked after a confirmation.
import { roleAtLeast } from '@bundles/shared/roles';
import { api, ApiError, errorToastText } from '../api/client';
import { useAsync } from '../api/hooks';
import type { ApiToken } from '../api/types';
import { useConfirm } from '../components/confirm';
import { useToast } from '../components/toast';
import { EmptyState, ErrorState, Spinner, timeAgo } from '../components/ui';
import { useRole } from '../lib/role';
import { NewTokenForm } from './NewTokenForm';

const dateOf = (iso: string) => new Date(iso).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const fullTime = (iso: string) => new Date(iso).toLocaleString();

export function ApiTokensSection() {
  const tokens = useAsync(() => api.tokens.list(), []);
  const confirm = useConfirm();
  const toast = useToast();
  // An admin lists (and may revoke) every member's tokens; anyone else their own.
  const everyone = roleAtLeast(useRole().role, 'admin');

  const revoke = async (token: ApiToken) => {
    const ok = await confirm({
      title: `Revoke “${token.name}”?`,
      message: 'Scripts and services that send this token are refused from the next request on. This cannot be undone: they need a new token.',
      confirmLabel: 'Revoke',
      danger: true,
    });
    if (!ok) return;
    try {
      await api.tokens.revoke(token.id);
    } catch (err) {
      // Already gone (revoked in another tab): the list only catches up.
      if (!(err instanceof ApiError && err.status === 404)) return toast(errorToastText(err), 'error');
    }
    tokens.setData((list) => (list ?? []).filter((t) => t.id !== token.id));
    toast(`Token “${token.name}” revoked`, 'success');
  };

  return (
    <section className="settings-section" aria-labelledby="tokens-title" data-testid="api-tokens">
      <h2 id="tokens-title">API tokens</h2>
      <p className="muted">
        Scripts and other services call the Bundles API with a token: <code>Authorization: Bearer &lt;token&gt;</code>. Create one per caller, so that each can be revoked on its own. A token's scope
        limits it to reading, to editing bundles, or to all your role may do. The last use is recorded at most once a minute.
        {everyone ? ' As an admin you see every member’s tokens here, and may revoke any.' : ' You see your own tokens here.'}
      </p>
      <NewTokenForm onCreated={(t) => tokens.setData((list) => [t, ...(list ?? [])])} />
      {tokens.loading && !tokens.data && <Spinner label="Loading tokens…" />}
      {tokens.error !== undefined && !tokens.data && <ErrorState title="Cannot load the API tokens" error={tokens.error} onRetry={() => void tokens.reload()} />}
      {tokens.data && tokens.data.length === 0 && (
        <EmptyState title="No API tokens yet">Create one above for each script or service that calls the API; its value is shown once, when created.</EmptyState>
      )}
      {tokens.data && tokens.data.length > 0 && <TokenTable tokens={tokens.data} showUser={everyone} onRevoke={(t) => void revoke(t)} />}
    </section>
  );
}

function TokenTable({ tokens, showUser, onRevoke }: { tokens: ApiToken[]; showUser: boolean; onRevoke: (t: ApiToken) => void }) {
  const now = Date.now();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="token-table">
        <thead>
          <tr>
            <th>Name</th>
            {showUser && <th>User</th>}
            <th>Scope</th>
            <th>Created</th>
            <th>Last used</th>
            <th>Expires</th>
            <th aria-label="Actions" />
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => {
            const expired = t.expiresAt !== null && Date.parse(t.expiresAt) <= now;
            return (
              <tr key={t.id} data-testid="token-row" data-token-name={t.name}>
                <td>
                  <strong>{t.name}</strong>
                  {t.prefix && <code className="token-prefix muted">{t.prefix}…</code>}
                </td>
                {showUser && <td data-testid="token-user">{t.userEmail}</td>}
                <td data-testid="token-scope-cell">
                  <span className="pill">{t.scope}</span>
                </td>
                <td title={fullTime(t.createdAt)}>{dateOf(t.createdAt)}</td>
                <td title={t.lastUsedAt ? fullTime(t.lastUsedAt) : undefined} data-testid="token-last-used">
                  {t.lastUsedAt ? timeAgo(t.lastUsedAt, now) : 'Never'}
                </td>
                <td title={t.expiresAt ? fullTime(t.expiresAt) : undefined} data-testid="token-expires">
                  {t.expiresAt === null ? 'Never' : expired ? <span className="pill pill-failed">expired {dateOf(t.expiresAt)}</span> : dateOf(t.expiresAt)}
                </td>
                <td className="token-actions">
                  <button type="button" className="btn btn-sm btn-danger-ghost" onClick={() => onRevoke(t)} aria-label={`Revoke ${t.name}`} data-testid="token-revoke">
                    Revoke
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
