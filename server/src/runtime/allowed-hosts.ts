// The allowed private addresses of each workspace, as runs and connection tests apply them: cached per
// workspace, read once and then kept until a change is announced (Runtime.allowedHostsChanged), so that
// no run reads the workspace row.
import type pg from 'pg';

/** A workspace's stored `settings.allowedHosts`, as a list of entries (anything else stored reads as none). */
export function storedAllowedHosts(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((h): h is string => typeof h === 'string') : [];
}

export class AllowedHostsCache {
  private entries = new Map<string, Promise<readonly string[]>>();

  constructor(private pool: pg.Pool) {}

  /** The workspace's list; none (the operator's only) when it cannot be read, which refuses rather than allows. */
  of(workspaceId: string): Promise<readonly string[]> {
    let hit = this.entries.get(workspaceId);
    if (!hit) {
      hit = this.pool
        .query<{ hosts: unknown }>({ name: 'allowed_hosts_of', text: `select settings -> 'allowedHosts' as hosts from workspaces where id = $1`, values: [workspaceId] })
        .then(({ rows }) => storedAllowedHosts(rows[0]?.hosts))
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
