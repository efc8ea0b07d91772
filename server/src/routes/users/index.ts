import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { schema } from '@payerguard/core';
import { eq } from 'drizzle-orm';
import { Type } from 'typebox';
import { audit } from '../../audit.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../../auth/passwords.js';
import { revokeTokens } from '../../auth/sessions.js';
import type { FeatureOpts } from '../../deps.js';
import { badRequest } from '../../errors.js';
import { ref, responses } from '../../schemas/common.js';
import { UserAccount, UserList } from '../../schemas/users.js';
import { actorOf } from '../../scope.js';
import { ADMIN } from '../../types.js';
import { checkRolePartner, createUser, getUser, listUsers, userView } from '../../users.js';

const Role = Type.Union([Type.Literal('admin'), Type.Literal('analyst'), Type.Literal('partner_viewer')]);

export const userRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { db }) => {
  app.get(
    '/api/users',
    {
      config: { access: ADMIN },
      schema: { tags: ['users'], summary: 'Local users', response: responses({ 200: ref(UserList) }) },
    },
    async () => ({ users: await listUsers(db) }),
  );

  app.post(
    '/api/users',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['users'],
        summary: 'Create a user (partner viewers need partnerId)',
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 320 }),
            password: Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1024 }),
            role: Role,
            partnerId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            name: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: ref(UserAccount) }),
      },
    },
    async (req, reply) => {
      const u = await createUser(db, req.body);
      await audit(db, {
        actor: actorOf(req),
        action: 'user.create',
        target: u.email,
        detail: { role: u.role, partnerId: u.partnerId },
        ip: req.ip,
      });
      reply.code(201);
      return u;
    },
  );

  app.patch(
    '/api/users/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['users'],
        summary: 'Disable or enable a user, change role/partner, reset the password',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        body: Type.Object(
          {
            disabled: Type.Optional(Type.Boolean()),
            role: Type.Optional(Role),
            partnerId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
            name: Type.Optional(Type.String({ maxLength: 200 })),
            password: Type.Optional(Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1024 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: responses({ 200: ref(UserAccount) }),
      },
    },
    async (req) => {
      const u = await getUser(db, req.params.id);
      const b = req.body;
      if (u.id === req.principal!.userId && (b.disabled === true || (b.role && b.role !== 'admin')))
        throw badRequest('you cannot disable yourself or drop your own admin role');
      const role = b.role ?? u.role;
      const partnerId = b.partnerId !== undefined ? b.partnerId : role === 'partner_viewer' ? u.partnerId : null;
      if (b.role !== undefined || b.partnerId !== undefined) await checkRolePartner(db, role, partnerId);
      const [row] = await db
        .update(schema.users)
        .set({
          role,
          partnerId,
          ...(b.disabled !== undefined ? { disabled: b.disabled } : {}),
          ...(b.name !== undefined ? { name: b.name } : {}),
          ...(b.password ? { passwordHash: await hashPassword(b.password), failedLogins: 0, lockedUntil: null } : {}),
        })
        .where(eq(schema.users.id, u.id))
        .returning();
      // A disabled user, a changed role or a new password ends every open session of that user.
      // ... and revokes every API token of that user: a token must not outlive the password or the access it came from.
      let tokensRevoked = 0;
      if (b.disabled || b.role !== undefined || b.partnerId !== undefined || b.password) {
        await db.delete(schema.sessions).where(eq(schema.sessions.userId, u.id));
        tokensRevoked = await revokeTokens(db, { userId: u.id });
      }
      const { password: _pw, ...changes } = b;
      await audit(db, {
        actor: actorOf(req),
        action: b.disabled === true ? 'user.disable' : 'user.update',
        target: u.email,
        detail: {
          ...changes,
          ...(b.password ? { passwordReset: true } : {}),
          ...(tokensRevoked ? { tokensRevoked } : {}),
        },
        ip: req.ip,
      });
      return userView(row!);
    },
  );
};
