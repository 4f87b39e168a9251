import { useCallback, useEffect, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { useLocation } from 'wouter';

type Guard = () => Promise<boolean>;
let activeGuard: Guard | null = null;

const sentinel = 'bundlesLeaveGuard';

/**
 * Registers a check run before any in-app navigation (e.g. "leave with unsaved changes?"), including
 * the browser's Back button: while a guard is active, a same-URL history entry sits on top, so Back
 * pops it without changing the route and the guard can ask first.
 */
export function useLeaveGuard(guard: Guard | null): void {
  useEffect(() => {
    if (!guard) return undefined;
    activeGuard = guard;
    window.history.pushState({ [sentinel]: true }, '', window.location.href);
    let asking = false;
    const onPopState = () => {
      if (asking || activeGuard !== guard) return;
      asking = true;
      void guard().then((leave) => {
        asking = false;
        if (leave) {
          activeGuard = null;
          window.removeEventListener('popstate', onPopState);
          window.history.back();
        } else {
          window.history.pushState({ [sentinel]: true }, '', window.location.href);
        }
      });
    };
    window.addEventListener('popstate', onPopState);
    return () => {
      window.removeEventListener('popstate', onPopState);
      if (activeGuard === guard) activeGuard = null;
      // Still on our entry (the changes were saved): drop it so Back needs one press again.
      if ((window.history.state as Record<string, unknown> | null)?.[sentinel]) window.history.back();
    };
  }, [guard]);
}

export async function mayLeave(): Promise<boolean> {
  return activeGuard ? activeGuard() : true;
}

export function useGuardedNavigate(): (to: string) => Promise<void> {
  const [, navigate] = useLocation();
  return useCallback(
    async (to: string) => {
      if (await mayLeave()) navigate(to);
    },
    [navigate],
  );
}

/** An in-app link that honours the leave guard; modified clicks behave as normal links. */
export function NavLink({ href, children, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const go = useGuardedNavigate();
  return (
    <a
      href={href}
      {...rest}
      onClick={(e: MouseEvent<HTMLAnchorElement>) => {
        onClick?.(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        void go(href);
      }}
    >
      {children}
    </a>
  );
}
