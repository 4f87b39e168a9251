// Pages load on first visit (React.lazy), so the first page needs only the shell's JavaScript: a spinner while the
// page's chunk arrives, and when it cannot (network down, or a new deploy removed it) an error with a retry.
import { Component, lazy, Suspense, useState, type ComponentType, type ReactNode } from 'react';
import { ErrorState, Spinner } from './ui';

/** A page's chunk did not load; errors of the page itself go on to the app's ErrorBoundary. */
export class ChunkLoadError extends Error {
  constructor(cause: unknown) {
    super(`This page could not be loaded (${cause instanceof Error ? cause.message : String(cause)}). Check the connection and try again, or reload if Bundles was updated meanwhile.`);
    this.name = 'ChunkLoadError';
  }
}

class ChunkBoundary extends Component<{ children: ReactNode; onRetry: () => void }, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    // Thrown while rendering the boundary, it goes on to the boundary above (the app's, with its own retry).
    if (!(error instanceof ChunkLoadError)) throw error;
    return (
      <div className="page" data-testid="lazy-page-error">
        <ErrorState title="Cannot load this page" error={error} onRetry={this.props.onRetry} />
        <button type="button" className="btn btn-ghost" onClick={() => window.location.reload()}>
          Reload Bundles
        </button>
      </div>
    );
  }
}

/**
 * The page `load` imports, as a component taking the page's props: `lazyPage(() => import('./X').then((m) => m.X))`.
 * Try again imports afresh (React.lazy keeps a failed import's error for good).
 */
export function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>, label = 'Loading…'): ComponentType<P> {
  const make = () =>
    lazy(() =>
      load().then(
        (page) => ({ default: page }),
        (err: unknown) => {
          throw new ChunkLoadError(err);
        },
      ),
    );
  let Page = make();
  return function LazyPage(props: P) {
    const [attempt, setAttempt] = useState(0);
    return (
      <ChunkBoundary
        key={attempt}
        onRetry={() => {
          Page = make();
          setAttempt((n) => n + 1);
        }}
      >
        <Suspense fallback={<Spinner label={label} />}>
          <Page {...props} />
        </Suspense>
      </ChunkBoundary>
    );
  };
}
