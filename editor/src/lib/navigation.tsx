import { useCallback, useEffect, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { useLocation } from 'wouter';

type Guard = () => Promise<boolean>;
let activeGuard: Guard | null = null;

/** Registers a check run before any in-app navigation (e.g. "leave with unsaved changes?"). */
export function useLeaveGuard(guard: Guard | null): void {
  useEffect(() => {
    if (!guard) return undefined;
    activeGuard = guard;
    return () => {
      if (activeGuard === guard) activeGuard = null;
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
