// The allowed private addresses of each workspace, as runs and connection tests apply them: cached per
// workspace, read once and then kept until a change is announced (Runtime.allowedHostsChanged), so that
// no run reads the workspace row.
import type pg from 'pg';

export class AllowedHostsCache {
  private entries = new Map<string, Promise<readonly string[]>>();

  constructor(private pool: pg.Pool) {}

  /** The workspace's list; none (the operator's only) when it cannot be read, which refuses rather than allows. */
  of(workspaceId: string): Promise<readonly string[]> {
    let hit = this.entries.get(workspaceId);
    if (!hit) {
      hit = this.pool
        .query<{ hosts: unknown }>({ name: 'allowed_hosts_of', text: `select settings -> 'allowedHosts' as hosts from workspaces where id = $1`, values: [workspaceId] })
        .then(({ rows }) => {
          const hosts = rows[0]?.hosts;
          return Array.isArray(hosts) ? hosts.filter((h): h is string => typeof h === 'string') : [];
        })
        .catch((err: unknown) => {
          this.entries.delete(workspaceId);
          throw err;
        });
      this.entries.set(workspaceId, hit);
    }
    return hit;
  }

  invalidate(workspaceId?: string): void {
    if (workspaceId) this.entries.delete(workspaceId);
    else this.entries.clear();
  }
}
