import { useCallback, useEffect, useMemo, useState } from 'react';
import { Redirect, Route, Switch, useLocation } from 'wouter';
import { api, ApiError, onUnauthorized } from './api/client';
import { CatalogProvider } from './api/catalog';
import type { Me } from './api/types';
import { ConfirmProvider } from './components/confirm';
import { ErrorBoundary } from './components/ErrorBoundary';
import { ToastProvider } from './components/toast';
import { ErrorState, Spinner } from './components/ui';
import { WorkspaceSwitcher } from './components/WorkspaceSwitcher';
import { lazyPage } from './components/LazyPage';
import { NavLink, mayLeave } from './lib/navigation';
import { SessionProvider, type Session } from './lib/session';
import { LoginPage, SetupPage } from './pages/AuthPages';
import { InvitePage } from './pages/InvitePage';

// Each page is a chunk of its own, loaded on first visit: the canvas (@xyflow/react) only with the editor.
const BundlesPage = lazyPage(() => import('./pages/BundlesPage').then((m) => m.BundlesPage), 'Loading bundles…');
const BundleEditorPage = lazyPage(() => import('./pages/BundleEditorPage').then((m) => m.BundleEditorPage), 'Loading the editor…');
const NewBundlePage = lazyPage(() => import('./pages/gallery/NewBundlePage').then((m) => m.NewBundlePage));
const ConnectionsPage = lazyPage(() => import('./pages/ConnectionsPage').then((m) => m.ConnectionsPage), 'Loading connections…');
const StatusRulesPage = lazyPage(() => import('./pages/StatusRulesPage').then((m) => m.StatusRulesPage));
const RunsPage = lazyPage(() => import('./pages/RunsPage').then((m) => m.RunsPage), 'Loading runs…');
const MessagesPage = lazyPage(() => import('./pages/MessagesPage').then((m) => m.MessagesPage), 'Loading messages…');
const SettingsPage = lazyPage(() => import('./pages/SettingsPage').then((m) => m.SettingsPage), 'Loading settings…');
const AuditPage = lazyPage(() => import('./pages/AuditPage').then((m) => m.AuditPage), 'Loading the audit log…');

type AuthState = { kind: 'loading' } | { kind: 'setup' } | { kind: 'login' } | { kind: 'error'; error: unknown } | { kind: 'in'; me: Me };

export function App() {
  const [auth, setAuth] = useState<AuthState>({ kind: 'loading' });
  const [location, navigate] = useLocation();
  // An invitation link opens its own page, logged out or in; accepting signs in and lands in the app.
  const inviteToken = /^\/invite\/([^/]+)$/.exec(location)?.[1];

  const check = useCallback(async () => {
    setAuth({ kind: 'loading' });
    try {
      const setup = await api.setupStatus();
      if (setup.required) return setAuth({ kind: 'setup' });
      const me = await api.me();
      setAuth({ kind: 'in', me });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setAuth({ kind: 'login' });
      else setAuth({ kind: 'error', error: err });
    }
  }, []);

  const renamed = useCallback((name: string) => setAuth((a) => (a.kind === 'in' ? { kind: 'in', me: { ...a.me, workspace: { ...a.me.workspace, name } } } : a)), []);

  useEffect(() => {
    void check();
    return onUnauthorized(() => setAuth({ kind: 'login' }));
  }, [check]);

  if (inviteToken) {
    const joined = () => {
      navigate('/bundles', { replace: true });
      void check();
    };
    return (
      <ErrorBoundary>
        <InvitePage token={decodeURIComponent(inviteToken)} onDone={joined} />
      </ErrorBoundary>
    );
  }

  return (
    <ErrorBoundary>
      <ToastProvider>
        <ConfirmProvider>
          {auth.kind === 'loading' && (
            <div className="center-page">
              <Spinner />
            </div>
          )}
          {auth.kind === 'error' && (
            <div className="center-page">
              <ErrorState title="Cannot reach Bundles" error={auth.error} onRetry={() => void check()} />
            </div>
          )}
          {auth.kind === 'setup' && <SetupPage onDone={() => void check()} />}
          {auth.kind === 'login' && <LoginPage onDone={() => void check()} />}
          {auth.kind === 'in' && <Shell me={auth.me} onLogout={() => setAuth({ kind: 'login' })} onWorkspaceRenamed={renamed} onWorkspaceSwitched={() => void check()} />}
        </ConfirmProvider>
      </ToastProvider>
    </ErrorBoundary>
  );
}

function Shell({ me, onLogout, onWorkspaceRenamed, onWorkspaceSwitched }: { me: Me; onLogout: () => void; onWorkspaceRenamed: (name: string) => void; onWorkspaceSwitched: () => void }) {
  const [location] = useLocation();
  const session = useMemo<Session>(() => ({ me, onWorkspaceRenamed }), [me, onWorkspaceRenamed]);
  const section = location.split('/')[1] ?? '';
  const logout = async () => {
    if (!(await mayLeave())) return;
    try {
      await api.logout();
    } finally {
      onLogout();
    }
  };
  return (
    <div className="shell">
      <header className="topbar">
        <NavLink href="/bundles" className="brand" aria-label="Bundles home">
          <span className="brand-mark" aria-hidden="true" />
          Bundles
        </NavLink>
        <nav className="mainnav" aria-label="Main">
          <NavLink href="/bundles" aria-current={section === 'bundles' || section === '' ? 'page' : undefined} data-testid="nav-bundles">
            Bundles
          </NavLink>
          <NavLink href="/connections" aria-current={section === 'connections' ? 'page' : undefined} data-testid="nav-connections">
            Connections
          </NavLink>
          <NavLink href="/runs" aria-current={section === 'runs' ? 'page' : undefined} data-testid="nav-runs">
            Runs
          </NavLink>
          <NavLink href="/messages" aria-current={section === 'messages' ? 'page' : undefined} data-testid="nav-messages">
            Messages
          </NavLink>
          {(me.role === 'admin' || me.role === 'owner') && (
            <NavLink href="/audit" aria-current={section === 'audit' ? 'page' : undefined} data-testid="nav-audit">
              Audit log
            </NavLink>
          )}
          <NavLink href="/settings" aria-current={section === 'settings' ? 'page' : undefined} data-testid="nav-settings">
            Settings
          </NavLink>
        </nav>
        <div className="topbar-user">
          <WorkspaceSwitcher me={me} onSwitched={onWorkspaceSwitched} />
          <span className="muted" title={me.user.email}>
            {me.user.email}
          </span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => void logout()} data-testid="logout">
            Log out
          </button>
        </div>
      </header>
      <main className="main">
        <ErrorBoundary resetKey={location}>
          <SessionProvider value={session}>
            <CatalogProvider>
              <Switch>
                <Route path="/">
                  <Redirect to="/bundles" replace />
                </Route>
                <Route path="/bundles" component={BundlesPage} />
                <Route path="/bundles/new" component={NewBundlePage} />
                <Route path="/bundles/:id">{(params) => <BundleEditorPage key={params.id} flowId={params.id} />}</Route>
                <Route path="/connections">{() => <ConnectionsPage />}</Route>
                <Route path="/connections/:id/status-messages">{(params) => <StatusRulesPage key={params.id} connectionId={params.id} />}</Route>
                <Route path="/connections/:id">{(params) => <ConnectionsPage selectedId={params.id} />}</Route>
                <Route path="/runs" component={RunsPage} />
                <Route path="/messages" component={MessagesPage} />
                <Route path="/settings" component={SettingsPage} />
                <Route path="/audit" component={AuditPage} />
                <Route>
                  <div className="page">
                    <ErrorState title="Page not found" error={new Error(`Nothing lives at ${location}.`)} />
                    <NavLink href="/bundles" className="btn">
                      Go to bundles
                    </NavLink>
                  </div>
                </Route>
              </Switch>
            </CatalogProvider>
          </SessionProvider>
        </ErrorBoundary>
      </main>
    </div>
  );
}
