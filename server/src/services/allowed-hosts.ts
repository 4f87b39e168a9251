// A workspace's allowed private addresses: what its admin lets core.http_request and base-URL overrides
// reach besides public addresses (on top of the operator's BUNDLES_ALLOWED_HOSTS). The runtime applies
// them from its own cache (runtime/allowed-hosts.ts), dropped in every process when they change.
import { eq, sql } from 'drizzle-orm';
import { allowEntryProblem } from '@bundles/nodes';
import { MAX_ALLOWED_HOSTS } from '@bundles/shared';
import type { Db } from '../db/index.js';
import { workspaces } from '../db/schema/index.js';
import { AppError, notFound } from './errors.js';
import { storedAllowedHosts } from '../runtime/allowed-hosts.js';

const entryMax = 253;

/** The entries as stored: trimmed, lower case, no repeats; or 422 naming each entry that is not one. */
export function checkAllowedHosts(input: unknown): string[] {
  if (!Array.isArray(input)) throw invalid([{ field: 'hosts', message: 'must be a list of host names, addresses or CIDR ranges' }]);
  if (input.length > MAX_ALLOWED_HOSTS) throw invalid([{ field: 'hosts', message: `may hold at most ${MAX_ALLOWED_HOSTS} entries` }]);
  const issues: Array<{ field: string; message: string }> = [];
  const out: string[] = [];
  input.forEach((raw, i) => {
    const entry = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
    const problem = typeof raw !== 'string' ? 'is not text' : entry.length === 0 ? 'is empty' : entry.length > entryMax ? `is longer than ${entryMax} characters` : allowEntryProblem(entry);
    if (problem) issues.push({ field: `hosts[${i}]`, message: `${JSON.stringify(typeof raw === 'string' ? raw.slice(0, 60) : raw)} ${problem}` });
    else if (!out.includes(entry)) out.push(entry);
  });
  if (issues.length > 0) throw invalid(issues);
  return out;
}

function invalid(issues: Array<{ field: string; message: string }>): AppError {
  return new AppError(422, 'invalid_settings', `Invalid allowed addresses: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}.`, { issues });
}

export async function allowedHostsOf(db: Db, workspaceId: string): Promise<string[]> {
  const [row] = await db.select({ settings: workspaces.settings }).from(workspaces).where(eq(workspaces.id, workspaceId));
  if (!row) throw notFound('Workspace');
  return storedAllowedHosts(row.settings.allowedHosts);
}

/** Replaces the list in one UPDATE, leaving the settings' other keys as they are. */
export async function setAllowedHosts(db: Db, workspaceId: string, input: unknown): Promise<string[]> {
  const hosts = checkAllowedHosts(input);
  const done = await db
    .update(workspaces)
    .set({ settings: sql`${workspaces.settings} || jsonb_build_object('allowedHosts', ${JSON.stringify(hosts)}::jsonb)` })
    .where(eq(workspaces.id, workspaceId))
    .returning({ id: workspaces.id });
  if (done.length === 0) throw notFound('Workspace');
  return hosts;
}
