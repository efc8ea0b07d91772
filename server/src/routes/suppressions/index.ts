import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { schema } from '@payerguard/core';
import {
  approveSuppression,
  createSuppression,
  listSuppressions,
  revokeSuppression,
  type Suppression,
  SuppressionError,
  suppressionState,
} from '@payerguard/core/engine/suppressions';
import { loadSettings } from '@payerguard/core/settings-store';
import { eq } from 'drizzle-orm';
import { Type } from 'typebox';
import { audit } from '../../audit.js';
import { controlsById } from '../../control-metadata.js';
import type { FeatureOpts } from '../../deps.js';
import { badRequest, conflict, forbidden, notFound } from '../../errors.js';
import { ref, responses } from '../../schemas/common.js';
import { SuppressionList, Suppression as SuppressionView } from '../../schemas/suppressions.js';
import { actorOf, assertPartnerVisible, partnerScope } from '../../scope.js';
import { ADMIN, ALL_ROLES } from '../../types.js';

const view = (s: Suppression, now = new Date()) => ({
  ...s,
  status: suppressionState(s, now),
  expiresAt: s.expiresAt.toISOString(),
  createdAt: s.createdAt.toISOString(),
  revokedAt: s.revokedAt?.toISOString() ?? null,
  approvedAt: s.approvedAt?.toISOString() ?? null,
});

/**
 * Accepting a risk is a distributor admin's decision: the approver is the signed-in admin (never free text), the
 * expiry is bounded by the `suppressionMaxDays` setting, and a critical control needs a second admin before the
 * exception changes any verdict. Analysts and partner viewers read only.
 */
export const suppressionRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { db }) => {
  app.get(
    '/api/suppressions',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['suppressions'],
        summary: 'Accepted exceptions: active and pending approval by default',
        querystring: Type.Object({
          partnerId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          includeExpired: Type.Boolean({ default: false, description: 'also revoked and expired ones' }),
        }),
        response: responses({ 200: ref(SuppressionList) }),
      },
    },
    async (req) => {
      const scope = partnerScope(req);
      if (scope && req.query.partnerId && req.query.partnerId !== scope) return { suppressions: [] };
      const list = await listSuppressions(db, {
        partnerId: scope ?? req.query.partnerId,
        includeExpired: req.query.includeExpired,
        includePending: true,
      });
      return { suppressions: list.map((s) => view(s)) };
    },
  );

  app.post(
    '/api/suppressions',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['suppressions'],
        summary:
          "Accept an exception (admins): a partner's control (or one resource) stops counting until it expires; a critical control's waits for a second admin",
        body: Type.Object(
          {
            partnerId: Type.String({ minLength: 1, maxLength: 100 }),
            controlId: Type.String({ minLength: 1, maxLength: 100 }),
            resource: Type.Optional(
              Type.String({ maxLength: 2048, description: 'empty or absent: every resource of the control' }),
            ),
            reason: Type.String({ minLength: 1, maxLength: 2000 }),
            expiresAt: Type.String({
              format: 'date-time',
              description: 'required; at most `suppressionMaxDays` (a setting) from now',
            }),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: ref(SuppressionView) }),
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
      const controls = controlsById();
      const control = controls.get(b.controlId);
      const settings = await loadSettings(db);
      const me = actorOf(req);
      try {
        const s = await createSuppression(
          db,
          {
            ...b,
            approver: me,
            createdBy: me,
            needsSecondApproval: control?.severity === 'critical',
            maxDays: settings.suppressionMaxDays,
          },
          { knownControlIds: controls.size ? new Set(controls.keys()) : undefined },
        );
        await audit(db, {
          actor: me,
          action: s.approvedAt ? 'suppression.create' : 'suppression.request',
          target: s.id,
          detail: {
            partnerId: s.partnerId,
            controlId: s.controlId,
            resource: s.resource,
            reason: s.reason,
            approver: s.approver,
            expiresAt: s.expiresAt.toISOString(),
            ...(s.approvedAt ? {} : { pending: 'a second admin must approve (critical control)' }),
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

  app.post(
    '/api/suppressions/:id/approve',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['suppressions'],
        summary: "Second admin's approval of a critical control's exception (never the requester's own)",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: responses({ 200: ref(SuppressionView) }),
      },
    },
    async (req) => {
      const me = actorOf(req);
      const r = await approveSuppression(db, req.params.id, me);
      if (!r.ok) {
        if (r.reason === 'not_found') throw notFound(`no suppression ${req.params.id}`);
        if (r.reason === 'same_person')
          throw forbidden('a second admin must approve: the requester cannot approve their own exception');
        throw conflict(`suppression ${req.params.id} is not waiting for approval`);
      }
      const s = r.suppression;
      await audit(db, {
        actor: me,
        action: 'suppression.approve',
        target: s.id,
        detail: { partnerId: s.partnerId, controlId: s.controlId, requestedBy: s.createdBy, reason: s.reason },
        ip: req.ip,
      });
      return view(s);
    },
  );

  app.delete(
    '/api/suppressions/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['suppressions'],
        summary: 'Revoke an exception (or reject a pending one)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
        response: responses({ 200: ref(SuppressionView) }),
      },
    },
    async (req) => {
      const s = await revokeSuppression(db, req.params.id, actorOf(req));
      if (!s) throw notFound(`no active suppression ${req.params.id}`);
      await audit(db, {
        actor: actorOf(req),
        action: 'suppression.revoke',
        target: s.id,
        detail: { partnerId: s.partnerId, controlId: s.controlId, wasPending: !s.approvedAt },
        ip: req.ip,
      });
      return view(s);
    },
  );
};
