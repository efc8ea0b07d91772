import { schema } from '@payerguard/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from './app.js';
import { sha256 } from './auth/crypto.js';
import { seedDemoUsers } from './demo-users.js';
import { SECRETS, USERS } from './testing/fixtures.js';
import { asSession, type Harness, login, startHarness } from './testing/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ options: { maxFailedLogins: 3, lockoutMinutes: 15, loginRateLimitPerMinute: 1000 } });
});
afterAll(async () => h?.close());

describe('login and sessions', () => {
  it('sets an httpOnly SameSite=Lax cookie, stores only the hash of the session id, and audits', async () => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'ANALYST@test.local', password: SECRETS.password },
    });
    expect(r.statusCode).toBe(200);
    const set = String(r.headers['set-cookie']);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).not.toMatch(/Secure/);
    const sid = /pg_session=([^;]+)/.exec(set)![1]!;
    const rows = await h.database.db.select().from(schema.sessions);
    expect(rows.some((s) => s.idHash === sha256(sid))).toBe(true);
    expect(rows.some((s) => s.idHash === sid)).toBe(false);
    const log = await h.database.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, 'login'));
    expect(log.map((l) => l.actor)).toContain(USERS.analyst);
  });

  it('marks the cookie Secure when the public URL is https', async () => {
    const app = await buildServer({
      db: h.database.db,
      config: { ...(await import('@payerguard/core')).loadConfig({}), publicUrl: 'https://guard.example' },
      logger: (await import('@payerguard/core')).createLogger('silent'),
    });
    const r = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: USERS.admin, password: SECRETS.password },
    });
    expect(String(r.headers['set-cookie'])).toMatch(/Secure/);
    await app.close();
  });

  it('answers a wrong password and an unknown user the same way, and audits both', async () => {
    const a = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'nobody@test.local', password: 'x' },
    });
    const b = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: USERS.admin, password: 'wrong' },
    });
    expect(a.statusCode).toBe(401);
    expect(b.statusCode).toBe(401);
    expect(a.json()).toEqual(b.json());
    const fails = await h.database.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, 'login_failed'));
    expect(fails.map((f) => f.actor)).toEqual(expect.arrayContaining(['nobody@test.local', USERS.admin]));
    // A good login resets the counter so the lockout test below starts clean.
    await login(h.app, USERS.admin);
  });

  it('throttles failed logins per account and address: strangers cannot lock the owner out, unknown accounts answer alike', async () => {
    const email = 'lockme@test.local';
    const admin = await login(h.app, USERS.admin);
    const made = await h.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: asSession(admin),
      payload: { email, password: 'a-good-password', role: 'analyst' },
    });
    expect(made.statusCode).toBe(201);
    const attempt = (who: string, password: string, ip: string) =>
      h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: who, password }, remoteAddress: ip });
    const codes = async (who: string) => {
      const out: number[] = [];
      for (let i = 0; i < 4; i++) out.push((await attempt(who, 'nope', '203.0.113.9')).statusCode);
      return out;
    };
    // The same answers whether or not the account exists.
    expect(await codes(email)).toEqual([401, 401, 401, 429]);
    expect(await codes('ghost@test.local')).toEqual([401, 401, 401, 429]);
    // The owner, from their own address, still gets in with the right password: no lockout.
    expect((await attempt(email, 'a-good-password', '198.51.100.7')).statusCode).toBe(200);
    // The stranger's address stays throttled for that account, even with the right password.
    expect((await attempt(email, 'a-good-password', '203.0.113.9')).statusCode).toBe(429);
  });

  it('rate-limits login per client', async () => {
    const app = await buildServer({
      db: h.database.db,
      config: (await import('@payerguard/core')).loadConfig({}),
      logger: (await import('@payerguard/core')).createLogger('silent'),
      options: { loginRateLimitPerMinute: 3 },
    });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++)
      codes.push(
        (
          await app.inject({
            method: 'POST',
            url: '/api/auth/login',
            payload: { email: 'rl@test.local', password: 'x' },
          })
        ).statusCode,
      );
    expect(codes).toEqual([401, 401, 401, 429, 429]);
    await app.close();
  });

  it('disabling a user ends their sessions at once', async () => {
    const admin = await login(h.app, USERS.admin);
    const made = await h.app.inject({
      method: 'POST',
      url: '/api/users',
      headers: asSession(admin),
      payload: { email: 'leaver@test.local', password: 'leaver-password', role: 'analyst' },
    });
    const s = await login(h.app, 'leaver@test.local', 'leaver-password');
    expect((await h.app.inject({ method: 'GET', url: '/api/me', headers: asSession(s) })).statusCode).toBe(200);
    const off = await h.app.inject({
      method: 'PATCH',
      url: `/api/users/${made.json().id}`,
      headers: asSession(admin),
      payload: { disabled: true },
    });
    expect(off.statusCode).toBe(200);
    expect((await h.app.inject({ method: 'GET', url: '/api/me', headers: asSession(s) })).statusCode).toBe(401);
    const again = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'leaver@test.local', password: 'leaver-password' },
    });
    expect(again.statusCode).toBe(401);
  });
});

describe('CSRF', () => {
  it('refuses unsafe cookie requests without the right x-csrf-token, accepts them with it', async () => {
    const s = await login(h.app, USERS.analyst);
    const body = { name: 'csrf-check' };
    const none = await h.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { cookie: s.cookie },
      payload: body,
    });
    expect(none.statusCode).toBe(403);
    expect(none.json().message).toMatch(/csrf/i);
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { cookie: s.cookie, 'x-csrf-token': 'x'.repeat(s.csrf.length) },
      payload: body,
    });
    expect(wrong.statusCode).toBe(403);
    const other = await login(h.app, USERS.admin);
    const crossed = await h.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: { cookie: s.cookie, 'x-csrf-token': other.csrf },
      payload: body,
    });
    expect(crossed.statusCode).toBe(403);
    const right = await h.app.inject({ method: 'POST', url: '/api/tokens', headers: asSession(s), payload: body });
    expect(right.statusCode).toBe(201);
    // Safe methods need no token; /api/me hands it out.
    const me = await h.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: s.cookie } });
    expect(me.json().csrfToken).toBe(s.csrf);
  });
});

describe('API tokens', () => {
  it('shows the token once, stores only its sha256, works as Bearer without CSRF, and stops working when revoked', async () => {
    const s = await login(h.app, USERS.analyst);
    const c = await h.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: asSession(s),
      payload: { name: 'ci', expiresInDays: 30 },
    });
    expect(c.statusCode).toBe(201);
    const { token, id } = c.json();
    const [row] = await h.database.db.select().from(schema.apiTokens).where(eq(schema.apiTokens.id, id));
    expect(row!.tokenHash).toBe(sha256(token));
    expect(JSON.stringify(row)).not.toContain(token);
    const list = await h.app.inject({ method: 'GET', url: '/api/tokens', headers: asSession(s) });
    expect(list.body).not.toContain(token);
    expect(list.json().tokens.map((t: { id: string }) => t.id)).toContain(id);

    const bearer = { authorization: `Bearer ${token}` };
    const me = await h.app.inject({ method: 'GET', url: '/api/me', headers: bearer });
    expect(me.json().user.email).toBe(USERS.analyst);
    expect(me.json().csrfToken).toBeUndefined();
    // Unsafe method with a bearer token and no CSRF header: allowed (not a browser session).
    const sup = await h.app.inject({
      method: 'POST',
      url: '/api/suppressions',
      headers: bearer,
      payload: {
        partnerId: 'alpha',
        controlId: 'OWN-ROOT-EMAIL-DOMAIN',
        reason: 'migration',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    });
    // An analyst reads everything and writes nothing, by session or by token.
    expect(sup.statusCode).toBe(403);
    // Roles still apply to tokens: an analyst's token cannot manage users.
    expect((await h.app.inject({ method: 'GET', url: '/api/users', headers: bearer })).statusCode).toBe(403);

    const rev = await h.app.inject({ method: 'DELETE', url: `/api/tokens/${id}`, headers: bearer });
    expect(rev.statusCode).toBe(200);
    const after = await h.app.inject({ method: 'GET', url: '/api/me', headers: bearer });
    expect(after.statusCode).toBe(401);
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: 'Bearer pg_madeup' } }))
        .statusCode,
    ).toBe(401);
    expect(
      (await h.app.inject({ method: 'GET', url: '/api/me', headers: { authorization: 'Basic abc' } })).statusCode,
    ).toBe(401);
    const audit = await h.database.db.select().from(schema.auditLog);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['token.create', 'token.revoke']));
  });

  it("does not let one user revoke another user's token", async () => {
    const admin = await login(h.app, USERS.admin);
    const t = await h.app.inject({
      method: 'POST',
      url: '/api/tokens',
      headers: asSession(admin),
      payload: { name: 'admin-own' },
    });
    const viewer = await login(h.app, USERS.viewer);
    const r = await h.app.inject({ method: 'DELETE', url: `/api/tokens/${t.json().id}`, headers: asSession(viewer) });
    expect(r.statusCode).toBe(404);
  });
});

describe('demo users', () => {
  it('seeds admin, analyst and one viewer per partner with one hash, idempotently, and lists them only in demo mode', async () => {
    const first = await seedDemoUsers(h.database.db);
    expect(first.created).toBe(4); // admin, analyst, viewer+alpha, viewer+beta
    expect((await seedDemoUsers(h.database.db)).created).toBe(0);
    const v = await login(h.app, 'viewer+beta@demo.local', 'demo');
    const me = await h.app.inject({ method: 'GET', url: '/api/me', headers: asSession(v) });
    expect(me.json().user).toMatchObject({ role: 'partner_viewer', partnerId: 'beta' });
    expect((await h.app.inject({ method: 'GET', url: '/api/auth/demo-logins' })).statusCode).toBe(404);
    const core = await import('@payerguard/core');
    const demo = await buildServer({
      db: h.database.db,
      config: { ...core.loadConfig({}), demo: true },
      logger: core.createLogger('silent'),
    });
    const list = await demo.inject({ method: 'GET', url: '/api/auth/demo-logins' });
    expect(
      list
        .json()
        .logins.map((l: { email: string }) => l.email)
        .slice(0, 2),
    ).toEqual(['admin@demo.local', 'analyst@demo.local']);
    expect(list.json().logins).toHaveLength(4);
    await demo.close();
  });
});
