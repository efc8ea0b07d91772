import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { schema } from '@payerguard/core';
import {
  createSuppression,
  listSuppressions,
  revokeSuppression,
  type Suppression,
  SuppressionError,
} from '@payerguard/core/engine/suppressions';
import { eq } from 'drizzle-orm';
import { Type } from 'typebox';
import { audit } from '../../audit.js';
import { controlCatalogue } from '../../catalogue.js';
import type { FeatureOpts } from '../../deps.js';
import { badRequest, notFound } from '../../errors.js';
import { actorOf, assertPartnerVisible, partnerScope } from '../../scope.js';
import { ALL_ROLES, STAFF } from '../../types.js';

const view = (s: Suppression) => ({
  ...s,
  expiresAt: s.expiresAt.toISOString(),
  createdAt: s.createdAt.toISOString(),
  revokedAt: s.revokedAt?.toISOString() ?? null,
});

export const suppressionRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { db }) => {
  app.get(
    '/api/suppressions',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['suppressions'],
        summary: 'Accepted exceptions (active by default)',
        querystring: Type.Object({
          partnerId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          includeExpired: Type.Boolean({ default: false, description: 'also revoked and expired ones' }),
        }),
      },
    },
    async (req) => {
      const scope = partnerScope(req);
      if (scope && req.query.partnerId && req.query.partnerId !== scope) return { suppressions: [] };
      const list = await listSuppressions(db, {
        partnerId: scope ?? req.query.partnerId,
        includeExpired: req.query.includeExpired,
      });
      return { suppressions: list.map(view) };
    },
  );

  app.post(
    '/api/suppressions',
    {
      config: { access: STAFF },
      schema: {
        tags: ['suppressions'],
        summary: "Accept an exception: a partner's control (or one resource) stops counting until it expires",
        body: Type.Object(
          {
            partnerId: Type.String({ minLength: 1, maxLength: 100 }),
            controlId: Type.String({ minLength: 1, maxLength: 100 }),
            resource: Type.Optional(
              Type.String({ maxLength: 2048, description: 'empty or absent: every resource of the control' }),
            ),
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
            approver: Type.String({ minLength: 1, maxLength: 320 }),
            expiresAt: Type.String({ format: 'date-time' }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const b = req.body;
      assertPartnerVisible(req, b.partnerId);
      const [p] = await db
        .select({ id: schema.partners.id })
        .from(schema.partners)
        .where(eq(schema.partners.id, b.partnerId));
      if (!p) throw notFound(`partner ${b.partnerId} not found`);
      const known = new Set(controlCatalogue().map((c) => c.id));
      try {
        const s = await createSuppression(
          db,
          { ...b, createdBy: actorOf(req) },
          { knownControlIds: known.size ? known : undefined },
        );
        await audit(db, {
          actor: actorOf(req),
          action: 'suppression.create',
          target: s.id,
          detail: {
            partnerId: s.partnerId,
            controlId: s.controlId,
            resource: s.resource,
            reason: s.reason,
            approver: s.approver,
            expiresAt: s.expiresAt.toISOString(),
          },
          ip: req.ip,
        });
        reply.code(201);
        return view(s);
      } catch (e) {
        if (e instanceof SuppressionError) throw badRequest(e.message);
        throw e;
      }
    },
  );

  app.delete(
    '/api/suppressions/:id',
    {
      config: { access: STAFF },
      schema: {
        tags: ['suppressions'],
        summary: 'Revoke an exception',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
      },
    },
    async (req) => {
      const s = await revokeSuppression(db, req.params.id, actorOf(req));
      if (!s) throw notFound(`no active suppression ${req.params.id}`);
      await audit(db, {
        actor: actorOf(req),
        action: 'suppression.revoke',
        target: s.id,
        detail: { partnerId: s.partnerId, controlId: s.controlId },
        ip: req.ip,
      });
      return view(s);
    },
  );
};
