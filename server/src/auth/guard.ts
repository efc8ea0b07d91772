import type { Db } from '@payerguard/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ChangeFeed } from '../data/change-feed.js';
import { HttpError } from '../errors.js';
import type { Access } from '../types.js';
import { safeEqual } from './crypto.js';
import { HeldSessions } from './held-sessions.js';
import { principalFromSession, principalFromToken, SESSION_COOKIE } from './sessions.js';

export interface RouteEntry {
  method: string;
  url: string;
  access: Access;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every /api route with its declared access rule (the role matrix test walks it). */
    routeTable: RouteEntry[];
  }
}

// Routes that third-party plugins register under /api and that must answer without login.
const PLUGIN_PUBLIC_PREFIXES = ['/api/docs', '/api/openapi.json'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

async function resolvePrincipal(db: Db, held: HeldSessions, request: FastifyRequest) {
  const auth = request.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m?.[1]) throw new HttpError(401, 'malformed Authorization header: expected "Bearer <token>"');
    const p = await principalFromToken(db, m[1]);
    if (!p) throw new HttpError(401, 'invalid, expired or revoked API token');
    return p;
  }
  const sid = request.cookies[SESSION_COOKIE];
  if (sid) return principalFromSession(db, sid, held);
  return null;
}

/**
 * The one place every route is authenticated and authorised. A route under /api without `config.access` stops the
 * server from starting, so no route can be forgotten.
 */
export const authGuard = fp<{ db: Db; feed: ChangeFeed }>(async (app: FastifyInstance, { db, feed }) => {
  const held = new HeldSessions(feed);
  app.decorate('routeTable', [] as RouteEntry[]);
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api')) return;
    let access = route.config?.access;
    if (access === undefined && PLUGIN_PUBLIC_PREFIXES.some((p) => route.url.startsWith(p))) {
      access = 'public';
      route.config = { ...(route.config ?? {}), access };
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (access === undefined)
      throw new Error(`route ${methods.join(',')} ${route.url} declares no access rule (config.access)`);
    for (const method of methods) if (method !== 'HEAD') app.routeTable.push({ method, url: route.url, access });
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    // Unmatched paths (404, SPA fallback) and the static web app carry no rule: nothing to protect there.
    if (access === undefined) return;
    const principal = await resolvePrincipal(db, held, request).catch((e: unknown) => {
      if (access === 'public' && e instanceof HttpError) return null;
      throw e;
    });
    request.principal = principal;
    if (access === 'public') return;
    if (!principal)
      throw new HttpError(401, 'log in first (session cookie) or send an API token (Authorization: Bearer ...)');
    if (!access.includes(principal.role)) throw new HttpError(403, `this needs one of the roles: ${access.join(', ')}`);
    if (principal.via === 'session' && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers['x-csrf-token'];
      if (typeof sent !== 'string' || !principal.csrfToken || !safeEqual(sent, principal.csrfToken))
        throw new HttpError(
          403,
          'missing or wrong x-csrf-token header (get it from POST /api/auth/login or GET /api/me)',
        );
    }
  });
});
