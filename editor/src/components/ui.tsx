import { useEffect, useRef, type ReactNode } from 'react';
import { ApiError, errorHint, errorMessage, errorSentence } from '../api/client';
import { providerColor, providerInitials } from '../lib/provider';

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function ErrorState({ error, onRetry, title = 'Something went wrong' }: { error: unknown; onRetry?: () => void; title?: string }) {
  const hint = errorHint(error);
  const sentence = errorSentence(error);
  return (
    <div className="error-state" role="alert">
      <strong>{title}</strong>
      {sentence && <p>{sentence}</p>}
      <p>{errorMessage(error)}</p>
      {hint && <p className="muted">{hint}</p>}
      {error instanceof ApiError && error.code && (
        <details className="error-detail">
          <summary>Details</summary>
          <code>
            {error.code}
            {error.status ? ` · HTTP ${error.status}` : ''}
          </code>
        </details>
      )}
      {onRetry && (
        <button type="button" className="btn" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty-state">
      <div className="empty-illustration" aria-hidden="true">
        <span />
        <span />
        <span />
      </div>
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

/** What a status means, where its one word is not enough. */
export const STATUS_WORDING: Record<string, string> = {
  uncertain: 'Uncertain — may or may not have been sent',
};

export function StatusPill({ status, title }: { status: string; title?: string }) {
  return (
    <span className={`pill pill-${status}`} title={title ?? STATUS_WORDING[status]} data-testid="status-pill" data-status={status}>
      {status}
    </span>
  );
}

/** `title` is the provider's name (initials come from it); `tooltip` overrides what hovering says. */
export function ProviderBadge({ provider, title, tooltip, size = 24 }: { provider: string; title?: string; tooltip?: string; size?: number }) {
  return (
    <span
      className="provider-badge"
      style={{ background: providerColor(provider), width: size, height: size, fontSize: Math.round(size * 0.42) }}
      title={tooltip ?? title ?? provider}
      aria-label={tooltip ?? title ?? provider}
      role="img"
    >
      {providerInitials(provider, title)}
    </span>
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function timeAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return formatTime(iso);
}

export function formatDuration(start: string | null | undefined, end: string | null | undefined): string {
  if (!start) return '—';
  const a = new Date(start).getTime();
  const b = end ? new Date(end).getTime() : Date.now();
  const ms = Math.max(0, b - a);
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60000)}m ${Math.round((ms % 60000) / 1000)}s`;
}

export function Modal({ title, onClose, children, footer, wide, testId }: { title: string; onClose: () => void; children: ReactNode; footer?: ReactNode; wide?: boolean; testId?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>('input, textarea, select, button:not(.modal-close)');
    (first ?? ref.current)?.focus();
    return () => prev?.focus?.();
  }, []);
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        className={`modal${wide ? ' modal-wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-label={title}
        ref={ref}
        tabIndex={-1}
        data-testid={testId}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          }
        }}
      >
        <header className="modal-header">
          <h2>{title}</h2>
          <button type="button" className="icon-btn modal-close" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        <div className="modal-body">{children}</div>
        {footer && <footer className="modal-footer">{footer}</footer>}
      </div>
    </div>
  );
}
