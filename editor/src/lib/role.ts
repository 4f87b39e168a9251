// What the user's role in the current workspace lets them do, to hide or disable what it cannot (with why):
// the server refuses it anyway (403 forbidden); this only keeps the buttons honest.
import { roleAtLeast } from '@bundles/shared/roles';
import type { Role } from '../api/types';
import { useSession } from './session';

/** The things the editor offers that not every role may do, and the least role each needs (as the API declares it). */
export const actionNeeds = {
  /** New bundle, save, start, stop, delete, duplicate, test, retry. */
  editBundles: 'editor',
  /** Create, edit, test and delete connections, their status messages and exports. */
  manageConnections: 'admin',
  /** Change the workspace's name, time zone and retention. */
  changeSettings: 'admin',
} as const satisfies Record<string, Role>;
export type Action = keyof typeof actionNeeds;

export const can = (role: Role, action: Action): boolean => roleAtLeast(role, actionNeeds[action]);

/** Why the action is not offered, to show next to it (null: it is). */
export function whyNot(role: Role, action: Action): string | null {
  if (can(role, action)) return null;
  return `Needs the ${actionNeeds[action]} role: yours here is ${role}.`;
}

export interface RoleHelpers {
  role: Role;
  can: (action: Action) => boolean;
  whyNot: (action: Action) => string | null;
}

/**
 * The current role and its checks. Outside a session (a page rendered on its own in a unit test) nothing is
 * held back: the server decides in the end.
 */
export function useRole(): RoleHelpers {
  const role: Role = useSession().me?.role ?? 'owner';
  return { role, can: (a) => can(role, a), whyNot: (a) => whyNot(role, a) };
}
