import SwaggerParser from '@apidevtools/swagger-parser';
import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authGuard } from './auth/guard.js';
import { ALPHA, BETA, SECRETS, USERS } from './testing/fixtures.js';
import { asSession, type Harness, json, type Login, login, startHarness } from './testing/harness.js';

type Who = 'none' | 'admin' | 'analyst' | 'partner_viewer';
const WHO: Who[] = ['none', 'admin', 'analyst', 'partner_viewer'];

let h: Harness;
const sessions: Partial<Record<Who, Login>> = {};
/** Every response body the matrix saw, with who asked and what, for the leak checks. */
const seen: { who: Who; method: string; url: string; status: number; body: string }[] = [];

// Ids that exist (reads) or do not (writes: the matrix must not delete its own fixtures).
function fill(method: string, url: string, partnerId = ALPHA.id): string {
  const destructive = method === 'DELETE';
  return url.replace(':accountId', '999999999999').replace(':id', () => {
    if (url.startsWith('/api/partners')) return destructive ? 'no-such-partner' : partnerId;
    if (url.startsWith('/api/runs')) return 'run-2';
    if (url.startsWith('/api/controls')) return 'ACCESS-COLLECTOR-ROLE';
    return 'no-such-id';
  });
}

async function call(who: Who, method: string, url: string) {
  const s = who === 'none' ? undefined : sessions[who];
  const r = await h.app.inject({
    method: method as 'GET',
    url,
    headers: s ? asSession(s) : {},
    ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
  });
  seen.push({ who, method, url, status: r.statusCode, body: r.body });
  return r;
}

beforeAll(async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIATESTMATRIX000001';
  process.env.AWS_SECRET_ACCESS_KEY = 'matrix-aws-secret-must-never-show-9d8c7b';
  h = await startHarness();
  sessions.admin = await login(h.app, USERS.admin);
  sessions.analyst = await login(h.app, USERS.analyst);
  sessions.partner_viewer = await login(h.app, USERS.viewer);
});
afterAll(async () => h?.close());

describe('every route against every role', () => {
  it('has a declared access rule for every /api route, and the table is not trivially small', () => {
    expect(h.app.routeTable.length).toBeGreaterThan(30);
    for (const r of h.app.routeTable)
      expect(r.access === 'public' || (Array.isArray(r.access) && r.access.length > 0)).toBe(true);
  });

  it('refuses to start when a route forgets its access rule', async () => {
    const app = Fastify();
    await app.register(cookie);
    await app.register(authGuard, { db: h.database.db, feed: h.app.changeFeed });
    await expect(
      app
        .register(async (i) => {
          i.get('/api/forgotten', async () => ({ leaked: true }));
        })
        .ready(),
    ).rejects.toThrow(/declares no access rule/);
    await app.close().catch(() => {});
  });

  it('answers 401 without login, 403 to a role not listed, and never 401/403/5xx to a listed role', async () => {
    const problems: string[] = [];
    for (const route of h.app.routeTable) {
      if (route.url === '/api/auth/logout') continue; // would end the sessions the matrix uses; tested below
      if (route.url.startsWith('/api/docs')) continue; // swagger-ui's static files
      const url = fill(route.method, route.url);
      for (const who of WHO) {
        const r = await call(who, route.method, url);
        const allowed = route.access === 'public' || (who !== 'none' && route.access.includes(who));
        const label = `${who} ${route.method} ${url} -> ${r.statusCode} ${r.body.slice(0, 120)}`;
        if (r.statusCode >= 500 && !(url === '/api/health' && r.statusCode === 503))
          problems.push(`server error: ${label}`);
        if (route.access === 'public') {
          if (r.statusCode === 401 || r.statusCode === 403) problems.push(`public route refused: ${label}`);
        } else if (who === 'none') {
          if (r.statusCode !== 401) problems.push(`expected 401: ${label}`);
        } else if (!allowed) {
          if (r.statusCode !== 403) problems.push(`expected 403: ${label}`);
        } else if (r.statusCode === 401 || r.statusCode === 403) problems.push(`listed role refused: ${label}`);
        if (r.statusCode >= 400 && r.statusCode !== 503) {
          const b = json(r);
          if (!b || typeof b.error !== 'string' || typeof b.message !== 'string')
            problems.push(`error without {error,message}: ${label}`);
        }
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('never shows a partner viewer another partner by id (404), and shows their own', async () => {
    const viewerRoutes = h.app.routeTable.filter(
      (r) => r.url.startsWith('/api/partners/:id') && r.access !== 'public' && r.access.includes('partner_viewer'),
    );
    expect(viewerRoutes.length).toBeGreaterThan(0);
    for (const r of viewerRoutes) {
      const other = await call('partner_viewer', r.method, fill(r.method, r.url, BETA.id));
      expect(other.statusCode, `${r.method} ${r.url}`).toBe(404);
      expect(other.body).not.toContain(BETA.name);
      const own = await call('partner_viewer', r.method, fill(r.method, r.url, ALPHA.id));
      expect(own.statusCode).toBe(200);
      expect(own.json().partner.id).toBe(ALPHA.id);
    }
    const f = await call('partner_viewer', 'GET', `/api/findings?partnerId=${BETA.id}`);
    expect(f.json().findings).toEqual([]);
    const s = await call('partner_viewer', 'GET', `/api/suppressions?partnerId=${BETA.id}`);
    expect(s.json().suppressions).toEqual([]);
    const o = await call('partner_viewer', 'GET', '/api/overview');
    expect(o.json().partners.map((p: { id: string }) => p.id)).toEqual([ALPHA.id]);
    expect(o.json().totals.partners).toBe(1);
  });

  it("never shows a partner viewer another partner's name or any spend, anywhere", () => {
    // The OpenAPI document names the spend fields (it describes the responses) but carries no one's data.
    const viewer = seen.filter((x) => x.who === 'partner_viewer' && x.status < 400 && x.url !== '/api/openapi.json');
    expect(viewer.length).toBeGreaterThan(5);
    const spendKeys: string[] = [];
    const walk = (v: unknown, path: string) => {
      if (Array.isArray(v)) {
        for (const [i, x] of v.entries()) walk(x, `${path}[${i}]`);
      } else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          if (/spend|margin/i.test(k)) spendKeys.push(`${path}.${k}`);
          walk(x, `${path}.${k}`);
        }
    };
    for (const x of viewer) {
      expect(x.body, `${x.method} ${x.url}`).not.toContain(BETA.name);
      expect(x.body, `${x.method} ${x.url}`).not.toContain(BETA.payer);
      const b = (() => {
        try {
          return JSON.parse(x.body);
        } catch {
          return undefined;
        }
      })();
      walk(b, `${x.method} ${x.url}`);
    }
    expect(spendKeys).toEqual([]);
    // The same overview for staff does carry spend: the check above is not vacuous.
    const staff = seen.find((x) => x.who === 'analyst' && x.url === '/api/overview');
    expect(staff?.body).toMatch(/monthlySpend/);
  });

  it('logout ends the session: the same cookie is then refused', async () => {
    const s = await login(h.app, USERS.analyst);
    const out = await h.app.inject({ method: 'POST', url: '/api/auth/logout', headers: asSession(s) });
    expect(out.statusCode).toBe(200);
    const after = await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
    expect(after.statusCode).toBe(401);
  });
});

describe('OpenAPI', () => {
  it('validates and lists every route with its method', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    await SwaggerParser.validate(structuredClone(doc));
    const missing: string[] = [];
    for (const route of h.app.routeTable) {
      if (route.url.startsWith('/api/docs') || route.url === '/api/openapi.json') continue;
      const path = route.url.replace(/:(\w+)/g, '{$1}');
      if (!doc.paths?.[path]?.[route.method.toLowerCase()]) missing.push(`${route.method} ${path}`);
    }
    expect(missing).toEqual([]);
    expect(Object.keys(doc.paths).length).toBeGreaterThan(20);
  });

  it('serves the docs page without login', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/docs' });
    expect(r.statusCode).toBeLessThan(400);
  });
});

describe('no secret in any response or log line', () => {
  it('keeps passwords, ExternalIds, AWS secrets, session ids and tokens out', async () => {
    const admin = sessions.admin!;
    // An admin's onboarding view is the one place an ExternalId may be shown.
    const onboarding = await h.app.inject({
      method: 'GET',
      url: `/api/partners/${ALPHA.id}/onboarding`,
      headers: asSession(admin),
    });
    expect(onboarding.body).toContain(SECRETS.externalIdAlpha);
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: asSession(admin),
      payload: { name: 'leak-check' },
    });
    const token: string = created.json().token;
    expect(token).toMatch(/^pg_/);
    // Use the token, the password and the ExternalId-bearing check so they pass through the logs.
    await h.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: `Bearer ${token}` } });
    await h.app.inject({
      method: 'POST',
      url: '/api/partners/alpha/check-access',
      headers: { authorization: `Bearer ${token}` },
      payload: {},
    });
    await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: USERS.admin, password: `${SECRETS.password}-wrong` },
    });

    const never = [
      SECRETS.password,
      SECRETS.externalIdBeta,
      process.env.AWS_SECRET_ACCESS_KEY!,
      admin.cookie.split('=')[1]!,
      token,
    ];
    const bodies = seen.filter((x) => !(x.url.endsWith('/onboarding') && x.who === 'admin'));
    for (const x of bodies)
      for (const s of never) expect(x.body.includes(s), `${x.who} ${x.method} ${x.url}`).toBe(false);
    for (const x of bodies)
      expect(x.body.includes(SECRETS.externalIdAlpha), `${x.who} ${x.method} ${x.url}`).toBe(false);
    expect(h.logs.length).toBeGreaterThan(50);
    const logText = h.logs.join('');
    for (const s of [...never, SECRETS.externalIdAlpha, admin.csrf])
      expect(logText.includes(s), `log holds ${s.slice(0, 6)}...`).toBe(false);
  });
});
