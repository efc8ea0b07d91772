import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ALERT_CHANNEL_KINDS, ALERT_EVENTS } from '@payerguard/core/alerts/events';
import {
  AlertChannelError,
  type AlertChannelRow,
  type AlertDeliveryRow,
  createAlertChannel,
  deleteAlertChannel,
  getAlertChannel,
  listAlertChannels,
  listDeliveries,
  maskUrl,
} from '@payerguard/core/alerts/store';
import { listRootEvents } from '@payerguard/core/root-events/live';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { audit } from '../../audit.js';
import type { FeatureOpts } from '../../deps.js';
import { HttpError, notFound } from '../../errors.js';
import {
  AlertChannel,
  AlertChannelCreated,
  AlertChannelList,
  AlertDeliveryList,
  LiveRootEventList,
} from '../../schemas/alerts.js';
import { ref, responses } from '../../schemas/common.js';
import { actorOf, partnerScope } from '../../scope.js';
import { ADMIN, ALL_ROLES, STAFF } from '../../types.js';

const AlertEventSchema = Type.Union(ALERT_EVENTS.map((e) => Type.Literal(e)));

const channelView = (req: FastifyRequest, c: AlertChannelRow) => ({
  id: c.id,
  kind: c.kind,
  url: req.principal?.role === 'admin' ? c.url : maskUrl(c.url),
  events: c.events,
  createdBy: c.createdBy,
  createdAt: c.createdAt.toISOString(),
});

const deliveryView = (d: AlertDeliveryRow) => ({
  id: d.id,
  channelId: d.channelId,
  event: d.event,
  partnerId: d.partnerId,
  status: d.status,
  attempts: d.attempts,
  lastError: d.lastError,
  text: String((d.payload as { text?: unknown }).text ?? ''),
  createdAt: d.createdAt.toISOString(),
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
});

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const alertRoutes: FastifyPluginAsyncTypebox<FeatureOpts> = async (app, { db }) => {
  app.get(
    '/api/alert-channels',
    {
      config: { access: STAFF },
      schema: {
        tags: ['alerts'],
        summary: 'Alert channels (webhooks); analysts see each URL masked; the signing secret is never shown again',
        response: responses({ 200: ref(AlertChannelList) }),
      },
    },
    async (req) => ({ channels: (await listAlertChannels(db)).map((c) => channelView(req, c)) }),
  );

  app.post(
    '/api/alert-channels',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['alerts'],
        summary:
          'Add a webhook channel for root-activity, lockout and/or new-critical-finding alerts; the answer holds the HMAC secret, once',
        body: Type.Object(
          {
            kind: Type.Union(ALERT_CHANNEL_KINDS.map((k) => Type.Literal(k))),
            url: Type.String({ minLength: 8, maxLength: 2000 }),
            events: Type.Array(AlertEventSchema, { minItems: 1, maxItems: ALERT_EVENTS.length, uniqueItems: true }),
          },
          { additionalProperties: false },
        ),
        response: responses({ 201: ref(AlertChannelCreated) }),
      },
    },
    async (req, reply) => {
      let created: Awaited<ReturnType<typeof createAlertChannel>>;
      try {
        created = await createAlertChannel(db, { ...req.body, createdBy: actorOf(req) });
      } catch (e) {
        if (e instanceof AlertChannelError) throw new HttpError(400, e.message);
        throw e;
      }
      await audit(db, {
        actor: actorOf(req),
        action: 'alert_channel.create',
        target: created.channel.id,
        detail: { kind: created.channel.kind, url: maskUrl(created.channel.url), events: created.channel.events },
        ip: req.ip,
      });
      reply.code(201);
      return {
        ...channelView(req, created.channel),
        secret: created.secret,
        signatureHeader: 'X-PayerGuard-Signature',
      };
    },
  );

  app.delete(
    '/api/alert-channels/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['alerts'],
        summary: 'Remove an alert channel (its delivery history goes with it)',
        params: IdParams,
        response: responses({ 200: ref(AlertChannel) }),
      },
    },
    async (req) => {
      const c = await deleteAlertChannel(db, req.params.id);
      if (!c) throw notFound(`no alert channel ${req.params.id}`);
      await audit(db, {
        actor: actorOf(req),
        action: 'alert_channel.delete',
        target: c.id,
        detail: { url: maskUrl(c.url), events: c.events },
        ip: req.ip,
      });
      return channelView(req, c);
    },
  );

  app.get(
    '/api/alert-channels/:id/deliveries',
    {
      config: { access: STAFF },
      schema: {
        tags: ['alerts'],
        summary: "A channel's latest deliveries with their status, attempts and last error",
        params: IdParams,
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) }),
        response: responses({ 200: ref(AlertDeliveryList) }),
      },
    },
    async (req) => {
      if (!(await getAlertChannel(db, req.params.id))) throw notFound(`no alert channel ${req.params.id}`);
      return { deliveries: (await listDeliveries(db, req.params.id, req.query.limit)).map(deliveryView) };
    },
  );

  app.get(
    '/api/root-events',
    {
      config: { access: ALL_ROLES },
      schema: {
        tags: ['alerts'],
        summary: 'Live root events from the root-activity monitor, newest first (partner viewers: their own partner)',
        querystring: Type.Object({
          partnerId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: responses({ 200: ref(LiveRootEventList) }),
      },
    },
    async (req) => {
      const scope = partnerScope(req);
      if (scope !== null && req.query.partnerId && req.query.partnerId !== scope)
        throw notFound(`partner ${req.query.partnerId} not found`);
      const rows = await listRootEvents(db, {
        partnerId: scope ?? req.query.partnerId ?? null,
        limit: req.query.limit,
      });
      return {
        events: rows.map((r) => ({
          eventId: String(r.event_id),
          accountId: String(r.account_id),
          partnerId: (r.partner_id as string | null) ?? null,
          eventTime: new Date(r.event_time as string).toISOString(),
          eventName: String(r.event_name),
          eventSource: String(r.event_source),
          mfaUsed: (r.mfa_used as boolean | null) ?? null,
          receivedAt: new Date(r.received_at as string).toISOString(),
          rescoreRunId: (r.rescore_run_id as string | null) ?? null,
          rescoreError: (r.rescore_error as string | null) ?? null,
          alertedAt: r.alerted_at ? new Date(r.alerted_at as string).toISOString() : null,
        })),
      };
    },
  );
};
