import { useEffect, useState } from 'react';

/** A small hash router: the API serves one index.html, so every screen is a #/path the server never sees. */
export type Route =
  | { page: 'login' }
  | { page: 'overview' }
  | { page: 'partner'; id: string; control?: string }
  | { page: 'runs'; id?: string }
  | { page: 'exports' }
  | { page: 'admin'; tab?: string }
  | { page: 'audit' }
  | { page: 'notfound'; path: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case undefined:
    case 'overview':
      return { page: 'overview' };
    case 'login':
      return { page: 'login' };
    case 'partners':
      if (parts[1])
        return { page: 'partner', id: parts[1], ...(parts[2] === 'controls' && parts[3] ? { control: parts[3] } : {}) };
      return { page: 'overview' };
    case 'runs':
      return parts[1] ? { page: 'runs', id: parts[1] } : { page: 'runs' };
    case 'exports':
      return { page: 'exports' };
    case 'admin':
      return parts[1] ? { page: 'admin', tab: parts[1] } : { page: 'admin' };
    case 'audit':
      return { page: 'audit' };
    default:
      return { page: 'notfound', path };
  }
}

export const href = {
  overview: () => '#/overview',
  partner: (id: string, control?: string) =>
    `#/partners/${encodeURIComponent(id)}${control ? `/controls/${encodeURIComponent(control)}` : ''}`,
  runs: (id?: string) => (id ? `#/runs/${encodeURIComponent(id)}` : '#/runs'),
  exports: () => '#/exports',
  admin: (tab?: string) => (tab ? `#/admin/${tab}` : '#/admin'),
  audit: () => '#/audit',
  login: () => '#/login',
};

export function navigate(to: string): void {
  if (window.location.hash !== to) window.location.hash = to;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
