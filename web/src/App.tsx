import { useQueryClient } from '@tanstack/react-query';
import { type ComponentType, lazy, Suspense, useEffect, useRef, useState } from 'react';
import { ApiError } from './api/client.js';
import { DEFAULT_OVERVIEW, overviewPageQuery, useLogout, useMe } from './api/hooks.js';
import type { User } from './api/types.js';
import { ErrorBoundary } from './components/ErrorBoundary.js';
import { ErrorState, Loading } from './components/States.js';
import { isAdmin, ROLE_LABEL } from './roles.js';
import { href, navigate, parseRoute, type Route, useRoute } from './router.js';

/**
 * React.lazy, plus: once the chunk has arrived (preload() starts it early), the page renders at once. React.lazy
 * suspends on its first render even when the chunk is already there, and React then holds the revealed page back for
 * up to 300 ms (its Suspense fallback throttle): measured on the overview, rows painted ~0.3 s after all they needed.
 */
function lazyPage(load: () => Promise<{ default: ComponentType }>) {
  let loaded: ComponentType | null = null;
  const remember = () =>
    load().then((m) => {
      loaded = m.default;
      return m;
    });
  const Lazy = lazy(remember);
  return {
    preload: () => remember().catch(() => {}),
    Page() {
      // Fixed for the life of this mount: a page shown through Lazy stays that, rather than being mounted again.
      const [Page] = useState<ComponentType>(() => loaded ?? Lazy);
      return <Page />;
    },
  };
}

// One chunk per page: the overview's table and charts are not loaded to show the login form.
const LoginPage = lazy(() => import('./pages/LoginPage.js'));
const OverviewPage = lazyPage(() => import('./pages/OverviewPage.js'));
const PartnerPage = lazy(() => import('./pages/PartnerPage.js'));
const RunsPage = lazy(() => import('./pages/RunsPage.js'));
const ExportsPage = lazy(() => import('./pages/ExportsPage.js'));
const AdminPage = lazy(() => import('./pages/AdminPage.js'));
const AuditPage = lazy(() => import('./pages/AuditPage.js'));

// The overview is where most readers land: fetch its code while /api/me is answered, not after (one round trip less
// before the first rows). The same import() as the lazy page's, so the chunk is fetched once.
if (parseRoute(window.location.hash).page === 'overview') void OverviewPage.preload();

interface NavItem {
  label: string;
  to: string;
  active: (r: Route) => boolean;
}

function navFor(user: User): NavItem[] {
  if (user.role === 'partner_viewer')
    return [
      { label: 'My partner', to: href.partner(user.partnerId ?? ''), active: (r) => r.page === 'partner' },
      { label: 'Exports', to: href.exports(), active: (r) => r.page === 'exports' },
    ];
  const items: NavItem[] = [
    { label: 'Overview', to: href.overview(), active: (r) => r.page === 'overview' || r.page === 'partner' },
    { label: 'Runs', to: href.runs(), active: (r) => r.page === 'runs' },
    { label: 'Exports', to: href.exports(), active: (r) => r.page === 'exports' },
  ];
  if (isAdmin(user)) {
    items.push({ label: 'Settings & partners', to: href.admin(), active: (r) => r.page === 'admin' });
    items.push({ label: 'Audit log', to: href.audit(), active: (r) => r.page === 'audit' });
  }
  return items;
}

/** Where a role lands, and whether it may be on this route at all (the server enforces it too). */
function allowed(user: User, route: Route): boolean {
  if (user.role === 'partner_viewer')
    return (route.page === 'partner' && route.id === user.partnerId) || route.page === 'exports';
  if (route.page === 'admin' || route.page === 'audit') return isAdmin(user);
  return true;
}

const home = (user: User) => (user.role === 'partner_viewer' ? href.partner(user.partnerId ?? '') : href.overview());

export function App() {
  const route = useRoute();
  const me = useMe();
  const logout = useLogout();
  const main = useRef<HTMLElement>(null);
  const user = me.data?.user;
  const unauthenticated = me.error instanceof ApiError && me.error.status === 401;
  const qc = useQueryClient();

  // Ask for the overview's first page as soon as we know who is signed in, while the page's code may still be on its
  // way: the page reads the same query from the cache (one request, not two).
  const landsOnOverview = !!user && route.page === 'overview' && allowed(user, route);
  useEffect(() => {
    if (landsOnOverview) void qc.prefetchQuery(overviewPageQuery(DEFAULT_OVERVIEW, 0));
  }, [landsOnOverview, qc]);

  useEffect(() => {
    if (user && (route.page === 'login' || !allowed(user, route))) navigate(home(user));
    if ((unauthenticated || me.data === null) && route.page !== 'login') navigate(href.login());
  }, [user, route, unauthenticated, me.data]);

  // Moving between pages moves focus to the new content, so keyboard and screen-reader users are not left behind.
  // Not on first load, so Tab from the top still reaches the skip link first.
  const routeKey = JSON.stringify(route);
  const firstRoute = useRef(routeKey);
  useEffect(() => {
    if (routeKey !== firstRoute.current) main.current?.focus({ preventScroll: true });
    firstRoute.current = '';
  }, [routeKey]);

  if (me.isPending) return <Loading what="your session" />;
  if (!user) {
    if (!unauthenticated && me.error)
      return <ErrorState error={me.error} retry={() => me.refetch()} what="your session" />;
    return (
      <Suspense fallback={<Loading what="the sign-in page" />}>
        <LoginPage />
      </Suspense>
    );
  }

  return (
    <div className="shell">
      {/* A button, not a link: in a hash router "#main" would be read as a route. */}
      <button type="button" className="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header className="topbar">
        <a className="brand" href={home(user)}>
          <svg width="20" height="20" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M8 1l6 2.5v4C14 11 11.5 14 8 15 4.5 14 2 11 2 7.5v-4z" fill="currentColor" />
          </svg>
          payerguard
        </a>
        <nav aria-label="Main">
          <ul>
            {navFor(user).map((n) => (
              <li key={n.label}>
                <a href={n.to} aria-current={n.active(route) ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span className="who-email" title={ROLE_LABEL[user.role]}>
            {user.email} <span className="muted">· {ROLE_LABEL[user.role]}</span>
          </span>
          <button
            type="button"
            className="button button-quiet"
            onClick={() => logout.mutate()}
            disabled={logout.isPending}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <ErrorBoundary resetKey={routeKey}>
          <Suspense fallback={<Loading what="the page" />}>
            <Page route={route} user={user} />
          </Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}

function Page({ route, user }: { route: Route; user: User }) {
  if (!allowed(user, route)) return <Loading what="your home page" />;
  switch (route.page) {
    case 'overview':
      return <OverviewPage.Page />;
    case 'partner':
      return <PartnerPage id={route.id} control={route.control} user={user} />;
    case 'runs':
      return <RunsPage runId={route.id} user={user} />;
    case 'exports':
      return <ExportsPage user={user} />;
    case 'admin':
      return <AdminPage tab={route.tab} />;
    case 'audit':
      return <AuditPage />;
    case 'login':
      return <Loading what="your home page" />;
    default:
      return (
        <div className="state">
          <h1>Page not found</h1>
          <p>
            There is no page at <code>{route.page === 'notfound' ? route.path : ''}</code>.{' '}
            <a href={home(user)}>Go to your home page</a>.
          </p>
        </div>
      );
  }
}
