import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { schema } from '@payerguard/core';
import { and, eq, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import { audit } from '../../audit.js';
import { verifyPassword } from '../../auth/passwords.js';
import { createSession, deleteSession, SESSION_COOKIE, SESSION_TTL_MS } from '../../auth/sessions.js';
import { DEMO_PASSWORD } from '../../demo-users.js';
import type { FeatureOpts } from '../../deps.js';
import { HttpError, notFound } from '../../errors.js';
import { DemoLogins, LoginResponse, Me } from '../../schemas/auth.js';
import { Ok, ref, responses } from '../../schemas/common.js';
import { ALL_ROLES } from '../../types.js';

const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 320 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export const authRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { db, config, options }) => {
  const secure = config.publicUrl?.startsWith('https:') ?? false;
  /**
   * Failed logins are throttled per (account, address) pair, never per account alone: a stranger guessing from
   * elsewhere uses up only their own budget, so they cannot lock the owner out. The key is the email as typed, so an
   * account that does not exist is throttled exactly like one that does (no enumeration through the answers).
   */
  const failures = app.createRateLimit({
    max: options?.maxFailedLogins ?? 5,
    timeWindow: (options?.lockoutMinutes ?? 15) * 60_000,
    keyGenerator: (req) => `login-fail:${req.ip}|${(req.body as { email?: string })?.email?.trim().toLowerCase()}`,
  });

  app.post(
    '/api/auth/login',
    {
      // Every attempt from one address, whatever the account: the coarse limit against spraying many accounts.
      config: {
        access: 'public',
        rateLimit: { max: options?.loginRateLimitPerMinute ?? 20, timeWindow: 60_000 },
      },
      bodyLimit: 4096,
      schema: {
        tags: ['auth'],
        summary: 'Log in: sets the session cookie and returns the CSRF token',
        body: LoginBody,
        response: responses({ 200: ref(LoginResponse) }),
      },
    },
    async (req, reply) => {
      const email = req.body.email.trim().toLowerCase();
      const budget = await failures(req, { increment: false });
      if (!budget.isAllowed && budget.remaining === 0) {
        await audit(db, { actor: email, action: 'login_failed', detail: { reason: 'throttled' }, ip: req.ip });
        reply.header('retry-after', String(budget.ttlInSeconds));
        throw new HttpError(
          429,
          `too many failed logins for this account from your address: try again in ${Math.ceil(budget.ttlInSeconds / 60)} minute(s)`,
        );
      }
      const [user] = await db.select().from(schema.users).where(eq(schema.users.email, email)).limit(1);
      const now = new Date();
      const ok = await verifyPassword(user?.passwordHash, req.body.password);
      if (!user || !ok || user.disabled) {
        await failures(req);
        await audit(db, {
          actor: email,
          action: 'login_failed',
          detail: { reason: !user ? 'unknown user' : user.disabled ? 'disabled' : 'wrong password' },
          ip: req.ip,
        });
        throw new HttpError(401, 'wrong email or password');
      }
      await db
        .update(schema.users)
        .set({ failedLogins: 0, lockedUntil: null, lastLoginAt: now })
        .where(eq(schema.users.id, user.id));
      const s = await createSession(db, user.id);
      reply.setCookie(SESSION_COOKIE, s.sessionId, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure,
        maxAge: Math.floor(SESSION_TTL_MS / 1000),
      });
      await audit(db, { actor: user.email, action: 'login', ip: req.ip });
      return {
        user: { id: user.id, email: user.email, name: user.name, role: user.role, partnerId: user.partnerId },
        csrfToken: s.csrfToken,
        expiresAt: s.expiresAt.toISOString(),
      };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { access: ALL_ROLES },
      schema: { tags: ['auth'], summary: 'End the current session', response: responses({ 200: ref(Ok) }) },
    },
    async (req, reply) => {
      const p = req.principal!;
      if (p.sessionHash) await deleteSession(db, p.sessionHash);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      await audit(db, { actor: p.email, action: 'logout', ip: req.ip });
      return { ok: true };
    },
  );

  app.get(
    '/api/me',
    {
      config: { access: ALL_ROLES },
      schema: { tags: ['auth'], summary: 'Who am I, and my CSRF token', response: responses({ 200: ref(Me) }) },
    },
    async (req) => {
      const p = req.principal!;
      const [u] = await db.select().from(schema.users).where(eq(schema.users.id, p.userId)).limit(1);
      let partner: { id: string; name: string } | null = null;
      if (p.partnerId) {
        const [row] = await db
          .select({ id: schema.partners.id, name: schema.partners.name })
          .from(schema.partners)
          .where(eq(schema.partners.id, p.partnerId));
        partner = row ?? null;
      }
      return {
        user: { id: p.userId, email: p.email, name: u?.name ?? null, role: p.role, partnerId: p.partnerId },
        partner,
        authenticatedBy: p.via,
        ...(p.csrfToken ? { csrfToken: p.csrfToken } : {}),
        demo: config.demo,
      };
    },
  );

  app.get(
    '/api/auth/demo-logins',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Demo mode only: the demo logins the login page lists',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 200 })) }),
        response: responses({ 200: ref(DemoLogins) }),
      },
    },
    async (req) => {
      if (!config.demo) throw notFound('demo logins exist in demo mode only');
      const rows = await db
        .select({
          email: schema.users.email,
          role: schema.users.role,
          partnerId: schema.users.partnerId,
          partnerName: schema.partners.name,
        })
        .from(schema.users)
        .leftJoin(schema.partners, eq(schema.partners.id, schema.users.partnerId))
        .where(and(sql`${schema.users.email} like '%@demo.local'`, eq(schema.users.disabled, false)))
        .orderBy(
          sql`case ${schema.users.role} when 'admin' then 0 when 'analyst' then 1 else 2 end`,
          schema.users.email,
        )
        .limit(req.query.limit ?? 200);
      // The demo password is published in the README and printed by `npm run demo`: it is not a secret.
      return { password: DEMO_PASSWORD, logins: rows };
    },
  );
};
