import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { schema } from '@payerguard/core';
import { loadSettings } from '@payerguard/core/settings-store';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { Type } from 'typebox';
import { audit } from '../../audit.js';
import { randomToken, sha256 } from '../../auth/crypto.js';
import { revokeTokens, TOKEN_PREFIX } from '../../auth/sessions.js';
import type { FeatureOpts } from '../../deps.js';
import { badRequest, notFound } from '../../errors.js';
import { ref, responses } from '../../schemas/common.js';
import { Token, TokenCreated, TokenList } from '../../schemas/users.js';
import { actorOf } from '../../scope.js';
import { ALL_ROLES } from '../../types.js';

const view = (t: typeof schema.apiTokens.$inferSelect) => ({
  id: t.id,
  userId: t.userId,
  name: t.name,
  prefix: t.prefix,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  expiresAt: t.expiresAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});

export const tokenRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { db }) => {
  app.get(
    '/api/tokens',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['tokens'],
        summary: "My API tokens (admins: everyone's with all=true); never the token itself",
        querystring: Type.Object({ all: Type.Boolean({ default: false }) }),
        response: responses({ 200: ref(TokenList) }),
      },
    },
    async (req) => {
      const p = req.principal!;
      const q = db.select().from(schema.apiTokens).orderBy(desc(schema.apiTokens.createdAt));
      const list = req.query.all && p.role === 'admin' ? await q : await q.where(eq(schema.apiTokens.userId, p.userId));
      return { tokens: list.map(view) };
    },
  );

  app.post(
    '/api/tokens',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token for myself: the token is in this answer only (stored as sha256)',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            expiresInDays: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: 3650,
                description: 'default and maximum: the apiTokenMaxDays setting',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: ref(TokenCreated) }),
      },
    },
    async (req, reply) => {
      const p = req.principal!;
      const { apiTokenMaxDays } = await loadSettings(db);
      const days = req.body.expiresInDays ?? apiTokenMaxDays;
      if (days > apiTokenMaxDays)
        throw badRequest(`expiresInDays: at most ${apiTokenMaxDays} days (the apiTokenMaxDays setting)`);
      let expiresAt = new Date(Date.now() + days * 86_400_000);
      // A token minting a token: the child has the same user (so no more rights) and dies no later than its parent.
      if (p.via === 'token' && p.tokenExpiresAt) {
        if (req.body.expiresInDays !== undefined && expiresAt > p.tokenExpiresAt)
          throw badRequest(
            `expiresInDays: a token created with a token cannot outlive it (it expires ${p.tokenExpiresAt.toISOString()})`,
          );
        if (expiresAt > p.tokenExpiresAt) expiresAt = p.tokenExpiresAt;
      }
      const token = `${TOKEN_PREFIX}${randomToken(32)}`;
      const [row] = await db
        .insert(schema.apiTokens)
        .values({
          id: randomUUID(),
          userId: p.userId,
          name: req.body.name,
          tokenHash: sha256(token),
          prefix: token.slice(0, 10),
          expiresAt,
          parentTokenId: p.via === 'token' ? (p.tokenId ?? null) : null,
        })
        .returning();
      await audit(db, {
        actor: actorOf(req),
        action: 'token.create',
        target: row!.id,
        detail: {
          name: row!.name,
          prefix: row!.prefix,
          expiresAt: expiresAt.toISOString(),
          viaToken: p.via === 'token',
        },
        ip: req.ip,
      });
      reply.code(201);
      return { ...view(row!), token };
    },
  );

  app.delete(
    '/api/tokens/:id',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke a token (my own; admins any)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: responses({ 200: ref(Token) }),
      },
    },
    async (req) => {
      const p = req.principal!;
      const own = p.role === 'admin' ? undefined : eq(schema.apiTokens.userId, p.userId);
      const [row] = await db
        .select()
        .from(schema.apiTokens)
        .where(and(eq(schema.apiTokens.id, req.params.id), isNull(schema.apiTokens.revokedAt), own));
      if (!row) throw notFound(`no active token ${req.params.id}`);
      // Tokens minted from this one go with it.
      const revoked = await revokeTokens(db, { tokenId: row.id });
      await audit(db, {
        actor: actorOf(req),
        action: 'token.revoke',
        target: row.id,
        detail: { name: row.name, ...(revoked > 1 ? { alsoRevoked: revoked - 1 } : {}) },
        ip: req.ip,
      });
      return { ...view(row), revokedAt: new Date().toISOString() };
    },
  );
};
