import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { schema } from '@payerguard/core';
import { sideOf } from '@payerguard/core/root-windows/rules';
import {
  decideWindow,
  getWindow,
  listWindows,
  type RootAccessWindow,
  RootWindowError,
  requestWindow,
} from '@payerguard/core/root-windows/store';
import { eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { audit } from '../../audit.js';
import type { FeatureOpts } from '../../deps.js';
import { badRequest, conflict, forbidden, notFound } from '../../errors.js';
import { ref, responses } from '../../schemas/common.js';
import {
  DecisionBody,
  RootAccessWindow as RootAccessWindowView,
  WindowList,
  WindowListQuery,
  WindowRequestBody,
} from '../../schemas/root-access-windows.js';
import { actorOf, assertPartnerVisible, partnerScope } from '../../scope.js';
import { ALL_ROLES, type Role } from '../../types.js';

/** The two sides of two-party root access; analysts only read. */
const SIDES: readonly Role[] = ['admin', 'partner_viewer'];
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

function asHttp(e: unknown): never {
  if (e instanceof RootWindowError) {
    if (e.kind === 'invalid') throw badRequest(e.message);
    if (e.kind === 'not_found') throw notFound(e.message);
    if (e.kind === 'forbidden') throw forbidden(e.message);
    throw conflict(e.message);
  }
  throw e;
}

const sideFor = (req: FastifyRequest) => {
  const side = sideOf(req.principal?.role ?? '');
  if (!side) throw forbidden('only a partner viewer or a distributor admin takes part in root access');
  return side;
};

export const rootAccessWindowRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { db }) => {
  /** A window the caller may see, or 404 (a viewer must not learn that another partner's window exists). */
  const visible = async (req: FastifyRequest, id: string): Promise<RootAccessWindow> => {
    const w = await getWindow(db, id);
    if (!w) throw notFound(`root-access window ${id} not found`);
    const scope = partnerScope(req);
    if (scope !== null && scope !== w.partnerId) throw notFound(`root-access window ${id} not found`);
    return w;
  };

  app.get(
    '/api/root-access-windows',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['root access'],
        summary: 'Root-access windows, newest request first (partner viewers see their own partner only)',
        querystring: WindowListQuery,
        response: responses({ 200: ref(WindowList) }),
      },
    },
    async (req) => {
      const scope = partnerScope(req);
      if (scope && req.query.partnerId && req.query.partnerId !== scope) return { windows: [] };
      const windows = await listWindows(db, {
        partnerId: scope ?? req.query.partnerId,
        payerAccountId: req.query.payerAccountId,
        state: req.query.state,
        limit: req.query.limit,
      });
      return { windows };
    },
  );

  app.get(
    '/api/root-access-windows/:id',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['root access'],
        summary: 'One root-access window',
        params: IdParams,
        response: responses({ 200: ref(RootAccessWindowView) }),
      },
    },
    async (req) => visible(req, req.params.id),
  );

  app.post(
    '/api/root-access-windows',
    {
      config: { access: SIDES },
      schema: {
        tags: ['root access'],
        summary:
          'Request a window in which root may be used on a payer; the other side (distributor admin or partner viewer) decides',
        body: WindowRequestBody,
        response: responses({ 201: ref(RootAccessWindowView) }),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const side = sideFor(req);
      assertPartnerVisible(req, b.partnerId);
      const [p] = await db
        .select({ id: schema.partners.id })
        .from(schema.partners)
        .where(eq(schema.partners.id, b.partnerId));
      if (!p) throw notFound(`partner ${b.partnerId} not found`);
      const w = await requestWindow(db, {
        partnerId: b.partnerId,
        payerAccountId: b.payerAccountId,
        reason: b.reason,
        startsAt: new Date(b.startsAt),
        endsAt: new Date(b.endsAt),
        requestedBy: actorOf(req),
        side,
      }).catch(asHttp);
      await audit(db, {
        actor: actorOf(req),
        action: 'root-window.request',
        target: w.id,
        detail: {
          partnerId: w.partnerId,
          payerAccountId: w.payerAccountId,
          reason: w.reason,
          startsAt: w.startsAt,
          endsAt: w.endsAt,
          requestedBySide: w.requestedBySide,
        },
        ip: req.ip,
      });
      reply.code(201);
      return w;
    },
  );

  for (const [verb, decision] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    app.post(
      `/api/root-access-windows/:id/${verb}`,
      {
        config: { access: SIDES },
        schema: {
          tags: ['root access'],
          summary: `${verb === 'approve' ? 'Approve' : 'Reject'} a pending request: only the other side, never the requester (403)`,
          params: IdParams,
          body: DecisionBody,
          response: responses({ 200: ref(RootAccessWindowView) }),
        },
      },
      async (req) => {
        const side = sideFor(req);
        await visible(req, req.params.id);
        const w = await decideWindow(db, req.params.id, decision, {
          email: actorOf(req),
          side,
          note: req.body?.note,
        }).catch(asHttp);
        await audit(db, {
          actor: actorOf(req),
          action: `root-window.${verb}`,
          target: w.id,
          detail: {
            partnerId: w.partnerId,
            payerAccountId: w.payerAccountId,
            startsAt: w.startsAt,
            endsAt: w.endsAt,
            requestedBy: w.requestedBy,
            note: w.decisionNote,
          },
          ip: req.ip,
        });
        return w;
      },
    );
  }
};
