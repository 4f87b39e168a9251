// Who is logged in, for the pages under the shell: a rename on the Settings page reaches the header at once.
import { createContext, useContext } from 'react';
import type { Me } from '../api/types';

export interface Session {
  me: Me | null;
  /** The workspace was renamed: the header shows the new name without a reload. */
  onWorkspaceRenamed: (name: string) => void;
}

const SessionContext = createContext<Session>({ me: null, onWorkspaceRenamed: () => {} });

export const SessionProvider = SessionContext.Provider;

export function useSession(): Session {
  return useContext(SessionContext);
}
